import Foundation
import GRDB
import ProviderFakes
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One kill-and-edit run: the fakes, the binary, what the user did, and
/// what that leaves each side expected to show.
final class KillRun {
    enum Side: String, CaseIterable {
        case helpspace, productive
        var other: Side { self == .helpspace ? .productive : .helpspace }
    }

    enum Field: String, CaseIterable { case title, status, tags }

    /// One value the user put in one field of one task, on one side
    /// (the values a task was created with count as edits too).
    struct Edit {
        var seq: Int
        var round: Int
        var side: Side
        var remoteID: String
        var field: Field
        var value: String
    }

    /// A task as the user knows it: where it was made, the remote ids the
    /// user has touched it under, and everything done to it.
    final class Logical {
        let number: Int
        let origin: Side
        let originID: String
        var ids: [Side: Set<String>]
        var titles: [String] = []
        var edits: [Edit] = []
        var comments: [String] = []
        var subtasks: [String] = []

        init(number: Int, origin: Side, originID: String) {
            self.number = number
            self.origin = origin
            self.originID = originID
            ids = [origin: [originID]]
        }
    }

    static let statusNames = ["To do", "Doing", "Done"]
    static let hsStatuses: [Int64] = [1, 2, 3]
    static let prStatuses = ["2545", "2546", "2547"]
    static let tagWords = ["bug", "ui", "backend", "urgent", "docs", "größe"]

    static let commentsEvery = 2

    let seed: UInt64
    let rounds: Int
    var rng: SplitMix64
    let h: DaemonHarness
    var logicals: [Logical] = []
    var byID: [Side: [String: Logical]] = [.helpspace: [:], .productive: [:]]
    var seq = 0
    var names = 0
    var round = 0
    var problems: [String] = []
    var log: [String] = []
    var runs = 0
    var kills = 0
    var killedWriting = 0
    var finished = 0

    init(seed: UInt64, rounds: Int) async throws {
        self.seed = seed
        self.rounds = rounds
        rng = SplitMix64(seed: seed)
        h = try await DaemonHarness()
    }

    var seedText: String { "TASKSYNC_KILL_SEED=0x" + String(seed, radix: 16) }

    func fail(_ what: String) {
        problems.append("\(seedText) round \(round): \(what)")
    }

    func note(_ what: String) { log.append("round \(round): \(what)") }

    func nextTitle(_ kind: String) -> String {
        names += 1
        // Now and then a title that only survives a Unicode-clean round trip.
        return rng.chance(0.15) ? "\(kind) \(names) – Überprüfung ✓" : "\(kind) \(names)"
    }

