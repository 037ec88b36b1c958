import FakesWire
import Foundation
import ProviderFakes

/// One fake as this program serves it: started, seeded, edited and read
/// through the commands of `FakesWire`.
protocol ServedFake: Sendable {
    var token: String { get }
    /// Starts serving on 127.0.0.1; returns the base URL.
    func start() async throws -> String
    func stop() async
    /// The tasks this side holds at the start of `tasksync demo`; returns the
    /// ids of those the demo edits later, by name.
    func seedDemo() async -> [String: String]
    /// `count` tasks "Task 0", "Task 1", ... (the benchmark's).
    func seedNumbered(_ count: Int) async
    func apply(_ edit: FakeEdit, to id: String) async throws
    func snapshot() async -> [FakeTaskSnapshot]
    func ledgerCounts() async -> FakeLedgerCounts
    func resetLedger() async
    /// Seconds every answer waits from now on.
    func setLatency(_ seconds: Double) async
}

struct ServedFakeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One kind of fake this program can serve. Another provider's fake is one
/// more entry in ``servedKinds`` (and a ``ServedFake`` conformance).
struct ServedKind: Sendable {
    var kind: String
    /// Makes the fake on the shared clock; `settings` are its `--set KIND.NAME=VALUE` switches.
    var make: @Sendable (_ clock: FakeClock, _ settings: [String: String]) throws -> any ServedFake
}

/// Every kind, in the order they start and seed (`tasksync demo` expects HelpSpace's seeds first).
let servedKinds: [ServedKind] = [
    ServedKind(kind: "helpspace") { clock, settings in
        if let name = settings.keys.sorted().first { throw ServedFakeError("helpspace has no switch '\(name)'") }
        return FakeHelpSpace(clock: clock)
    },
    ServedKind(kind: "productive") { clock, settings in
        var options = FakeProductive.Options()
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            switch (name, value) {
            case ("include_on_writes", "honoured"): options.includeOnWrites = .honoured
            case ("include_on_writes", "ignored"): options.includeOnWrites = .ignored
            // 100 per 10 s per token and 4,000 per 30 min per organisation, answered with 429s.
            case ("enforce_rate_limits", "true"): options.enforceRateLimits = true
            case ("enforce_rate_limits", "false"): options.enforceRateLimits = false
            case ("time_scale", _):
                let k = try timeScale(value)
                options.tokenLimitSeconds /= k
                options.organizationLimitSeconds /= k
            default:
                throw ServedFakeError(
                    "productive has no switch \(name)=\(value) (include_on_writes=honoured|ignored, enforce_rate_limits=true|false, time_scale=K, latency_ms=N)"
                )
            }
        }
        return FakeProductive(clock: clock, options: options)
    },
    ServedKind(kind: "proofhub") { clock, settings in
        var options = FakeProofHub.Options()
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            switch (name, value) {
            // 25 per 10 s per API key, answered with 429s.
            case ("enforce_rate_limits", "true"): options.enforceRateLimits = true
            case ("enforce_rate_limits", "false"): options.enforceRateLimits = false
            case ("time_scale", _): options.rateLimitSeconds /= try timeScale(value)
            // What a task's `sub_tasks` holds: the count, always 0, or nothing.
            case ("sub_tasks", "count"): options.subTasksField = .count
            case ("sub_tasks", "zero"): options.subTasksField = .alwaysZero
            case ("sub_tasks", "absent"): options.subTasksField = .absent
            default:
                throw ServedFakeError(
                    "proofhub has no switch \(name)=\(value) (enforce_rate_limits=true|false, time_scale=K, sub_tasks=count|zero|absent, latency_ms=N)")
            }
        }
        return FakeProofHub(clock: clock, options: options)
    },
    ServedKind(kind: "growcrm") { clock, settings in
        if let name = settings.keys.sorted().first { throw ServedFakeError("growcrm has no switch '\(name)'") }
        return FakeGrowCRM(clock: clock)
    },
    ServedKind(kind: "activecollab") { clock, settings in
        if let name = settings.keys.sorted().first { throw ServedFakeError("activecollab has no switch '\(name)'") }
        return FakeActiveCollab(clock: clock)
    },
]

/// `time_scale=K`: the published windows run K times faster (Productive's
/// 100 per 10 s becomes 100 per 10/K s), as if the fake's clock did, so a
/// benchmark of a long first sync takes minutes. The engine's `rate_limit`
/// must be scaled the same way.
func timeScale(_ value: String) throws -> Double {
    guard let k = Double(value), k >= 1 else { throw ServedFakeError("time_scale: expected a number, 1 or more, not \(value)") }
    return k
}

