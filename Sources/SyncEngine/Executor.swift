import Logging
import Mirror
import ProviderKit
import SyncConfig

/// Test seams: a hook runs after each remote write succeeded and before its
/// result is stored, so a test can stand in for a crash at the worst moment.
///
/// `progress` runs whenever a cycle gets something done (a provider read, a
/// write sent): the daemon pings systemd's watchdog from it, so a cycle that
/// hangs stops the pings and gets the service restarted.
///
/// `isStopping` turns true on SIGTERM (rule 16): no write is sent after it
/// (the one in flight finishes), and a cycle that sees it after the fetch
/// ends without writing; either way the cycle's outcome is `interrupted`.
public struct EngineHooks: Sendable {
    public var afterRemoteWrite: (@Sendable (_ provider: String, _ operation: String) throws -> Void)?
    public var progress: (@Sendable () -> Void)?
    public var isStopping: (@Sendable () -> Bool)?
    /// After each write a provider's push has settled (landed or failed):
    /// how many of its `total` writes this cycle are settled.
    public var writes: (@Sendable (_ provider: String, _ settled: Int, _ total: Int) -> Void)?
    public init(
        afterRemoteWrite: (@Sendable (String, String) throws -> Void)? = nil, progress: (@Sendable () -> Void)? = nil,
        isStopping: (@Sendable () -> Bool)? = nil, writes: (@Sendable (String, Int, Int) -> Void)? = nil
    ) {
        self.afterRemoteWrite = afterRemoteWrite
        self.progress = progress
        self.isStopping = isStopping
        self.writes = writes
    }
}

/// What a create records in its outbox row: the fields it sends, and the
/// newest timestamp the member showed before it, so that a copy whose answer
/// was lost is re-found by more than its title (rule 4).
struct CreatePayload: Codable, Sendable {
    var fields: TaskFields
    var after: Timestamp?

    /// Reads a row's payload; rows written before `after` existed hold the fields alone.
    static func decode(_ text: String) -> CreatePayload? {
        if let p = Codec.decode(CreatePayload.self, text) { return p }
        return Codec.decode(TaskFields.self, text).map { CreatePayload(fields: $0, after: nil) }
    }
}

/// What the push half of a cycle did, per provider.
struct PushResult: Sendable {
    var done = 0
    var failed: [String] = []
    var providerFailure: ProviderError?
    /// Writes not sent because the process is stopping; planned again next cycle.
    var notSent = 0
}

/// The write half of a cycle: records the decisions and the outbox in one
/// transaction, then sends each write and stores what the server answered
/// as the new shadow, one small transaction per answer.
struct Executor {
    let link: LinkConfig
    let mirror: Mirror
    let providers: [String: any TaskProvider]
    let hooks: EngineHooks
    let logger: Logger
    /// Writes in flight at once, per provider (`concurrency`); 1 when not named.
    var concurrency: [String: Int] = [:]

