import Logging
import Mirror
import ProviderKit
import SyncConfig

/// How one cycle ended, as an exit status scripts can use.
public enum CycleOutcome: String, Sendable, Codable {
    /// Every provider was read, and nothing needed writing.
    case inSync = "in_sync"
    /// Every provider was read and every write landed.
    case changed
    /// Some provider or item failed; the rest synced.
    case partial
    /// The process is stopping (SIGTERM): the writes in flight finished, the
    /// rest were not sent and no cursor moved; the next cycle plans them again.
    case interrupted
    /// A link stopped itself (deletion guard).
    case stopped
}

/// What a cycle did, or in a dry run would do.
public struct CycleReport: Sendable, Codable {
    public var cycle: Int64?
    public var dryRun: Bool
    public var outcome: CycleOutcome
    public var plans: [LinkPlan]
    /// Requests each provider took to read (listings, direct reads, comments).
    public var readRequests: [String: Int]
    /// Wall-clock milliseconds per phase (load, fetch, plan, write), summed over links.
    public var phaseMilliseconds: [String: Double] = [:]
    public var errors: [String]
    /// Per provider, how many of ``errors`` are its own (a failed read or
    /// push of the whole provider, each failed item): what the metrics
    /// endpoint counts as its errors.
    public var providerErrors: [String: Int] = [:]
    /// The providers that failed as a whole this cycle (a read, or the
    /// writes), by kind: what `tasksync sync`'s exit status tells apart.
    public var providerFailures: [String: ProviderFailureKind] = [:]
    /// Per provider: the requests the cycle made to read and plans to write,
    /// and the least time its `rate_limit` lets the writes take (what
    /// `sync --dry-run` says before a long first sync).
    public var requestEstimates: [String: RequestEstimate] = [:]

    /// Tasks new to the mirror that `create_batch` left for the next cycle.
    public var waiting: Int { plans.map(\.waiting).reduce(0, +) }

    /// A first sync in batches goes on at once: this cycle copied a batch,
    /// every provider was read and written, and more new tasks wait. (Not
    /// after a failure: a parked provider would make it spin without progress.)
    public var continuesAtOnce: Bool {
        !dryRun && waiting > 0 && outcome == .changed && providerFailures.isEmpty && errors.isEmpty
    }
}

/// The requests a cycle needs of one provider, and what its budget makes of them.
public struct RequestEstimate: Sendable, Codable, Equatable {
    public var reads: Int
    public var writes: Int
    /// The provider's `rate_limit`, as the config writes it ("none" when empty).
    public var rateLimit: String
    /// The least seconds the writes can take under it.
    public var minimumSeconds: Double
}

/// How a provider failed as a whole in a cycle.
public enum ProviderFailureKind: String, Sendable, Codable, Comparable {
    /// Anything else provider-wide: 5xx, 429, a malformed answer.
    case other
    /// Network, DNS, TLS or timeout: it could not be reached.
    case unreachable
    /// 401 or 403: it refused the credentials.
    case unauthorized

    public init(_ error: ProviderError) {
        switch error {
        case .unauthorized: self = .unauthorized
        case .transport, .outcomeUnknown: self = .unreachable
        default: self = .other
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        let order: [Self] = [.other, .unreachable, .unauthorized]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// The engine: one cycle at a time, links one after another, the members of
/// a link read concurrently. All state lives in the mirror; the engine keeps
/// none between cycles, so a restart loses nothing.
public actor SyncEngine {
    let config: SyncConfiguration
    let mirror: Mirror
    let providers: [String: any TaskProvider]
    let hooks: EngineHooks
    let logger: Logger

    public init(config: SyncConfiguration, mirror: Mirror, providers: [any TaskProvider], hooks: EngineHooks = EngineHooks(), logger: Logger) {
        self.config = config
        self.mirror = mirror
        self.providers = Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) })
        self.hooks = hooks
        self.logger = logger
    }

    /// What never flows in each link because a member lacks a capability:
    /// said once when the engine starts (`run` logs it, `sync` prints it),
    /// not in every cycle's plan.
    public nonisolated func capabilityNotes() -> [(link: String, note: String)] {
        var notes: [(String, String)] = []
        for link in config.links {
            let members = link.members.compactMap { providers[$0] }
            for reader in members where reader.capabilities.commentsRead {
                for writer in members where writer.name != reader.name && !writer.capabilities.commentsWrite {
                    notes.append((link.name, "comments on \(reader.name) do not flow to \(writer.name): \(writer.name) cannot write comments"))
                }
            }
            for m in members where !m.capabilities.subtasks {
                notes.append((link.name, "subtasks do not flow to or from \(m.name): it has none"))
            }
            for m in members where m.capabilities.subtasks {
                for f in SubtaskField.allCases where !m.capabilities.subtaskWritableFields.contains(f) {
                    notes.append((link.name, "subtask \(f.rawValue) is not written to \(m.name): it cannot set it"))
                }
            }
            let held = Set(members.flatMap(\.capabilities.readableFields))
            for m in members {
                for f in Field.allCases where held.contains(f) && !m.capabilities.writableFields.contains(f) {
                    let why = m.capabilities.readableFields.contains(f) ? "\(m.name) does not let it be set" : "\(m.name) has no such field"
                    notes.append((link.name, "\(f.rawValue) is not written to \(m.name): \(why)"))
                }
            }
        }
        return notes
    }

