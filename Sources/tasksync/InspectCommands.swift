import ArgumentParser
import Foundation
import Mirror
import ProviderCatalog
import SyncConfig
import TaskModel

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a config file; print every error with its file and key.",
        discussion: """
            Checks everything `sync` checks: syntax (with the line), types, ids of each member's kind, names, references \
            between providers, links and statuses. Also checks that each provider's token file or credential can be read; \
            credentials are read from $CREDENTIALS_DIRECTORY, or from /etc/tasksync/credentials/ when it is not set \
            (where the install script puts them and the unit's LoadCredential= reads them; \
            /etc/tasksync/credentials/NAME/ for an instance's /etc/tasksync/NAME.toml). \
            Exit status 0 when valid, 78 when not.
            """)

    @Option(name: .long, help: "The config file (TOML).") var config: String = "/etc/tasksync/tasksync.toml"

    func run() throws {
        let parsed: SyncConfiguration
        do {
            parsed = try ConfigLoader.load(path: config)
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.configError)
        }
        var problems: [String] = []
        for p in parsed.providers {
            do { _ = try Secrets.read(p.token, configPath: config) } catch { problems.append("\(config): \(p.key): \(error)") }
        }
        let (credentials, fromEnvironment) = Secrets.credentialsDirectory(configPath: config)
        let credentialsLine =
            fromEnvironment
            ? "credentials checked in \(credentials)/ ($CREDENTIALS_DIRECTORY)"
            : "credentials checked in \(credentials)/ ($CREDENTIALS_DIRECTORY is not set)"
        let usesCredentials = parsed.providers.contains { if case .credential = $0.token { true } else { false } }
        if !problems.isEmpty {
            problems.forEach(printError)
            if usesCredentials { printError(credentialsLine) }
            throw ExitCode(ExitStatus.configError)
        }
        print("\(config): valid: \(parsed.providers.count) providers, \(parsed.links.count) links, mirror \(parsed.sync.mirrorPath)")
        if usesCredentials { print(credentialsLine) }
        for link in parsed.links {
            print(
                "  link \(link.name): \(link.members.joined(separator: " <-> ")); on_delete = \(link.onDelete.rawValue); \(link.statuses.count) statuses mapped"
            )
        }
    }
}

/// Opens the mirror named by --mirror, the instance (as its unit passes it)
/// or the config's `[sync] mirror`, read-only in spirit.
struct MirrorOptions: ParsableArguments {
    @Option(name: .long, help: "The config file (TOML), to find the mirror; default /etc/tasksync/tasksync.toml.") var config: String?
    @Option(name: .long, help: "The mirror file; overrides the instance and the config.") var mirror: String?
    @Option(name: .long, help: Instance.help) var instance: String?
    @Flag(name: .long, help: "Print JSON.") var json = false

    func validate() throws { try Instance.validate(instance) }

    func open() throws -> Mirror {
        let path = try existingPath()
        do { return try Mirror(path: path, readOnly: true) } catch {
            printError("mirror \(path): \(error)")
            throw ExitCode(ExitStatus.mirrorError)
        }
    }

    /// The mirror's path (from --mirror, the instance or the config), which must exist.
    func existingPath() throws -> String {
        var path = mirror ?? instance.map(Instance.mirrorPath)
        if path == nil {
            let config = config ?? Instance.defaultConfig
            do { path = try ConfigLoader.load(path: config).sync.mirrorPath } catch {
                printError("\(error)")
                throw ExitCode(ExitStatus.configError)
            }
        }
        guard FileManager.default.fileExists(atPath: path!) else {
            printError("no mirror at \(path!): no cycle has run yet")
            throw ExitCode(ExitStatus.mirrorError)
        }
        return path!
    }
}