    /// Returns the mirror ids of the entities the cycle added.
    func record(_ d: CycleDecisions, cycle: Int64) throws -> (ids: [EntityKey: Int64], outbox: [Int64]) {
        try mirror.write { w in
            var ids: [EntityKey: Int64] = [:]
            func id(_ key: EntityKey) -> Int64? {
                if case .existing(let n) = key { return n }
                return ids[key]
            }
            for e in d.newEntities {
                ids[e.key] = try w.insertEntity(link: link.name, kind: e.kind, parentID: e.parent.flatMap(id), canonical: e.canonical, cycle: cycle)
            }
            for (key, canonical) in d.canonicalUpdates { if let n = id(key) { try w.updateEntity(n, canonical: canonical, cycle: cycle) } }
            for (key, state) in d.stateChanges { if let n = id(key) { try w.setEntityState(n, state, cycle: cycle) } }
            for m in d.mappings {
                guard let n = id(m.entity) else { continue }
                try w.putMapping(
                    MappingRecord(
                        entityID: n, provider: m.provider, remoteID: m.remoteID, parentRemoteID: m.parentRemoteID,
                        shadow: m.shadow, remoteUpdatedAt: m.updatedAt, shadowDigest: m.shadowDigest, synced: m.synced))
            }
            for o in d.observations {
                try w.journal(
                    cycle: cycle, link: link.name, provider: o.provider, entity: id(o.entity), kind: o.kind, field: o.field,
                    old: o.old, new: o.new, detail: o.detail)
                logger.info(
                    "\(o.kind) \(o.field ?? ""): \(o.detail ?? "\(o.old ?? "") -> \(o.new ?? "")")",
                    metadata: ["provider": "\(o.provider ?? "-")", "entity": "\(id(o.entity).map(String.init) ?? "-")"])
            }
            for item in d.plan.items where item.action == .pair || item.action == .adopt {
                try w.journal(
                    cycle: cycle, link: link.name, provider: item.provider, entity: nil, kind: item.action.rawValue,
                    detail: "\(item.entity) \(item.provider) #\(item.remoteID ?? "?") \"\(item.title)\": \(item.reason ?? "")")
            }
            for c in d.conflicts {
                guard let n = id(c.entity) else { continue }
                try w.conflict(
                    cycle: cycle, link: link.name, entity: n, field: c.field, winner: c.winner, winnerValue: c.winnerValue,
                    loser: c.loser, loserValue: c.loserValue, winnerJSON: Codec.encode(c.winnerRaw), loserJSON: Codec.encode(c.loserRaw))
                try w.journal(
                    cycle: cycle, link: link.name, provider: c.loser, entity: n, kind: "conflict", field: c.field,
                    old: c.loserValue, new: c.winnerValue, detail: "\(c.winner) won (newer updated_at)")
                logger.warning(
                    "conflict on \(c.field): \(c.winner) won with \(c.winnerValue), \(c.loser) lost \(c.loserValue)",
                    metadata: ["provider": "\(c.loser)", "entity": "\(n)"])
            }
            for (rowID, state, remote) in d.settledOutbox { try w.finishOutbox(rowID, state: state, remoteID: remote) }
            var outbox: [Int64] = []
            for op in d.operations {
                outbox.append(
                    try w.enqueue(
                        cycle: cycle, link: link.name, provider: op.provider, entity: id(op.entity) ?? 0,
                        operation: op.name, payload: Self.payload(op)))
            }
            return (ids, outbox)
        }
    }

    static func payload(_ op: Operation) -> String {
        switch op {
        case .createTask(_, _, let f, let after): Codec.encode(CreatePayload(fields: f, after: after))
        case .updateTask(_, _, let r, let u):
            Codec.encode(["remote_id": r, "fields": u.fields.sorted().map(\.rawValue).joined(separator: ","), "values": Codec.encode(u.values)])
        case .deleteTask(_, _, let r), .archiveTask(_, _, let r): Codec.encode(["remote_id": r])
        case .createSubtask(_, _, _, let f): Codec.encode(f)
        case .updateSubtask(_, _, _, let r, let f): Codec.encode(["remote_id": r, "values": Codec.encode(f)])
        case .createComment(_, _, _, let f): Codec.encode(f)
        }
    }

