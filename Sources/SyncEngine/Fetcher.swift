import Mirror
import ProviderKit
import SyncConfig

/// The read half of a cycle: lists one member, confirms absences by direct
/// reads (rule 5), and reads the comments that may need to flow.
struct Fetcher {
    let link: LinkConfig
    let settings: SyncSettings
    /// Requests in flight at once, per provider (`concurrency`).
    var concurrency: [String: Int] = [:]

    func fetch(
        _ provider: any TaskProvider, state: LinkMirrorState, now: Timestamp, commentsFlowOut: Bool, subtasksFlowOut: Bool
    ) async -> MemberSnapshot {
        var snap = MemberSnapshot(name: provider.name, capabilities: provider.capabilities)
        let ps = state.providerStates[provider.name] ?? ProviderStateRecord(provider: provider.name)
        if let until = ps.backoffUntil.flatMap(Timestamp.init(parsing:)), until > now {
            snap.failure = .rateLimited(retryAfter: until.secondsSince1970 - now.secondsSince1970, message: "waiting until \(until) before the next request")
            return snap
        }
        let hasPendingCreates = state.pendingOutbox.contains { $0.provider == provider.name && $0.operation.hasPrefix("create") }
        var since: Timestamp?
        if provider.capabilities.incrementalListing, !hasPendingCreates, let cursor = ps.cursor.flatMap(Timestamp.init(parsing:)),
            let lastFull = ps.lastFullListingAt.flatMap(Timestamp.init(parsing:)),
            now.secondsSince1970 - lastFull.secondsSince1970 < settings.pollInterval * Double(settings.fullListingEvery) - 1
        {
            since = cursor.adding(seconds: -settings.cursorOverlap)
        }
        let toCanonical = link.statusTranslator(provider: provider.name)
        let readable = provider.capabilities.readableFields
        do {
            try await provider.prepare()
            // The one test of "holds what the mirror last agreed" (``MemberSnapshot/unchanged``):
            // an adapter that sifts applies it to each page as it reads it, so a
            // full listing is never all in memory; the pages are sifted here
            // again, which drops what an adapter that does not sift left in.
            let name = provider.name
            let sieve = ListingSieve { task in
                guard task.unknownFields.isDisjoint(with: readable) else { return nil }
                var canonical = task
                canonical.fields.status = toCanonical(task.fields.status)
                return Self.unchangedEntity(canonical, on: name, state: state)
            }
            var listing = try await provider.listTasks(changedSince: since, sieve: sieve)
            snap.requests += listing.requestCount
            snap.complete = listing.isComplete
            snap.problems = listing.problems
            // Page by page, each freed once read: only the tasks that changed are kept.
            for page in listing.pages.indices {
                defer { listing.pages[page] = [] }
                for var task in sieve.sift(listing.pages[page]) {
                    let unknown = task.unknownFields.intersection(readable)
                    guard unknown.isEmpty else {
                        // Not a complete read: no diff and no shadow from it (rule 13).
                        snap.problems.append("task \(task.id): the answer did not include \(unknown.map(\.rawValue).sorted().joined(separator: ", "))")
                        snap.complete = false
                        continue
                    }
                    task.fields.status = toCanonical(task.fields.status)
                    for sub in task.subtasks ?? [] { snap.add(sub) }
                    task.subtasks = nil
                    snap.add(task)
                }
            }
            snap.unchanged = sieve.droppedKeys
            snap.add(contentsOf: sieve.subtasksOfDropped)
            snap.newestUpdate = [listing.newestUpdate, sieve.newestDropped].compactMap { $0 }.max()
            for sub in listing.subtasks { snap.add(sub) }
        } catch {
            snap.failure = error as? ProviderError ?? .malformed("\(error)")
            return snap
        }
        if snap.complete {
            // A mapped task missing from a full listing is gone only if a direct read says so.
            let mapped = state.remoteIndex[provider.name] ?? [:]
            let missing = mapped.filter { !snap.listed($0.key, entity: $0.value) }.sorted { $0.key < $1.key }
            let toRead = missing.filter { state.entities[$0.value].map { $0.kind == .task && $0.state == .active } ?? false }.map(\.key)
            let reads = await concurrentResults(toRead, limit: concurrency[provider.name] ?? 1) { remoteID in
                try await provider.readTask(RemoteRef(key: remoteID))
            }
            for (remoteID, result) in zip(toRead, reads) {
                snap.requests += 1
                switch result {
                case .success(.gone(let reason)): snap.gone[remoteID] = reason
                case .success(.present(var task)):
                    task.fields.status = toCanonical(task.fields.status)
                    for sub in task.subtasks ?? [] { snap.add(sub) }
                    task.subtasks = nil
                    snap.add(task)
                case .failure(let error):
                    snap.problems.append("task \(remoteID) is missing from the listing and could not be read: \(error)")
                    if error.isProviderWide {
                        snap.failure = error
                        return snap
                    }
                }
            }
        }
        snap.waiting = NewTaskBatch.waiting(snap, state: state, limit: settings.createBatch)
        await readChildren(provider, state: state, commentsFlowOut: commentsFlowOut, subtasksFlowOut: subtasksFlowOut, into: &snap)
        return snap
    }

