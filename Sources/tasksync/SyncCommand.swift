import ArgumentParser
import Foundation
import Logging
import ProviderCatalog
import SyncConfig
import SyncEngine
import SystemdGlue
import UnixSignals

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one sync cycle, or with --dry-run print what it would do.",
        discussion: """
            Without --dry-run: one real cycle, then exit. It holds the mirror's lock \
            (MIRROR.lock, beside it) while it runs: one process writes a mirror at a time. \
            SIGTERM or SIGINT stops it within seconds: no new write is sent, the ones in \
            flight finish, and the next cycle does the rest. A first sync of more new tasks \
            than [sync] create_batch runs one cycle per batch, one after another, until \
            all are copied (with --json, the last cycle's report is printed).

            With --dry-run: read every provider, plan, print the plan item by item and field \
            by field, and write nothing, remote or local. It plans against a copy of the \
            mirror and takes no lock, so it runs next to the daemon.

            Exit status: 0 in sync or changed as planned; 2 partial (a provider or an item \
            failed, the rest synced; see `tasksync status`); 3 a link stopped itself (the \
            deletion guard); 4 interrupted by SIGTERM or SIGINT (the next cycle does the \
            rest); 77 a provider refused the credentials (HTTP 401 or 403; the rest synced); \
            69 a provider could not be reached (network, DNS, TLS or timeout; the rest \
            synced); 75 another process holds the mirror's lock (the message names it and its \
            pid: wait for it, or stop it); 78 the config is invalid; 74 the mirror cannot be \
            opened; 64 --link or --provider names no link or provider of the config. When \
            several apply: 3, then 4, then 77, then 69, then 2.

            --link NAME and --provider NAME (each repeatable) run the cycle, or the dry run, \
            only for those links, or the links those providers belong to.
            """)

    @OptionGroup var options: ConfigOptions
    @Flag(name: .long, help: "Plan only: write nothing, remote or local.") var dryRun = false
    @Flag(name: .long, help: "Print the plan as JSON.") var json = false
    @Flag(name: .shortAndLong, help: "Log every write to stderr.") var verbose = false
    @Option(name: .customLong("link"), help: "Only this link (repeatable); an unknown name exits 64.") var linkNames: [String] = []
    @Option(
        name: .customLong("provider"), help: "Only the links this provider belongs to (repeatable); an unknown name exits 64.")
    var providerNames: [String] = []

    func run() async throws {
        let logger = makeLogger(verbose: verbose)
        let oneShot = OneShotCycle(logger: logger)
        defer { oneShot.end() }
        let (stop, hooks) = (oneShot.stop, oneShot.hooks)
        // An unknown --link or --provider is a usage error (64) even while the daemon holds the lock.
        if let config = try? ConfigLoader.load(path: options.configPath) {
            _ = try selectLinks(config, links: linkNames, providers: providerNames)
        }
        let setup = try Setup.load(options, readOnlyMirror: dryRun, logger: logger, hooks: hooks, stop: stop)
        let only = try selectLinks(setup.config, links: linkNames, providers: providerNames)
        var report = try await setup.engine.runCycle(dryRun: dryRun, links: only)
        if !json {
            for (link, note) in setup.engine.capabilityNotes() { print("link \(link): note: \(note)") }
        }
        // A first sync in batches (create_batch): the next batch at once, until every new task is
        // copied. Each cycle's plan is printed; with --json, the last cycle's report alone.
        while report.continuesAtOnce && !stop.isSet {
            if !json { print(render(report, json: false)) }
            report = try await setup.engine.runCycle(links: only)
        }
        print(render(report, json: json))
        let status = ExitStatus.of(report)
        if status != ExitStatus.inSync { throw ExitCode(status) }
    }
}

/// The links `--link` and `--provider` name (both given: the links that match
/// either), nil for every link; an unknown name exits 64 (EX_USAGE) listing
/// the known ones.
func selectLinks(_ config: SyncConfiguration, links: [String], providers: [String]) throws -> Set<String>? {
    if links.isEmpty && providers.isEmpty { return nil }
    let knownLinks = config.links.map(\.name)
    let knownProviders = config.providers.map(\.name)
    for name in links where !knownLinks.contains(name) {
        printError("unknown link \(name); the config has: \(knownLinks.joined(separator: ", "))")
        throw ExitCode(ExitStatus.usage)
    }
    for name in providers where !knownProviders.contains(name) {
        printError("unknown provider \(name); the config has: \(knownProviders.joined(separator: ", "))")
        throw ExitCode(ExitStatus.usage)
    }
    return Set(config.links.filter { l in links.contains(l.name) || l.members.contains { providers.contains($0) } }.map(\.name))
}

func render(_ report: CycleReport, json: Bool) -> String {
    if json { return JSONOutput.shared.text(report) }
    var out = report.dryRun ? ["dry run: nothing was written"] : ["cycle \(report.cycle.map(String.init) ?? "?")"]
    out += report.plans.map { $0.rendered() }
    if report.dryRun, report.requestEstimates.values.contains(where: { $0.writes > 0 }) {
        out.append("requests the plan needs:")
        for (name, e) in report.requestEstimates.sorted(by: { $0.key < $1.key }) where e.writes > 0 {
            let time = e.minimumSeconds > 0 ? "; rate_limit \(e.rateLimit) makes that at least \(durationText(e.minimumSeconds))" : ""
            out.append("  \(name): \(e.writes) writes (after \(e.reads) reads)\(time)")
        }
    }
    out.append("outcome: \(report.outcome.rawValue)" + (report.errors.isEmpty ? "" : " (\(report.errors.count) errors)"))
    out += report.errors.map { "  error: \($0)" }
    return out.joined(separator: "\n")
}

/// `3 min 20 s`, `1 h 7 min`, `45 s`.
func durationText(_ seconds: Double) -> String {
    let s = Int(seconds.rounded(.up))
    if s >= 3600 { return "\(s / 3600) h \(s % 3600 / 60) min" }
    if s >= 60 { return "\(s / 60) min" + (s % 60 == 0 ? "" : " \(s % 60) s") }
    return "\(s) s"
}

/// What a one-shot cycle (`sync`, `resync`) runs with: SIGTERM or SIGINT
/// stops new writes and lets the ones in flight finish, a second signal ends
/// the process at once; the watchdog is fed by progress, and a long push
/// says how it goes every few seconds in the log (stderr, or the journal).
struct OneShotCycle {
    let stop = StopFlag()
    let hooks: EngineHooks
    private let signals: Task<Void, Never>

    init(logger: Logger) {
        let stop = self.stop
        signals = Task {
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                if stop.isSet { Foundation.exit(128 + signal.rawValue) }
                printError("\(signal): stopping; the writes in flight finish (send it again to quit at once)")
                stop.set()
            }
        }
        let watchdog = Watchdog(notifier: SystemdNotifier())
        let progress = WriteProgress(logger: logger) { _ in }
        hooks = EngineHooks(progress: { watchdog.ping() }, isStopping: { stop.isSet }, writes: progress.settled)
    }

    /// Stops listening for signals.
    func end() { signals.cancel() }
}