    /// Sends one provider's writes in plan order. A provider-wide failure
    /// (network, 401, 429, 5xx) stops its remaining writes; they are planned
    /// again next cycle. An item's own failure fails that item alone.
    func push(
        provider name: String, ops indices: [Int], outbox: [Int64], ids: [EntityKey: Int64], state: LinkMirrorState,
        decisions: CycleDecisions, cycle: Int64
    ) async throws -> PushResult {
        guard let provider = providers[name] else { return PushResult() }
        var result = PushResult()
        // Remote ids on this provider, known and learned as creates succeed.
        var remote: [Int64: String] = [:]
        for (entity, maps) in state.mappingsByEntity { if let m = maps[name] { remote[entity] = m.remoteID } }
        func entityID(_ key: EntityKey) -> Int64? {
            if case .existing(let n) = key { return n }
            return ids[key]
        }
        for m in decisions.mappings where m.provider == name { if let n = entityID(m.entity) { remote[n] = m.remoteID } }
        // A copy that took a write holds the canonical value: its digest marks the mapping in sync.
        var digests: [EntityKey: Int64] = [:]
        for e in decisions.newEntities { digests[e.key] = Codec.digest(e.canonical) }
        for (key, canonical) in decisions.canonicalUpdates { digests[key] = Codec.digest(canonical) }
        func synced(_ key: EntityKey) -> Int64? {
            if let d = digests[key] { return d }
            if case .existing(let n) = key, let e = state.entities[n] { return e.canonicalDigest }
            return nil
        }
        // The fields a create's answer is checked against (those the link shares), once per push.
        let createChecked = sharedFields.intersection(provider.capabilities.writableFields)
        // Writes go `concurrency` at a time. Tasks first, then their subtasks and
        // comments, whose parents' copies the first wave may have just created.
        let width = max(1, concurrency[name] ?? 1)
        // The operations (of `decisions`) and their outbox rows, by index: a first sync's are many, and not copied.
        let operations = decisions.operations
        let ordered = indices.filter { operations[$0].isTaskLevel } + indices.filter { !operations[$0].isTaskLevel }
        var next = 0  // ordered[next...] are still to send
        var rest: LazyMapSequence<ArraySlice<Int>, (Operation, Int64)> { ordered[next...].lazy.map { (operations[$0], outbox[$0]) } }
        while next < ordered.count {
            let wave = operations[ordered[next]].isTaskLevel
            let chunk = Array(rest.prefix { $0.0.isTaskLevel == wave }.prefix(width))
            if hooks.isStopping?() == true {
                // Stopping: nothing more is sent. These rows were never sent, so they are not unknown outcomes.
                try mirror.write { w in
                    for (_, later) in rest { try w.finishOutbox(later, state: "abandoned", error: "not sent: tasksync was stopping") }
                }
                result.notSent = ordered.count - next
                break
            }
            next += chunk.count
            // Each row is marked sent in a transaction before its send: a row a crash
            // left pending without the mark was never sent, so it is not re-found (rule 4).
            try mirror.write { w in for (_, id) in chunk { try w.markSent(id) } }
            let known = remote
            let inputs = chunk.map { (op: $0.0, entity: entityID($0.0.entity), synced: synced($0.0.entity)) }
            let outcomes = try await withThrowingTaskGroup(of: (Int, WriteOutcome).self) { group in
                for (i, input) in inputs.enumerated() {
                    group.addTask {
                        guard let entity = input.entity else { return (i, .skipped) }
                        do {
                            return (
                                i,
                                try await self.send(
                                    input.op, entity: entity, provider: provider, remote: known, ids: ids, createChecked: createChecked,
                                    synced: input.synced)
                            )
                        } catch let error as ProviderError {
                            return (i, .failed(error))
                        }
                    }
                }
                var out: [WriteOutcome] = Array(repeating: .skipped, count: chunk.count)
                for try await (i, outcome) in group { out[i] = outcome }
                return out
            }
            for ((op, outboxID), outcome) in zip(chunk, outcomes) {
                guard let entity = entityID(op.entity) else { continue }
                switch outcome {
                case .skipped: continue
                case .done(let mapping, let notKept):
                    if let mapping { remote[entity] = mapping.remoteID }
                    try mirror.write { w in
                        if let mapping { try w.putMapping(mapping) }
                        try w.finishOutbox(outboxID, state: "done", remoteID: mapping?.remoteID)
                        try w.journal(
                            cycle: cycle, link: link.name, provider: name, entity: entity, kind: "push", field: nil,
                            old: nil, new: mapping?.remoteID, detail: op.name)
                        try noteNotKept(notKept, entity: entity, provider: name, cycle: cycle, w: w)
                    }
                    result.done += 1
                    hooks.progress?()
                    logger.info("\(op.name) done", metadata: ["provider": "\(name)", "entity": "\(entity)", "remote_id": "\(mapping?.remoteID ?? "-")"])
                case .failed(let error):
                    // A create that may have reached the server (no answer, or a 5xx) has an
                    // unknown outcome: its row stays pending and the next cycle re-finds the
                    // copy or creates it again (rule 4); it is never re-sent blindly. So does
                    // an update that may have been applied: the next cycle tells by whether
                    // its copy shows what was sent (``Planner/shadowAfterLostUpdates``).
                    let unknown = op.isCreate ? Self.outcomeUnknown(error) : op.isUpdate && Self.updateOutcomeUnknown(error)
                    result.failed.append("\(op.name) #\(entity): \(error)" + (unknown ? " (outcome unknown: checked next cycle)" : ""))
                    logger.warning("\(op.name) failed: \(error)", metadata: ["provider": "\(name)", "entity": "\(entity)"])
                    try mirror.write { w in
                        if unknown {
                            try w.noteOutboxError(outboxID, error: "outcome unknown: \(error)")
                        } else {
                            try w.finishOutbox(outboxID, state: "failed", error: "\(error)")
                        }
                        try w.journal(cycle: cycle, link: link.name, provider: name, entity: entity, kind: "error", detail: "\(op.name): \(error)")
                    }
                    if error.isProviderWide, result.providerFailure == nil { result.providerFailure = error }
                }
            }
            hooks.writes?(name, next, ordered.count)
            if let failure = result.providerFailure {
                try mirror.write { w in
                    for (_, later) in rest { try w.finishOutbox(later, state: "abandoned", error: "\(name) failed: \(failure)") }
                }
                break
            }
        }
        return result
    }