extension FakeHelpSpace: ServedFake {
    func seedDemo() -> [String: String] {
        let login = seed(
            title: "Fix login redirect", description: "<p>Users land on a 404 after login.</p>", statusID: 2, tags: ["bug"], priority: "high",
            subtasks: ["Reproduce", "Write test"])
        seed(title: "Café menu: 日本語 labels 🍣", description: "Translate the menu &amp; prices", statusID: 1, tags: ["i18n"])
        addComment(login, text: "<p>Seen on Firefox too.</p>", author: "Alex Rivera")
        return ["login": String(login)]
    }

    func seedNumbered(_ count: Int) {
        for i in 0..<count {
            seed(title: "Task \(i)", description: "<p>Body of task \(i)</p>", statusID: Int64(1 + i % 3), tags: ["t\(i % 7)"])
        }
    }

    func apply(_ change: FakeEdit, to id: String) throws {
        guard let id = Int64(id), tasks[id] != nil else { throw ServedFakeError("helpspace has no task \(id)") }
        let statusID = try change.status.map { status in
            guard let value = Int64(status), statuses[value] != nil else { throw ServedFakeError("helpspace has no status \(status)") }
            return value
        }
        edit(id) { task in
            if let title = change.title { task.title = title }
            if let description = change.description { task.description = description }
            if let statusID { task.statusID = statusID }
            task.tags.append(contentsOf: change.addTags ?? [])
        }
    }

    func snapshot() -> [FakeTaskSnapshot] {
        liveTasks().map { t in
            FakeTaskSnapshot(
                id: String(t.id), title: t.title, status: String(t.statusID), tags: t.tags, subtasks: t.subtasks.map(\.title), comments: t.comments.count)
        }
    }

    func ledgerCounts() -> FakeLedgerCounts { FakeLedgerCounts(ledger) }
}

extension FakeProductive: ServedFake {
    func seedDemo() -> [String: String] {
        seed(title: "Fix login redirect", description: "<p>Users land on a 404 after login.</p>", status: "2546", tags: ["bug"])
        let invoice = seed(title: "Invoice export to CSV", status: "2545", tags: ["billing"])
        return ["invoice": String(invoice)]
    }

    func seedNumbered(_ count: Int) {
        let statuses = workflowStatuses.keys.sorted()
        for i in 0..<count {
            seed(title: "Task \(i)", description: "<p>Body of task \(i)</p>", status: statuses[i % statuses.count], tags: ["t\(i % 7)"])
        }
    }

    func apply(_ change: FakeEdit, to id: String) throws {
        guard let id = Int(id), tasks[id] != nil else { throw ServedFakeError("productive has no task \(id)") }
        if let status = change.status, workflowStatuses[status] == nil { throw ServedFakeError("productive has no workflow status \(status)") }
        edit(id) { task in
            if let title = change.title { task.title = title }
            if let description = change.description { task.description = description }
            if let status = change.status { task.workflowStatusID = status }
            task.tags.append(contentsOf: change.addTags ?? [])
        }
    }

    func snapshot() -> [FakeTaskSnapshot] {
        let live = liveTasks()
        // Children grouped once: a search per task took minutes at 100,000 tasks.
        let children = Dictionary(grouping: live.filter { $0.parentID != nil }, by: { $0.parentID! })
        let commentCounts = Dictionary(grouping: comments.values, by: \.taskID).mapValues(\.count)
        return live.filter { $0.parentID == nil }.map { t in
            FakeTaskSnapshot(
                id: String(t.id), title: t.title, status: t.workflowStatusID, tags: t.tags,
                subtasks: (children[t.id] ?? []).map(\.title), comments: commentCounts[t.id] ?? 0)
        }
    }

    func ledgerCounts() -> FakeLedgerCounts { FakeLedgerCounts(ledger) }
}

extension FakeLedgerCounts {
    init(_ ledger: RequestLedger) {
        self.init(
            total: ledger.total, writes: ledger.writes, commentRequests: ledger.lines.filter { $0.contains("/comments") }.count,
            listingRequests: ledger.lines.filter(Self.isListing).count, tooManyRequests: ledger.byStatus[429] ?? 0)
    }

    /// A ledger line `GET PATH[?QUERY]` that reads a page of a task listing:
    /// its path (or ActiveCollab's `path_info`) ends in `/tasks` or `/tasks/archive`.
    static func isListing(_ line: String) -> Bool {
        guard line.hasPrefix("GET ") else { return false }
        let target = line.dropFirst(4).split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        func listing(_ path: some StringProtocol) -> Bool {
            let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : String(path)
            return trimmed.hasSuffix("/tasks") || trimmed.hasSuffix("/tasks/archive")
        }
        if listing(target[0]) { return true }
        guard target.count == 2 else { return false }
        for pair in target[1].split(separator: "&") where pair.hasPrefix("path_info=") {
            if listing((pair.dropFirst("path_info=".count).removingPercentEncoding ?? "")) { return true }
        }
        return false
    }
}