/// Every `--json` prints through here: snake_case keys (see ``JSONOutput``).
func printJSON(_ value: some Encodable) {
    print(JSONOutput.shared.text(value))
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show the last cycle; each link's last outcome, last success, last error, backlog, pause and stop; each provider's last success, error, wait and backlog."
    )
    @OptionGroup var options: MirrorOptions

    /// One provider in `status --json`: its stored state, and what waits on it.
    struct ProviderStatus: Encodable {
        var state: ProviderStateRecord
        /// Outbox rows still pending (writes not yet known to have landed).
        var pendingOutbox: Int
        /// Tasks that did not keep a value written to them (not sent again until it changes).
        var notKept: Int

        enum Keys: String, CodingKey { case pendingOutbox, notKept }

        func encode(to encoder: any Encoder) throws {
            try state.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(pendingOutbox, forKey: .pendingOutbox)
            try c.encode(notKept, forKey: .notKept)
        }
    }

    /// One link in `status --json`: its stored state, and its writes still pending.
    struct LinkStatus: Encodable {
        var state: LinkStateRecord
        var pendingOutbox: Int

        enum Keys: String, CodingKey { case pendingOutbox }

        func encode(to encoder: any Encoder) throws {
            try state.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(pendingOutbox, forKey: .pendingOutbox)
        }
    }

    /// "until T (rate limited)" while T is ahead; a time gone by is said as such
    /// (the provider is read again next cycle, and the mark is cleared then).
    static func parked(_ until: String, now: Timestamp = .now) -> String {
        if let t = Timestamp(parsing: until), t < now { return "was parked until \(until) (rate limited); read again next cycle" }
        return "parked until \(until) (rate limited)"
    }

    func run() throws {
        let mirror = try options.open()
        let pendingByLink = try mirror.pendingOutboxByLink()
        let links = try mirror.linkStates().map { LinkStatus(state: $0, pendingOutbox: pendingByLink[$0.link] ?? 0) }
        let notKept = try mirror.notKept()
        let pending = try mirror.pendingOutbox()
        let providers = try mirror.providerStates().map {
            ProviderStatus(state: $0, pendingOutbox: pending[$0.provider] ?? 0, notKept: notKept[$0.provider]?.count ?? 0)
        }
        if options.json {
            struct Out: Encodable {
                var cycle: Mirror.CycleSummary?
                var providers: [ProviderStatus]
                var links: [LinkStatus]
                var entities: [String: Int]
            }
            printJSON(Out(cycle: try mirror.lastCycle(), providers: providers, links: links, entities: try mirror.entityCounts()))
            return
        }
        if let c = try mirror.lastCycle() {
            print("last cycle \(c.id): started \(c.startedAt), \(c.finishedAt.map { "finished \($0)" } ?? "did not finish"), outcome \(c.outcome ?? "-")")
        } else {
            print("no cycle has run yet")
        }
        let counts = try mirror.entityCounts()
        print("mirror: \(counts["task"] ?? 0) tasks, \(counts["subtask"] ?? 0) subtasks, \(counts["comment"] ?? 0) comments")
        for status in links {
            let l = status.state
            print(
                "link \(l.link): last outcome \(l.lastOutcome ?? "-")\(l.stoppedReason.map { " - STOPPED: \($0)" } ?? ""), last ok \(l.lastSuccessAt ?? "never")"
            )
            if let e = l.lastError { print("  last error (\(l.lastErrorAt ?? "?")): \(e)") }
            if status.pendingOutbox > 0 { print("  \(status.pendingOutbox) outbox entries pending (written, not yet known to have landed)") }
            if let at = l.pausedAt { print("  PAUSED since \(at), reason \(l.pausedReason ?? "none given") (tasksync resume --link \(l.link))") }
        }
        for status in providers {
            let p = status.state
            var line = "provider \(p.provider): last ok \(p.lastSuccessAt ?? "never")"
            if let n = p.taskCount { line += ", \(n) tasks" }
            if let c = p.cursor { line += ", cursor \(c)" }
            print(line)
            if let e = p.lastError { print("  last error (\(p.lastErrorAt ?? "?")): \(e)") }
            if let b = p.backoffUntil { print("  \(Self.parked(b))") }
            if status.pendingOutbox > 0 { print("  \(status.pendingOutbox) outbox entries pending (written, not yet known to have landed)") }
            if let items = notKept[p.provider] {
                let shown = items.prefix(5).map { "#\($0.entity) \($0.fields.joined(separator: ","))" }.joined(separator: ", ")
                print(
                    "  \(items.count) tasks did not keep a value written to them (not sent again until it changes): \(shown)\(items.count > 5 ? ", ..." : "")")
            }
        }
    }
}

struct Journal: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the change journal: observed changes, conflicts, pushes, errors.")
    @OptionGroup var options: MirrorOptions
    @Option(name: .long, help: "Only this entity (the number tasksync mappings shows) and its subtasks and comments.") var entity: Int64?
    @Option(name: .long, help: "Only this provider.") var provider: String?
    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Only entries at or after this time, as journalctl --since takes it: yesterday, today, now, \"2 hours ago\", -30min, 2026-11-22, \"2026-11-22 10:00:00\" (local time), or ISO 8601 with an offset.",
            valueName: "time")) var since: String?
    @Option(name: .long, help: "At most this many entries (the newest).") var limit: Int = 200

    func validate() throws {
        if let since, Since.parse(since) == nil {
            throw ValidationError("--since \"\(since)\" is not a time; use one of: \(Since.forms)")
        }
    }

    func run() throws {
        let from = try since.map { text in
            guard let t = Since.parse(text) else { throw ValidationError("--since \"\(text)\" is not a time; use one of: \(Since.forms)") }
            return t
        }
        let entries = try options.open().journal(entity: entity, provider: provider, since: from, limit: limit)
        if options.json {
            // Field values as JSON values ("Fix login", ["bug"], true, null), not their printed form.
            struct Entry: Encodable {
                var id: Int64
                var cycleID: Int64?
                var at: String
                var link, provider: String?
                var entityID: Int64?
                var kind: String
                var field: String?
                var oldValue, newValue: FieldValue?
                var detail: String?
            }
            return printJSON(
                entries.map {
                    Entry(
                        id: $0.id, cycleID: $0.cycleID, at: $0.at, link: $0.link, provider: $0.provider, entityID: $0.entityID, kind: $0.kind,
                        field: $0.field, oldValue: FieldValue(printed: $0.oldValue, isField: $0.field != nil),
                        newValue: FieldValue(printed: $0.newValue, isField: $0.field != nil), detail: $0.detail)
                })
        }
        for e in entries {
            var line = "\(e.at) cycle \(e.cycleID.map(String.init) ?? "-") \(e.kind)"
            if let p = e.provider { line += " \(p)" }
            if let id = e.entityID { line += " #\(id)" }
            if let f = e.field {
                line += " \(f): \(e.oldValue ?? "") -> \(e.newValue ?? "")"
            } else if e.kind == "push", let remote = e.newValue {
                line += " -> \(e.provider ?? "") #\(remote)"
            }
            if let d = e.detail { line += " \(d)" }
            print(line)
        }
    }
}

struct Mappings: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show which remote ids belong together.")
    @OptionGroup var options: MirrorOptions
    @Option(name: .long, help: "Only this link.") var link: String?

    func run() throws {
        let rows = try options.open().mappingRows(link: link)
        if options.json { return printJSON(rows) }
        for r in rows {
            let remotes = r.remotes.sorted { $0.key < $1.key }.map { "\($0.key) #\($0.value)" }.joined(separator: "  ")
            print("#\(r.entityID) \(r.kind)\(r.state == "active" ? "" : " (\(r.state))") [\(r.link)] \"\(r.title.prefix(60))\"  \(remotes)")
        }
    }
}