    /// A listed task of an active entity that holds what the mirror last
    /// agreed with this member: the digest of its shadow, and the same remote
    /// `updated_at` (both known). See ``MemberSnapshot/unchanged``.
    /// Its entity's id when it is, nil when not.
    static func unchangedEntity(_ task: RemoteTask, on provider: String, state: LinkMirrorState) -> Int64? {
        guard let m = state.mapping(provider: provider, remoteID: task.id), m.shadowDigest != nil, m.remoteUpdatedAt != nil,
            state.entities[m.entityID]?.state == .active, asLastSeen(m, updatedAt: task.updatedAt, digest: task.fields.fingerprint)
        else { return nil }
        return m.entityID
    }

    /// A copy reads as the mirror last saw it: the same remote `updated_at`
    /// (a provider timestamp against a provider timestamp) and its shadow's digest.
    static func asLastSeen(_ m: MappingRecord, updatedAt: Timestamp?, digest: Int64?) -> Bool {
        m.remoteUpdatedAt == updatedAt?.millisecondsSince1970 && m.shadowDigest == digest
    }

    /// Which tasks' comments (and, on a provider that lists them per task,
    /// subtasks) to read this cycle. No document says that a new comment or
    /// subtask touches its task, so `updated_at` alone cannot tell: they are
    /// read when the task is new or changed (its fields, or its `updated_at`
    /// against the one the mirror last saw: a provider timestamp compared
    /// with a provider timestamp only), and otherwise in rotating batches, so
    /// that every mapped task's are read at least every `comments_every` cycles.
    func readChildren(
        _ provider: any TaskProvider, state: LinkMirrorState, commentsFlowOut: Bool, subtasksFlowOut: Bool, into snap: inout MemberSnapshot
    ) async {
        let reader = provider as? any CommentReading
        let subtaskReader = provider as? any SubtasksListedPerTask
        let readComments = reader != nil && commentsFlowOut
        let readSubtasks = subtaskReader != nil && subtasksFlowOut
        guard reader != nil || subtaskReader != nil else { return }
        var changed: Set<String> = []
        var rotating: Set<String> = []
        if readComments || readSubtasks {
            for task in snap.tasks.values {
                guard let m = state.mapping(provider: provider.name, remoteID: task.id) else {
                    if !snap.waiting.contains(task.id) { changed.insert(task.id) }  // new here, and in this cycle's batch
                    continue
                }
                if !Self.asLastSeen(m, updatedAt: task.updatedAt, digest: snap.taskDigest(task.id)) {
                    changed.insert(task.id)
                }
            }
            let every = Int64(max(1, settings.commentsEvery))
            let slot = ((state.providerStates[provider.name]?.lastCycleID ?? 0) + 1) % every
            for (remoteID, entityID) in state.remoteIndex[provider.name] ?? [:] where entityID % every == slot {
                guard let e = state.entities[entityID], e.kind == .task, e.state == .active, snap.gone[remoteID] == nil else { continue }
                rotating.insert(remoteID)
            }
        }
        /// Tasks on this provider that may already hold a child whose create's answer was lost.
        func awaitingAnswers(_ operation: String) -> Set<String> {
            var parents: Set<String> = []
            for row in state.pendingOutbox where row.provider == provider.name && row.operation == operation {
                if let parent = state.entities[row.entityID]?.parentID, let m = state.mappingsByEntity[parent]?[provider.name] {
                    parents.insert(m.remoteID)
                }
            }
            return parents
        }
        if let reader {
            var wanted = awaitingAnswers("create-comment")
            // A provider whose new comments touch their task needs no rotation: a task whose updated_at did not move has none.
            if readComments { wanted.formUnion(reader is any CommentsTouchTask ? changed : changed.union(rotating)) }
            let read = await read("comments", of: wanted, provider.name, into: &snap) { try await reader.listComments(task: RemoteRef(key: $0)) }
            for (taskID, comments) in read { snap.comments[taskID] = comments }
        }
        if let subtaskReader {
            var wanted = awaitingAnswers("create-subtask")
            if readSubtasks { wanted.formUnion(changed.union(rotating)) }
            let read = await read("subtasks", of: wanted, provider.name, into: &snap) { try await subtaskReader.listSubtasks(task: RemoteRef(key: $0)) }
            for (_, subtasks) in read { snap.add(contentsOf: subtasks) }
        }
    }