    func randomTags() -> [String] {
        (0..<rng.int(0...3)).map { _ in rng.pick(Self.tagWords) }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    static func tagValue(_ tags: [String]) -> String { Set(tags).sorted().joined(separator: ",") }

    // MARK: what the user does

    func record(_ l: Logical, side: Side, remoteID: String, field: Field, value: String) {
        seq += 1
        l.edits.append(Edit(seq: seq, round: round, side: side, remoteID: remoteID, field: field, value: value))
        if field == .title { l.titles.append(value) }
    }

    func register(_ side: Side, id: String, to l: Logical) {
        l.ids[side, default: []].insert(id)
        byID[side]![id] = l
    }

    @discardableResult
    func addTask(on side: Side, subtasks: Int = 0) async -> Logical {
        let title = nextTitle(side == .helpspace ? "HS task" : "PR task")
        let status = rng.int(0...2)
        let tags = randomTags()
        let id: String
        switch side {
        case .helpspace:
            let subs = (0..<subtasks).map { "Sub \(names).\($0)" }
            id = String(
                await h.hs.seed(
                    title: title, description: "<p>About \(title)</p>", statusID: Self.hsStatuses[status], tags: tags, subtasks: subs))
            let l = Logical(number: logicals.count, origin: side, originID: id)
            l.subtasks = subs
            logicals.append(l)
        case .productive:
            id = String(await h.pr.seed(title: title, description: "<p>About \(title)</p>", status: Self.prStatuses[status], tags: tags))
            logicals.append(Logical(number: logicals.count, origin: side, originID: id))
        }
        let l = logicals.last!
        register(side, id: id, to: l)
        record(l, side: side, remoteID: id, field: .title, value: title)
        record(l, side: side, remoteID: id, field: .status, value: Self.statusNames[status])
        record(l, side: side, remoteID: id, field: .tags, value: Self.tagValue(tags))
        return l
    }

    /// The top-level tasks one side shows now: id, title, status index, tags.
    func visible(_ side: Side) async -> [(id: String, title: String, status: Int, tags: [String])] {
        switch side {
        case .helpspace:
            return await h.hs.liveTasks().map { (String($0.id), $0.title, Self.hsStatuses.firstIndex(of: $0.statusID) ?? -1, $0.tags) }
        case .productive:
            return await h.pr.liveTasks().filter { $0.parentID == nil }.map {
                (String($0.id), $0.title, Self.prStatuses.firstIndex(of: $0.workflowStatusID) ?? -1, $0.tags)
            }
        }
    }

    /// A task on `side` to edit, and the user's task it is. A task tasksync
    /// made is known by its title (every title is used once); with
    /// `preferCopies`, such a fresh copy is taken when there is one.
    func pickTask(on side: Side, preferCopies: Bool) async -> (id: String, status: Int, tags: [String], logical: Logical)? {
        let shown = await visible(side)
        let copies = shown.filter { byID[side]![$0.id] == nil }
        let pool = preferCopies && !copies.isEmpty ? copies : shown
        guard !pool.isEmpty else { return nil }
        let task = rng.pick(pool)
        if let l = byID[side]![task.id] { return (task.id, task.status, task.tags, l) }
        let owners = logicals.filter { $0.titles.contains(task.title) && $0.origin != side }
        guard owners.count == 1 else {
            note("\(side) #\(task.id) \"\(task.title)\" belongs to no task of the user's (\(owners.count) candidates): not edited")
            return nil
        }
        register(side, id: task.id, to: owners[0])
        note("\(side) #\(task.id) is tasksync's copy of task \(owners[0].number) (\(owners[0].origin) #\(owners[0].originID))")
        return (task.id, task.status, task.tags, owners[0])
    }

    func outsideEdits() async {
        for _ in 0..<rng.int(2...7) {
            let side: Side = rng.chance(0.5) ? .helpspace : .productive
            switch rng.int(0...99) {
            case 0..<18:
                let l = await addTask(on: side, subtasks: side == .helpspace && rng.chance(0.3) ? rng.int(1...2) : 0)
                note("added task \(l.number) on \(side) #\(l.originID) \"\(l.titles[0])\"")
            case 18..<28:
                // A task on HelpSpace gets a comment (HelpSpace comments flow to Productive).
                guard let t = await pickTask(on: .helpspace, preferCopies: false), let id = Int64(t.id) else { continue }
                names += 1
                let text = "Comment \(names) in round \(round)"
                await h.hs.addComment(id, text: text, author: "Ada Lovelace")
                t.logical.comments.append(text)
                note("comment on helpspace #\(id): \(text)")
            case 28..<34:
                // A subtask added on Productive (flows to HelpSpace's sub_tasks).
                guard let t = await pickTask(on: .productive, preferCopies: false), let id = Int(t.id) else { continue }
                names += 1
                let title = "PR sub \(names)"
                await h.pr.seed(title: title, parent: id)
                t.logical.subtasks.append(title)
                note("subtask on productive #\(id): \(title)")
            default:
                guard let t = await pickTask(on: side, preferCopies: rng.chance(0.35)) else { continue }
                let field = rng.pick(Field.allCases)
                await edit(t, on: side, field: field)
            }
        }
    }

    func edit(_ t: (id: String, status: Int, tags: [String], logical: Logical), on side: Side, field: Field) async {
        let value: String
        switch field {
        case .title:
            let title = nextTitle("Renamed")
            value = title
            if side == .helpspace { await h.hs.edit(Int64(t.id)!) { $0.title = title } } else { await h.pr.edit(Int(t.id)!) { $0.title = title } }
        case .status:
            let status = (t.status + rng.int(1...2)) % 3
            value = Self.statusNames[status]
            let (hsStatus, prStatus) = (Self.hsStatuses[status], Self.prStatuses[status])
            if side == .helpspace {
                await h.hs.edit(Int64(t.id)!) { $0.statusID = hsStatus }
            } else {
                await h.pr.edit(Int(t.id)!) { $0.workflowStatusID = prStatus }
            }
        case .tags:
            var tags = randomTags()
            if Self.tagValue(tags) == Self.tagValue(t.tags) { tags = t.tags.isEmpty ? ["edited"] : [] }
            value = Self.tagValue(tags)
            let set = tags
            if side == .helpspace { await h.hs.edit(Int64(t.id)!) { $0.tags = set } } else { await h.pr.edit(Int(t.id)!) { $0.tags = set } }
        }
        record(t.logical, side: side, remoteID: t.id, field: field, value: value)
        note("\(field) of \(side) #\(t.id) (task \(t.logical.number)) := \"\(value)\"")
    }

    // MARK: the binary

    /// When a sync gets its SIGKILL: at a moment, or just after the fakes
    /// have taken its k-th write (and a few ms more: the answer lost, or
    /// received and not yet committed).
    enum KillPlan: CustomStringConvertible {
        case at(ms: Int)
        case afterWrites(Int, extraMs: Int)
        case never

        var description: String {
            switch self {
            case .at(let ms): "at \(ms) ms"
            case .afterWrites(let k, let extra): "\(extra) ms after write \(k)"
            case .never: "never"
            }
        }
    }

    /// Runs `tasksync sync` and SIGKILLs it by `plan` unless it has ended.
    /// Nil when it was killed, else its exit status.
    func sync(_ plan: KillPlan) async throws -> Int32? {
        runs += 1
        let logPath = h.dir + "/run-\(runs).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let p = h.process(["sync", "--config", h.configPath])
        p.standardError = FileHandle(forWritingAtPath: logPath)
        let started = Date()
        try p.run()
        var due: Date? = nil
        switch plan {
        case .at(let ms): due = started.addingTimeInterval(Double(ms) / 1000)
        case .afterWrites, .never: break
        }
        let limit = started.addingTimeInterval(90)
        while p.isRunning && Date() < limit {
            if case .afterWrites(let k, let extra) = plan, due == nil, await h.hs.ledger.writes + h.pr.ledger.writes >= k {
                due = Date().addingTimeInterval(Double(extra) / 1000)
            }
            if let due, Date() >= due { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            _ = await h.waitForExit(p, timeout: 10)
            if case .never = plan {
                fail("a clean sync did not end within 90 s (run-\(runs).log); killed")
            } else {
                kills += 1
            }
            return nil
        }
        _ = await h.waitForExit(p, timeout: 10)
        return p.terminationReason == .exit ? p.terminationStatus : 128 + p.terminationStatus
    }

    func openMirror() throws -> DatabaseQueue? {
        guard FileManager.default.fileExists(atPath: h.mirrorPath) else { return nil }
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: h.mirrorPath, configuration: config)
    }

    func checkIntegrity(_ when: String) async {
        do {
            guard let db = try openMirror() else { return }
            let result = try await db.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            try db.close()
            if result != ["ok"] { fail("PRAGMA integrity_check \(when): \(result.joined(separator: "; "))") }
        } catch {
            fail("the mirror could not be opened \(when): \(error)")
        }
    }

    /// When to kill this round's sync: sometimes before it writes (while it
    /// starts, opens the mirror, lists), mostly between its writes,
    /// sometimes late enough that it has ended by itself.
    func killPlan() -> KillPlan {
        switch rng.int(0...99) {
        case 0..<15: .at(ms: rng.int(0...250))
        case 15..<80: .afterWrites(rng.int(1...(round == 1 ? 90 : 10)), extraMs: rng.chance(0.5) ? 0 : rng.int(1...30))
        default: .at(ms: rng.int(250...1500))
        }
    }

    // MARK: the run

    func play() async throws {
        // Comments that no `updated_at` signals (HelpSpace's has whole seconds) are found
        // in rotating batches, every `comments_every` cycles (Fetcher): keep that short.
        try h.configText.replacingOccurrences(of: "poll_interval = 5", with: "poll_interval = 5\ncomments_every = \(Self.commentsEvery)")
            .write(toFile: h.configPath, atomically: true, encoding: .utf8)
        await h.hs.setLatency(0.01)
        await h.pr.setLatency(0.015)
        for i in 0..<40 { await addTask(on: .helpspace, subtasks: i % 5 == 0 ? 2 : 0) }
        for _ in 0..<20 { await addTask(on: .productive) }
        for r in 1...rounds {
            round = r
            let plan = killPlan()
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            let started = Date()
            let code = try await sync(plan)
            let lived = Int(Date().timeIntervalSince(started) * 1000)
            let writes = await h.hs.ledger.writes + h.pr.ledger.writes
            if let code {
                finished += 1
                note("sync ended by itself with \(code) after \(lived) ms and \(writes) writes (kill was due \(plan))")
                if code != 0 && code != 2 { fail("sync exited \(code) (see run-\(runs).log)") }
            } else {
                if writes > 0 { killedWriting += 1 }
                note("sync killed \(plan), after \(lived) ms and \(writes) writes")
            }
            await checkIntegrity("after the kill")
            await outsideEdits()
        }
        round = rounds + 1
        await h.hs.setLatency(0)
        await h.pr.setLatency(0)
        // Clean syncs until `comments_every` cycles in a row write nothing: by then
        // every task's comments have been read at least once.
        var idleInARow = 0
        for attempt in 1...8 where idleInARow < Self.commentsEvery {
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            let code = try await sync(.never)
            let hsWrites = await h.hs.ledger.writes
            let prWrites = await h.pr.ledger.writes
            note("clean sync \(attempt): exit \(code.map(String.init) ?? "killed"), writes helpspace \(hsWrites), productive \(prWrites)")
            if let code, code != 0 && code != 2 { fail("clean sync \(attempt) exited \(code) (see run-\(runs).log)") }
            idleInARow = hsWrites + prWrites == 0 ? idleInARow + 1 : 0
        }
        if idleInARow < Self.commentsEvery {
            let lines = await h.hs.ledger.lines.filter { !$0.hasPrefix("GET") } + h.pr.ledger.lines.filter { !$0.hasPrefix("GET") }
            fail("eight clean syncs and the last still wrote: \(lines.prefix(8).joined(separator: ", "))")
        }
        await checkIntegrity("at the end")
        try await checkFinalState()
    }

    // MARK: the checks

    func checkFinalState() async throws {
        let hsTasks = await h.hs.liveTasks()
        let prAll = await h.pr.liveTasks()
        let prTop = prAll.filter { $0.parentID == nil }
        let hsByID = Dictionary(uniqueKeysWithValues: hsTasks.map { (String($0.id), $0) })
        let prByID = Dictionary(uniqueKeysWithValues: prTop.map { (String($0.id), $0) })

        // (1) No duplicates: as many tasks as the user made, on each side, each title once.
        if hsTasks.count != logicals.count || prTop.count != logicals.count {
            fail("the user made \(logicals.count) tasks; helpspace shows \(hsTasks.count), productive \(prTop.count)")
        }
        for (side, titles) in [(Side.helpspace, hsTasks.map(\.title)), (.productive, prTop.map(\.title))] {
            for (title, n) in Dictionary(grouping: titles, by: { $0 }).mapValues(\.count) where n > 1 {
                fail("\"\(title)\" appears \(n) times on \(side)")
            }
        }
        if Set(hsTasks.map(\.title)) != Set(prTop.map(\.title)) {
            fail(
                "titles differ: only on helpspace \(Set(hsTasks.map(\.title)).subtracting(prTop.map(\.title)).sorted()), "
                    + "only on productive \(Set(prTop.map(\.title)).subtracting(hsTasks.map(\.title)).sorted())")
        }

        guard let db = try openMirror() else {
            fail("no mirror at the end")
            return
        }
        struct Conflict { var entity: Int64, field: String, loser: String, loserValue: String }
        let (rows, conflictRows) = try db.read { db in
            (
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT e.id, e.state, m.provider, m.remote_id FROM entities e
                        LEFT JOIN mappings m ON m.entity_id = e.id WHERE e.kind = 'task' ORDER BY e.id
                        """),
                try Row.fetchAll(db, sql: "SELECT entity_id, field, loser_provider, loser_value FROM conflicts")
            )
        }
        try db.close()
        var entityOf: [Side: [String: Int64]] = [.helpspace: [:], .productive: [:]]
        var remotes: [Int64: [Side: String]] = [:]
        for row in rows {
            let id: Int64 = row[0]
            let state: String = row[1]
            guard state == "active" else {
                fail("entity #\(id) is \(state); the user deleted nothing")
                continue
            }
            if remotes[id] == nil { remotes[id] = [:] }
            guard let provider: String = row[2], let side = Side(rawValue: provider), let remote: String = row[3] else { continue }
            remotes[id]![side] = remote
            entityOf[side]![remote] = id
        }
        let conflicts = conflictRows.map { Conflict(entity: $0[0], field: $0[1], loser: $0[2], loserValue: $0[3] ?? "") }
        for (id, linked) in remotes.sorted(by: { $0.key < $1.key }) where linked.count != 2 {
            fail("entity #\(id) is linked to \(linked.map { "\($0.key) #\($0.value)" }.sorted()) only, not to both sides")
        }
        for t in hsTasks where entityOf[.helpspace]![String(t.id)] == nil { fail("helpspace #\(t.id) \"\(t.title)\" is linked to nothing") }
        for t in prTop where entityOf[.productive]![String(t.id)] == nil { fail("productive #\(t.id) \"\(t.title)\" is linked to nothing") }

        // Two tasks the user made must never become one.
        var owner: [Int64: Logical] = [:]
        var merged: Set<Int64> = []
        for l in logicals {
            guard let entity = entityOf[l.origin]![l.originID] else { continue }
            if let first = owner[entity] {
                merged.insert(entity)
                fail(
                    "task \(first.number) (\(first.origin) #\(first.originID), \"\(first.titles[0])\") and task \(l.number) "
                        + "(\(l.origin) #\(l.originID), \"\(l.titles[0])\") were made apart by the user but are one entity #\(entity)")
            }
            owner[entity] = l
        }

        // (2) No lost edit, per task the user made.
        for l in logicals {
            guard let entity = entityOf[l.origin]![l.originID] else {
                fail("task \(l.number) (\(l.origin) #\(l.originID), \"\(l.titles.last!)\") is not in the mirror")
                continue
            }
            for side in Side.allCases {
                for id in l.ids[side] ?? [] where entityOf[side]![id] != entity {
                    fail(
                        "task \(l.number) (\(l.origin) #\(l.originID)) is entity #\(entity), but its copy \(side) #\(id), which the user edited, "
                            + "is linked to \(entityOf[side]![id].map { "entity #\($0)" } ?? "nothing"): the copy was made twice")
                }
            }
            guard let hsID = remotes[entity]?[.helpspace], let prID = remotes[entity]?[.productive], let hs = hsByID[hsID],
                let pr = prByID[prID]
            else {
                fail("task \(l.number) (entity #\(entity)) lacks a live task on one side: \(remotes[entity] ?? [:])")
                continue
            }
            let shown: [Field: (hs: String, pr: String)] = [
                .title: (hs.title, pr.title),
                .status: (
                    Self.hsStatuses.firstIndex(of: hs.statusID).map { Self.statusNames[$0] } ?? "id \(hs.statusID)",
                    Self.prStatuses.firstIndex(of: pr.workflowStatusID).map { Self.statusNames[$0] } ?? "id \(pr.workflowStatusID)"
                ),
                .tags: (Self.tagValue(hs.tags), Self.tagValue(pr.tags)),
            ]
            let label = "task \(l.number) (entity #\(entity), helpspace #\(hsID), productive #\(prID))"
            // A merged entity mixes two tasks' edits: the merge is the failure to report.
            guard !merged.contains(entity) else { continue }
            for field in Field.allCases {
                let (hsValue, prValue) = shown[field]!
                guard hsValue == prValue else {
                    fail("\(label) \(field): helpspace shows \"\(hsValue)\", productive \"\(prValue)\"")
                    continue
                }
                let edits = l.edits.filter { $0.field == field }
                let last = edits.last!
                if hsValue == last.value { continue }
                let lastOther = edits.last { $0.side != last.side }
                let recorded = conflicts.contains { c in
                    c.entity == entity && c.field == field.rawValue && c.loser == last.side.rawValue
                        && Self.conflictValue(c.loserValue, field: field) == last.value
                }
                if lastOther?.value == hsValue && recorded { continue }
                fail(
                    "\(label) \(field): lost edit: the last one was \"\(last.value)\" on \(last.side) #\(last.remoteID) in round \(last.round)"
                        + (lastOther.map { ", the last on \($0.side) \"\($0.value)\" in round \($0.round)" } ?? "")
                        + "; both sides show \"\(hsValue)\"" + (lastOther?.value == hsValue ? " and no conflict lists the loser" : ""))
            }
            // Subtasks: each once on both sides.
            let hsSubs = hs.subtasks.map(\.title).sorted()
            let prSubs = prAll.filter { $0.parentID == pr.id }.map(\.title).sorted()
            if hsSubs != l.subtasks.sorted() || prSubs != l.subtasks.sorted() {
                fail("\(label) subtasks: the user made \(l.subtasks.sorted()); helpspace shows \(hsSubs), productive \(prSubs)")
            }
            // Comments written on HelpSpace: each once on Productive.
            let bodies = await h.pr.comments(of: pr.id).map(\.body)
            for text in l.comments {
                let n = bodies.filter { $0.contains(text) }.count
                if n != 1 { fail("\(label): comment \"\(text)\" is on productive \(n) times") }
            }
        }
    }

    /// A conflict's stored value (`"text"`, `[a, b]`) in the form the edits use.
    static func conflictValue(_ stored: String, field: Field) -> String {
        switch field {
        case .title, .status:
            return stored.hasPrefix("\"") && stored.hasSuffix("\"") && stored.count >= 2 ? String(stored.dropFirst().dropLast()) : stored
        case .tags:
            let inner = stored.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            return tagValue(inner.isEmpty ? [] : inner.components(separatedBy: ", "))
        }
    }

    /// On failure: the mirror, the journal, the logs and the story of the run, kept for a replay.
    func keepEvidence() -> String {
        let keep = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-kill-\(String(seed, radix: 16))").path
        try? FileManager.default.removeItem(atPath: keep)
        try? FileManager.default.copyItem(atPath: h.dir, toPath: keep)
        for (name, arguments) in [("journal.txt", ["journal", "--limit", "100000"]), ("mappings.txt", ["mappings"]), ("conflicts.txt", ["conflicts"])] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tasksyncBinary)
            p.arguments = arguments + ["--mirror", keep + "/mirror.sqlite"]
            _ = FileManager.default.createFile(atPath: keep + "/" + name, contents: nil)
            p.standardOutput = FileHandle(forWritingAtPath: keep + "/" + name)
            p.standardError = FileHandle.nullDevice
            try? p.run()
            p.waitUntilExit()
        }
        try? (log + ["", "problems:"] + problems).joined(separator: "\n").write(toFile: keep + "/story.txt", atomically: true, encoding: .utf8)
        return keep
    }
}

@Suite("kill -9 at random moments of a sync", .serialized)
struct KillTests {
    /// `TASKSYNC_KILL_SEED` (decimal or 0x hex) replays a run; `TASKSYNC_KILL_ROUNDS` changes its length;
    /// `TASKSYNC_KILL_KEEP=1` keeps a passing run's folder too.
    static var seed: UInt64 {
        let text = ProcessInfo.processInfo.environment["TASKSYNC_KILL_SEED"] ?? ""
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) ?? 0x7A5C_5EED }
        return UInt64(text) ?? 0x7A5C_5EED
    }

    @Test("kill -9 mid-sync with outside edits between: no duplicate, no lost edit, a sound mirror, then an idle cycle")
    func killsWithEdits() async throws {
        let rounds = Int(ProcessInfo.processInfo.environment["TASKSYNC_KILL_ROUNDS"] ?? "") ?? 16
        let run = try await KillRun(seed: Self.seed, rounds: rounds)
        let started = Date()
        do { try await run.play() } catch { run.fail("the run stopped: \(error)") }
        let seconds = Date().timeIntervalSince(started)
        print(
            "\(run.seedText): \(rounds) rounds, \(run.kills) kills (\(run.killedWriting) after writes began), \(run.finished) syncs ended before their kill, \(run.runs) syncs, \(run.logicals.count) tasks, \(String(format: "%.1f", seconds)) s"
        )
        if run.problems.isEmpty, ProcessInfo.processInfo.environment["TASKSYNC_KILL_KEEP"] != nil {
            print("\(run.seedText): the run is kept in \(run.keepEvidence())")
        }
        if !run.problems.isEmpty {
            let kept = run.keepEvidence()
            for p in run.problems.prefix(40) { Issue.record("\(p)") }
            Issue.record("\(run.seedText): \(run.problems.count) problems; the run is kept in \(kept) (story.txt, journal.txt, run-N.log)")
        }
        await run.h.stop()
    }
}