    /// What one write came to: sent and answered, failed, or not sent
    /// (its entity was never recorded).
    enum WriteOutcome: Sendable {
        case skipped
        case done(MappingRecord?, StuckWrites)
        case failed(ProviderError)
    }

    /// Sends one write and reads what it answered into the mapping it leaves.
    /// `remote`: this provider's copies, by entity, as known when the chunk began.
    func send(
        _ op: Operation, entity: Int64, provider: any TaskProvider, remote: [Int64: String], ids: [EntityKey: Int64], createChecked: Set<Field>,
        synced: Int64?
    ) async throws -> WriteOutcome {
        let name = provider.name
        func entityID(_ key: EntityKey) -> Int64? {
            if case .existing(let n) = key { return n }
            return ids[key]
        }
        /// The remote id of the parent task's copy here, which a subtask or comment goes under.
        func copy(of parent: EntityKey) throws -> String {
            guard let id = entityID(parent).flatMap({ remote[$0] }) else {
                throw ProviderError.rejected(status: 0, message: "its task has no copy on \(name) yet")
            }
            return id
        }
        switch op {
        case .createTask(_, _, let fields, _):
            let answer = try await Self.capable(provider, (any TaskWriting).self, "write tasks").createTask(fields)
            try hooks.afterRemoteWrite?(name, op.name)
            let task = await completeRead(answer, provider: provider, sent: fields)
            let stuck = stuckWrites(sent: fields, fields: createChecked, answer: task, provider: name)
            return .done(taskMapping(entity, name, task, synced: synced, stuck: stuck), stuck)
        case .updateTask(_, _, let remoteID, let update):
            let answer = try await Self.capable(provider, (any TaskWriting).self, "write tasks").updateTask(RemoteRef(key: remoteID), update)
            try hooks.afterRemoteWrite?(name, op.name)
            let task = await completeRead(answer, provider: provider, sent: update.values)
            let stuck = stuckWrites(sent: update.values, fields: update.fields, answer: task, provider: name)
            return .done(taskMapping(entity, name, task, synced: synced, stuck: stuck), stuck)
        case .deleteTask(_, _, let remoteID):
            try await Self.capable(provider, (any TaskDeleting).self, "delete tasks").deleteTask(RemoteRef(key: remoteID))
            try hooks.afterRemoteWrite?(name, op.name)
            return .done(nil, StuckWrites(nil))
        case .archiveTask(_, _, let remoteID):
            try await Self.capable(provider, (any TaskArchiving).self, "archive tasks").archiveTask(RemoteRef(key: remoteID))
            try hooks.afterRemoteWrite?(name, op.name)
            return .done(nil, StuckWrites(nil))
        case .createSubtask(_, let parent, _, let fields):
            let parentID = try copy(of: parent)
            let sub = try await Self.capable(provider, (any SubtaskSyncing).self, "hold subtasks").createSubtask(
                parent: RemoteRef(key: parentID), fields)
            try hooks.afterRemoteWrite?(name, op.name)
            return .done(subtaskMapping(entity, name, sub, parentID: parentID, synced: synced), StuckWrites(nil))
        case .updateSubtask(_, _, let parentID, let remoteID, let fields):
            let sub = try await Self.capable(provider, (any SubtaskSyncing).self, "hold subtasks").updateSubtask(
                parent: RemoteRef(key: parentID), RemoteRef(key: remoteID), fields)
            try hooks.afterRemoteWrite?(name, op.name)
            return .done(subtaskMapping(entity, name, sub, parentID: parentID, synced: synced), StuckWrites(nil))
        case .createComment(_, let task, _, let fields):
            let taskID = try copy(of: task)
            let comment = try await Self.capable(provider, (any CommentWriting).self, "write comments").createComment(
                task: RemoteRef(key: taskID), fields)
            try hooks.afterRemoteWrite?(name, op.name)
            let mapping = MappingRecord(
                entityID: entity, provider: name, remoteID: comment.id, parentRemoteID: taskID,
                shadow: Codec.encode(comment.fields), remoteUpdatedAt: comment.createdAt?.millisecondsSince1970)
            return .done(mapping, StuckWrites(nil))
        }
    }

