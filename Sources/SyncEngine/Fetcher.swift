import Mirror
import SyncConfig
import TaskModel

/// The read half of a cycle: lists one member, confirms absences by direct
/// reads (rule 5), and reads the comments that may need to flow.
struct Fetcher {
    let link: LinkConfig
    let settings: SyncSettings

    func fetch(_ provider: any TaskProvider, state: LinkMirrorState, now: Timestamp, commentsFlowOut: Bool) async -> MemberSnapshot {
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
        do {
            let listing = try await provider.listTasks(changedSince: since)
            snap.requests += listing.requestCount
            snap.complete = listing.isComplete
            snap.newestUpdate = listing.newestUpdate
            snap.problems = listing.problems
            snap.tasks.reserveCapacity(listing.tasks.count)
            snap.digests.reserveCapacity(listing.tasks.count + listing.subtasks.count)
            for var task in listing.tasks {
                task.fields.status = toCanonical(task.fields.status)
                for sub in task.subtasks ?? [] { snap.add(sub) }
                task.subtasks = nil
                snap.add(task)
            }
            for sub in listing.subtasks { snap.add(sub) }
        } catch {
            snap.failure = error as? ProviderError ?? .malformed("\(error)")
            return snap
        }
        if snap.complete {
            // A mapped task missing from a full listing is gone only if a direct read says so.
            let mapped = state.remoteIndex[provider.name] ?? [:]
            let missing = mapped.filter { snap.tasks[$0.key] == nil }.sorted { $0.key < $1.key }
            for (remoteID, entityID) in missing {
                guard let e = state.entities[entityID], e.kind == .task, e.state == .active else { continue }
                do {
                    snap.requests += 1
                    switch try await provider.readTask(id: remoteID) {
                    case .gone(let reason): snap.gone[remoteID] = reason
                    case .present(var task):
                        task.fields.status = toCanonical(task.fields.status)
                        for sub in task.subtasks ?? [] { snap.add(sub) }
                        task.subtasks = nil
                        snap.add(task)
                    }
                } catch {
                    snap.problems.append("task \(remoteID) is missing from the listing and could not be read: \(error)")
                    if let p = error as? ProviderError, p.isProviderWide {
                        snap.failure = p
                        return snap
                    }
                }
            }
        }
        await readComments(provider, state: state, commentsFlowOut: commentsFlowOut, into: &snap)
        return snap
    }

    func readComments(_ provider: any TaskProvider, state: LinkMirrorState, commentsFlowOut: Bool, into snap: inout MemberSnapshot) async {
        guard provider.capabilities.commentsRead else { return }
        var wanted: [String] = []
        // Comments that may flow elsewhere: on tasks that are new or changed.
        if commentsFlowOut {
            // A new comment touches its task's updated_at (assumed), but some providers
            // count it in whole seconds: a comment in the same second as the last read
            // leaves it as it was. So tasks updated within cursor_overlap of the last
            // listing are read again, as a changed-since request reaches back.
            let lastListing = state.providerStates[provider.name]?.lastSuccessAt.flatMap(Timestamp.init(parsing:))
            let recent = lastListing?.adding(seconds: -settings.cursorOverlap)
            for task in snap.tasks.values {
                if let m = state.mapping(provider: provider.name, remoteID: task.id), m.remoteUpdatedAt == task.updatedAt?.millisecondsSince1970,
                    m.shadowDigest == snap.taskDigest(task.id),
                    let updated = task.updatedAt, let recent, updated < recent
                {
                    continue
                }
                wanted.append(task.id)
            }
        }
        // Comments this provider may already hold from a create whose answer was lost.
        for row in state.pendingOutbox where row.provider == provider.name && row.operation == "create-comment" {
            if let parent = state.entities[row.entityID]?.parentID, let m = state.mappingsByEntity[parent]?[provider.name] {
                wanted.append(m.remoteID)
            }
        }
        for taskID in Set(wanted).sorted() {
            do {
                snap.requests += 1
                snap.comments[taskID] = try await provider.listComments(taskID: taskID)
            } catch {
                snap.problems.append("comments of task \(taskID) could not be read: \(error)")
                if let p = error as? ProviderError, p.isProviderWide { return }
            }
        }
    }
}