    /// Runs one cycle over every link, or with `links` only over those named
    /// (`sync --link`, `--provider`). With `dryRun`, reads and plans only:
    /// nothing is written, remote or local (rule 7).
    ///
    /// A link whose resync was asked (`tasksync resync`), or that `resync`
    /// names, is rebuilt from its members in this cycle (see
    /// ``LinkMirrorState/forgetWhatWasRead()``); `resync` is how
    /// `resync --dry-run` shows the plan of a resync not yet asked.
    public func runCycle(dryRun: Bool = false, links only: Set<String>? = nil, resync: Set<String> = []) async throws -> CycleReport {
        let cycle: Int64? = dryRun ? nil : try mirror.write { try $0.beginCycle() }
        var report = CycleReport(cycle: cycle, dryRun: dryRun, outcome: .inSync, plans: [], readRequests: [:], errors: [])
        var logger = self.logger
        logger[metadataKey: "cycle"] = "\(cycle.map(String.init) ?? "dry-run")"
        let linkStates = try mirror.linkStates()
        let paused = linkStates.filter { $0.pausedAt != nil }
        for link in config.links where only?.contains(link.name) ?? true {
            if hooks.isStopping?() == true {
                report.outcome = .interrupted
                break
            }
            if let p = paused.first(where: { $0.link == link.name }) {  // `tasksync pause`: skipped until `tasksync resume`
                let why = "paused since \(p.pausedAt ?? "?"), reason \(p.pausedReason ?? "none given")"
                report.plans.append(LinkPlan(link: link.name, items: [], notes: [], failures: [:], stopped: nil, paused: why))
                continue
            }
            var linkLogger = logger
            linkLogger[metadataKey: "link"] = "\(link.name)"
            let asked = linkStates.first { $0.link == link.name }?.resyncRequestedAt
            let rebuild = asked != nil || resync.contains(link.name) ? Resync(requestedAt: asked) : nil
            let (plan, outcome, errors, requests) = try await runLink(
                link, cycle: cycle, dryRun: dryRun, resync: rebuild, logger: linkLogger, phases: &report.phaseMilliseconds,
                failures: &report.providerFailures, estimates: &report.requestEstimates, providerErrors: &report.providerErrors)
            report.plans.append(plan)
            report.errors += errors
            report.readRequests.merge(requests) { $0 + $1 }
            report.outcome = Self.worse(report.outcome, outcome)
            ProcessMemory.releaseFreeMemory()  // what the link's cycle held (listings, plan) goes back to the system
        }
        if let cycle {
            try mirror.write { try $0.finishCycle(cycle, outcome: report.outcome.rawValue, journalRetentionDays: config.sync.journalRetentionDays) }
        }
        logger.info("cycle finished: \(report.outcome.rawValue)", metadata: ["writes": "\(report.plans.map(\.writeCount).reduce(0, +))"])
        return report
    }

    static func worse(_ a: CycleOutcome, _ b: CycleOutcome) -> CycleOutcome {
        let order: [CycleOutcome] = [.inSync, .changed, .partial, .interrupted, .stopped]
        return order[max(order.firstIndex(of: a)!, order.firstIndex(of: b)!)]
    }