    func subtaskMapping(_ entity: Int64, _ provider: String, _ sub: RemoteSubtask, parentID: String, synced: Int64?) -> MappingRecord {
        MappingRecord(
            entityID: entity, provider: provider, remoteID: sub.id, parentRemoteID: parentID,
            shadow: Codec.encode(sub.fields), remoteUpdatedAt: sub.updatedAt?.millisecondsSince1970,
            shadowDigest: sub.fields.fingerprint, synced: synced)
    }

    func taskMapping(_ entity: Int64, _ provider: String, _ task: RemoteTask, synced: Int64?, stuck: StuckWrites) -> MappingRecord {
        var fields = task.fields
        fields.status = link.canonicalStatus(provider: provider, remote: fields.status)
        return MappingRecord(
            entityID: entity, provider: provider, remoteID: task.id, parentRemoteID: nil,
            shadow: Codec.encode(fields), remoteUpdatedAt: task.updatedAt?.millisecondsSince1970,
            shadowDigest: fields.fingerprint, synced: synced, stuck: stuck.text)
    }

    /// Fields two or more members of the link can hold (see ``Planner/sharedFields``).
    var sharedFields: Set<Field> { Capabilities.sharedFields(link.members.compactMap { providers[$0]?.capabilities }) }

    /// A shadow is built only from a complete read (rule 13): an answer that
    /// left out a field the member can read (a relationship not included,
    /// say) is read back; if the read-back is still short, the fields it
    /// lacks take the values just sent, and the next listing confirms them.
    func completeRead(_ answer: RemoteTask, provider: any TaskProvider, sent: TaskFields) async -> RemoteTask {
        let readable = provider.capabilities.readableFields
        guard !answer.unknownFields.intersection(readable).isEmpty else { return answer }
        var task = answer
        // A read-back that fails (or is refused because tasksync is stopping) leaves the
        // answer as the best knowledge: the write itself happened, and its mapping must be kept.
        if case .present(let read)? = try? await provider.readTask(RemoteRef(key: answer.id)), read.unknownFields.intersection(readable).isEmpty {
            task = read
        }
        for f in task.unknownFields { task.fields.copy(f, from: sent) }
        task.unknownFields = []
        return task
    }

    /// The written fields whose value the answer does not show: the provider
    /// ignored them or put its own value in their place. Values are kept in
    /// canonical form, as the planner compares them.
    func stuckWrites(sent: TaskFields, fields: Set<Field>, answer: RemoteTask, provider: String) -> StuckWrites {
        var stuck = StuckWrites(nil)
        for f in fields.sorted() where !answer.fields.same(f, as: sent) {
            var wanted = sent
            if f == .status { wanted.status = link.canonicalStatus(provider: provider, remote: sent.status) }
            stuck.add(f, wanted.value(of: f))
        }
        return stuck
    }

    /// Says once, in the journal and the log, that a write did not stick.
    func noteNotKept(_ stuck: StuckWrites, entity: Int64, provider: String, cycle: Int64, w: MirrorWriter) throws {
        for (field, value) in stuck.values.sorted(by: { $0.key < $1.key }) {
            try w.journal(
                cycle: cycle, link: link.name, provider: provider, entity: entity, kind: "not-kept", field: field, old: nil,
                new: value.description, detail: "\(provider) did not keep the value written; not sent again until it changes")
            logger.warning("\(field) = \(value) was written but not kept", metadata: ["provider": "\(provider)", "entity": "\(entity)"])
        }
    }

    /// The provider as the capability a write needs. The planner plans only
    /// what a member's capabilities allow, so a miss is a planner bug, and it
    /// fails that item alone.
    static func capable<P>(_ provider: any TaskProvider, _ capability: P.Type, _ what: String) throws -> P {
        guard let p = provider as? P else { throw ProviderError.unsupported("\(provider.name) cannot \(what)") }
        return p
    }

    /// Errors after which a write may or may not have been carried out.
    /// A transport error before anything was sent (no connection) is not
    /// one; a request that may have been sent, a 5xx, or a 2xx whose body
    /// did not parse are.
    static func outcomeUnknown(_ error: ProviderError) -> Bool {
        switch error {
        case .outcomeUnknown, .server, .malformed: true
        default: false
        }
    }

    /// The same for an update: a PATCH the transport may send twice fails
    /// as a plain network error, which may also have come after the server
    /// applied it (a connection dropped before the answer).
    static func updateOutcomeUnknown(_ error: ProviderError) -> Bool {
        if case .transport = error { return true }
        return outcomeUnknown(error)
    }
}