    /// Reads `body` for each task id, `concurrency` at a time, counting the
    /// requests and noting each failure as a problem: what was read, by task id.
    private func read<Value: Sendable>(
        _ what: String, of wanted: Set<String>, _ provider: String, into snap: inout MemberSnapshot, _ body: @escaping @Sendable (String) async throws -> Value
    ) async -> [(String, Value)] {
        let ids = wanted.sorted()
        let results = await concurrentResults(ids, limit: concurrency[provider] ?? 1, body)
        var read: [(String, Value)] = []
        for (taskID, result) in zip(ids, results) {
            switch result {
            case .success(let value):
                snap.requests += 1
                read.append((taskID, value))
            case .failure(ProviderError.notSent):
                continue
            case .failure(let error):
                snap.requests += 1
                snap.problems.append("\(what) of task \(taskID) could not be read: \(error)")
            }
        }
        return read
    }

    /// After every member was read: the comments that may be copies tasksync
    /// made before the mirror lost them (a first link over tasks synced
    /// before, a resync after the mirror was wiped). A member that writes
    /// comments only has them read when they flow out of it, so on its own it
    /// would never see such copies, and the planner would post them again.
    /// Read here: on a member that reads and writes comments, the comments
    /// of each task the mirror does not know there whose title pairs with a
    /// task of another member that shows comments this cycle. Nothing is
    /// read for tasks the mirror knows, so an ordinary cycle reads nothing.
    func readCommentCopies(
        _ members: [any TaskProvider], snapshots: inout [MemberSnapshot], state: LinkMirrorState
    ) async {
        var titlesWithComments: [String: Set<String>] = [:]  // title -> members whose task of that title shows comments
        for s in snapshots where s.available {
            for (taskID, comments) in s.comments where !comments.isEmpty {
                if let title = s.tasks[taskID]?.fields.title.pairingKey { titlesWithComments[title, default: []].insert(s.name) }
            }
        }
        guard !titlesWithComments.isEmpty else { return }
        for (i, provider) in members.enumerated() {
            guard let reader = provider as? any CommentReading, provider.capabilities.commentsWrite, snapshots[i].available else { continue }
            let name = provider.name
            let ids = snapshots[i].tasks.values.filter { task in
                guard snapshots[i].comments[task.id] == nil, state.mapping(provider: name, remoteID: task.id) == nil else { return false }
                return titlesWithComments[task.fields.title.pairingKey]?.contains { $0 != name } == true
            }.map(\.id).sorted()
            guard !ids.isEmpty else { continue }
            let read = await read("comments", of: Set(ids), name, into: &snapshots[i]) { try await reader.listComments(task: RemoteRef(key: $0)) }
            for (taskID, comments) in read { snapshots[i].comments[taskID] = comments }
        }
    }
}