    func runLink(
        _ link: LinkConfig, cycle: Int64?, dryRun: Bool, resync: Resync? = nil, logger: Logger, phases: inout [String: Double],
        failures: inout [String: ProviderFailureKind], estimates: inout [String: RequestEstimate], providerErrors: inout [String: Int]
    ) async throws
        -> (LinkPlan, CycleOutcome, [String], [String: Int])
    {
        let clock = ContinuousClock()
        var lapStart = clock.now
        func lap(_ phase: String, _ p: inout [String: Double]) {
            let elapsed = lapStart.duration(to: clock.now)
            p[phase, default: 0] += Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            lapStart = clock.now
        }
        let members = link.members.compactMap { providers[$0] }
        // Restores asked by `tasksync conflicts restore`: done in the mirror before the
        // link's state is loaded (a dry run only shows them, on the state in memory).
        let restores = dryRun || cycle == nil ? try previewRestores(link.name) : try applyRestores(link.name, cycle: cycle!)
        var state = try mirror.loadLink(link.name, providers: link.members, texts: false)
        if resync != nil { state.forgetWhatWasRead() }
        restores.apply(to: &state)
        lap("load", &phases)
        let now = Timestamp.now
        let fetcher = Fetcher(
            link: link, settings: config.sync, concurrency: Dictionary(uniqueKeysWithValues: config.providers.map { ($0.name, $0.concurrency) }))
        let loaded = state
        let hooks = self.hooks
        var snapshots = await withTaskGroup(of: (Int, MemberSnapshot).self) { group in
            for (i, p) in members.enumerated() {
                let flowsOut = members.contains { $0.name != p.name && $0.capabilities.commentsWrite }
                let subtasksFlowOut = members.contains { $0.name != p.name && $0.capabilities.subtasks }
                group.addTask {
                    let snapshot = await fetcher.fetch(p, state: loaded, now: now, commentsFlowOut: flowsOut, subtasksFlowOut: subtasksFlowOut)
                    hooks.progress?()
                    return (i, snapshot)
                }
            }
            var out: [(Int, MemberSnapshot)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
        if hooks.isStopping?() != true {
            await fetcher.readCommentCopies(members, snapshots: &snapshots, state: loaded)
        }
        lap("fetch", &phases)
        if hooks.isStopping?() == true {  // stopping (rule 16): what was read is dropped; nothing written, no cursor moved
            let plan = LinkPlan(link: link.name, items: [], notes: ["interrupted: tasksync is stopping"], failures: [:], stopped: nil)
            return (plan, .interrupted, [], Dictionary(uniqueKeysWithValues: snapshots.map { ($0.name, $0.requests) }))
        }
        var errors: [String] = []
        for s in snapshots {
            if let f = s.failure {
                failures[s.name] = max(failures[s.name] ?? .other, ProviderFailureKind(f))
                errors.append("\(s.name): \(f)")
                providerErrors[s.name, default: 0] += 1
                logger.error("reading \(s.name) failed: \(f)", metadata: ["provider": "\(s.name)"])
            }
        }
        // Texts (canonical values, shadows) only for what something may have touched.
        let quiet = Planner(link: link, members: snapshots, state: state).quietTasks()
        var touched = Set(state.entities.values.lazy.filter { !quiet.contains($0.parentID ?? $0.id) }.map(\.id))
        touched.subtract(quiet)
        try mirror.loadTexts(into: &state, entities: touched)
        restores.apply(to: &state)
        let planned = state
        var planner = Planner(link: link, members: snapshots, state: planned)
        var decided = planner.decide(quiet: quiet)
        decided.plan.notes += restores.notes + (resync.map { [$0.note] } ?? [])
        let decisions = decided
        lap("plan", &phases)
        defer { lap("write", &phases) }
        let requests = Dictionary(uniqueKeysWithValues: snapshots.map { ($0.name, $0.requests) })
        for s in snapshots {
            let writes = decisions.operations.filter { $0.provider == s.name }.count
            let windows = config.provider(named: s.name)?.rateLimit ?? []
            // What `create_batch` left for the next cycles: one create here for each task waiting on another member.
            let waiting = decisions.waitingByMember.filter { $0.key != s.name }.values.reduce(0, +)
            estimates[s.name] = RequestEstimate(
                reads: s.requests, writes: writes + waiting, rateLimit: windows.isEmpty ? "none" : windows.map(\.description).joined(separator: ", "),
                minimumSeconds: RateLimitWindow.minimumSeconds(for: writes + waiting, under: windows))
        }
        guard let cycle, !dryRun else {
            return (decisions.plan, outcome(decisions.plan, errors: errors), errors, requests)
        }
        if let reason = decisions.plan.stopped {
            logger.error("link stopped: \(reason)")
            try mirror.write { w in
                try w.journal(cycle: cycle, link: link.name, provider: nil, entity: nil, kind: "stopped", detail: reason)
                try Self.putLinkState(link.name, cycle: cycle, outcome: "stopped", stoppedReason: reason, errors: [reason], now: now, w: w)
                try self.recordProviderStates(snapshots, link: link, cycle: cycle, now: now, pushFailures: [:], moveCursor: false, w: w)
            }
            return (decisions.plan, .stopped, errors, requests)
        }
        let executor = Executor(
            link: link, mirror: mirror, providers: providers, hooks: hooks, logger: logger,
            concurrency: Dictionary(uniqueKeysWithValues: config.providers.map { ($0.name, $0.concurrency) }))
        let (ids, outbox) = try executor.record(decisions, cycle: cycle)
        let byProvider = Dictionary(grouping: decisions.operations.indices, by: { decisions.operations[$0].provider })
        let results = try await withThrowingTaskGroup(of: (String, PushResult).self) { group in
            for (name, ops) in byProvider {
                group.addTask {
                    var pLogger = logger
                    pLogger[metadataKey: "provider"] = "\(name)"
                    return (
                        name,
                        try await executor.push(
                            provider: name, ops: ops, outbox: outbox, ids: ids, state: planned,
                            decisions: decisions, cycle: cycle)
                    )
                }
            }
            var out: [String: PushResult] = [:]
            for try await (name, r) in group { out[name] = r }
            return out
        }
        for (name, r) in results.sorted(by: { $0.key < $1.key }) {
            errors += r.failed.map { "\(name): \($0)" }
            providerErrors[name, default: 0] += r.failed.count
            if let f = r.providerFailure { failures[name] = max(failures[name] ?? .other, ProviderFailureKind(f)) }
        }
        let interrupted = results.values.contains { $0.notSent > 0 }  // stopping: no cursor moves past writes not sent
        try mirror.write { w in
            try self.recordProviderStates(
                snapshots, link: link, cycle: cycle, now: now, pushFailures: results.compactMapValues(\.providerFailure), moveCursor: !interrupted,
                rebuilt: resync != nil, w: w)
            let linkOutcome = interrupted ? "interrupted" : errors.isEmpty ? "ok" : "partial"
            try Self.putLinkState(link.name, cycle: cycle, outcome: linkOutcome, stoppedReason: nil, errors: errors, now: now, w: w)
            for e in errors { try w.journal(cycle: cycle, link: link.name, provider: nil, entity: nil, kind: "error", detail: e) }
            if let resync {
                try resync.finish(link: link.name, cycle: cycle, plan: decisions.plan, snapshots: snapshots, interrupted: interrupted, w: w)
            }
        }
        return (decisions.plan, interrupted ? .interrupted : outcome(decisions.plan, errors: errors), errors, requests)
    }

    func outcome(_ plan: LinkPlan, errors: [String]) -> CycleOutcome {
        if plan.stopped != nil { return .stopped }
        if !errors.isEmpty { return .partial }
        return plan.writeCount == 0 ? .inSync : .changed
    }

    /// A link's outcome: `ok` is its last success and clears its error;
    /// `partial` and `stopped` set its error (the first, and how many more);
    /// `interrupted` leaves both as they were.
    nonisolated static func putLinkState(
        _ link: String, cycle: Int64, outcome: String, stoppedReason: String?, errors: [String], now: Timestamp, w: MirrorWriter
    ) throws {
        var s = try w.linkState(link) ?? LinkStateRecord(link: link, lastCycleID: nil, lastOutcome: nil, stoppedReason: nil)
        s.lastCycleID = cycle
        s.lastOutcome = outcome
        s.stoppedReason = stoppedReason
        if outcome == "ok" {
            s.lastSuccessAt = now.description
            s.lastError = nil
            s.lastErrorAt = nil
        } else if outcome != "interrupted", let first = errors.first {
            s.lastError = errors.count > 1 ? "\(first) (and \(errors.count - 1) more: tasksync journal)" : first
            s.lastErrorAt = now.description
        }
        try w.putLinkState(s)
    }

    /// Cursors move only here, after the batch they cover is committed (rule 12).
    /// `rebuilt`: a resync's full listing, after which the cursor is the
    /// newest time it showed, even if the one stored was later (a provider
    /// clock that ran ahead once must not hide later changes for good).
    nonisolated func recordProviderStates(
        _ snapshots: [MemberSnapshot], link: LinkConfig, cycle: Int64, now: Timestamp, pushFailures: [String: ProviderError],
        moveCursor: Bool, rebuilt: Bool = false, w: MirrorWriter
    ) throws {
        for s in snapshots {
            var ps = try w.providerState(s.name) ?? ProviderStateRecord(provider: s.name)
            ps.lastCycleID = cycle
            if let failure = s.failure ?? pushFailures[s.name] {
                ps.lastError = "\(failure)"
                ps.lastErrorAt = now.description
                if case .rateLimited(let retry, _) = failure {
                    ps.backoffUntil = now.adding(seconds: retry ?? 60).description
                }
            } else {
                ps.lastSuccessAt = now.description
                ps.lastError = s.problems.isEmpty ? nil : s.problems.joined(separator: "; ")
                ps.lastErrorAt = s.problems.isEmpty ? nil : now.description
                ps.backoffUntil = nil
                ps.taskCount = s.complete ? s.listedCount : ps.taskCount
                if s.complete { ps.lastFullListingAt = now.description }
                // Not past tasks create_batch left waiting: the next changed-since listing must still show them.
                if moveCursor, s.capabilities.incrementalListing, s.problems.isEmpty, s.waiting.isEmpty, let newest = s.newestUpdate {
                    let old = rebuilt ? nil : ps.cursor.flatMap(Timestamp.init(parsing:))
                    ps.cursor = max(old ?? newest, newest).description
                }
            }
            try w.putProviderState(ps)
        }
    }
}
