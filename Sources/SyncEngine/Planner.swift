import Mirror
import ProviderKit
import SyncConfig

/// Decides one cycle of one link from the mirror's state and what each member
/// holds now. Pure: it reads, and returns ``CycleDecisions``; the executor
/// writes. A dry run prints the same decisions a real cycle carries out.
struct Planner {
    let link: LinkConfig
    let members: [MemberSnapshot]
    let state: LinkMirrorState
    var d: CycleDecisions
    /// Remote copies that this cycle pairs with an entity: entity -> member -> remote id.
    var assigned: [EntityKey: [String: String]] = [:]
    var childrenOf: [Int64: [EntityRecord]] = [:]
    var deletions = 0
    /// Fields two or more members can hold: the ones there is something to
    /// sync. A field only one member holds (HelpSpace's priority, linked to
    /// Productive) stays that member's own.
    let sharedFields: Set<Field>
    /// Sent updates whose answer was lost, by entity (``lostUpdates(_:)``).
    let lostUpdates: [Int64: [OutboxRecord]]
    /// Outbox rows of those that their copy shows landed: settled as reconciled.
    var landedUpdates: Set<Int64> = []

    init(link: LinkConfig, members: [MemberSnapshot], state: LinkMirrorState) {
        self.link = link
        self.members = members
        self.state = state
        self.d = CycleDecisions(
            plan: LinkPlan(
                link: link.name, items: [], notes: [],
                failures: Dictionary(uniqueKeysWithValues: members.compactMap { m in m.failure.map { (m.name, "\($0)") } }),
                stopped: nil))
        sharedFields = Capabilities.sharedFields(members.map(\.capabilities))
        lostUpdates = Self.lostUpdates(state.pendingOutbox)
        for e in state.entities.values where e.parentID != nil { childrenOf[e.parentID!, default: []].append(e) }
        for k in childrenOf.keys { childrenOf[k]!.sort { $0.id < $1.id } }
    }

    func member(_ name: String) -> MemberSnapshot? { members.first { $0.name == name } }
    func mapping(_ provider: String, _ remoteID: String) -> MappingRecord? { state.mapping(provider: provider, remoteID: remoteID) }
    func mappings(of id: Int64) -> EntityMappings { state.mappingsByEntity[id] ?? EntityMappings() }

    /// The active tasks nothing touched since the last cycle (see ``isQuiet(_:unmappedSubtaskParents:)``):
    /// a cycle needs neither their texts nor a merge.
    func quietTasks() -> Set<Int64> {
        let unmappedSubtaskParents = Dictionary(
            uniqueKeysWithValues: members.map { m in
                (m.name, Set(m.subtasks.values.filter { mapping(m.name, $0.id) == nil }.map(\.parentID)))
            })
        return Set(
            state.entities.values.lazy.filter {
                $0.kind == .task && $0.state == .active && isQuiet($0, unmappedSubtaskParents: unmappedSubtaskParents)
            }.map(\.id))
    }

    /// Decides the cycle. `quiet`: the tasks to pass over, from ``quietTasks()``
    /// (computed here when not given).
    mutating func decide(quiet: Set<Int64>? = nil) -> CycleDecisions {
        let quiet = quiet ?? quietTasks()
        // Ids, not records: 100,000 copies of a record would be 8 MB for one cycle.
        var activeTasks = Array(state.entities.values.lazy.filter { $0.kind == .task && $0.state == .active }.map(\.id))
        activeTasks.sort()
        let newGroups = matchUnmappedTasks(activeTasks)
        for id in activeTasks where !quiet.contains(id) {
            planTask(.existing(id), record: state.entities[id])
        }
        for group in newGroups { planTask(group.key, record: nil) }
        settleOutbox()
        addProblemNotes()
        d.plan.waiting = d.waitingByMember.values.reduce(0, +)
        if d.plan.waiting > 0 {
            d.plan.notes.append(
                "\(d.plan.waiting) more new tasks are copied in the next cycles (create_batch), which start at once")
        }
        let share = Double(deletions) / Double(max(1, activeTasks.count))
        if deletions >= Self.deletionGuardMinimum && share > link.maxDeleteShare {
            let reason =
                "this cycle would delete or archive \(deletions) of \(activeTasks.count) tasks "
                + "(\(Int((share * 100).rounded()))%), more than max_delete_share = \(link.maxDeleteShare) allows; nothing was changed. "
                + "Check the providers; if the deletions are meant, raise that key in [[link]] \(link.name) for one run."
            var stopped = CycleDecisions(plan: d.plan)
            stopped.plan.items = []
            stopped.plan.stopped = reason
            return stopped
        }
        return d
    }

    /// Records the mapping a merged item should have on one member: its shadow
    /// is what was read now (or what the mirror knew), and it is marked in
    /// sync (`synced`, nil: unchanged) when no write to it is pending. Only a
    /// mapping that differs from the mirror's is written.
    mutating func recordMapping(
        _ key: EntityKey, provider: String, remoteID: String, parentRemoteID: String?, known: MappingRecord?,
        read: (shadow: String, updatedAt: Int64?, digest: Int64?)?, synced: Int64?, stuck: String? = nil
    ) {
        guard let shadow = read?.shadow ?? known?.shadow else { return }
        let write = MappingWrite(
            entity: key, provider: provider, remoteID: remoteID, parentRemoteID: parentRemoteID ?? known?.parentRemoteID,
            shadow: shadow, updatedAt: read.map { $0.updatedAt } ?? known?.remoteUpdatedAt,
            shadowDigest: read.map { $0.digest } ?? known?.shadowDigest, synced: synced ?? known?.synced, stuck: stuck)
        if let known, known.shadow == write.shadow, known.remoteUpdatedAt == write.updatedAt, known.synced == write.synced,
            known.shadowDigest == write.shadowDigest, known.stuck == write.stuck
        {
            return
        }
        d.mappings.append(write)
    }

    // MARK: the quiet path

    /// True when nothing about a task has changed since the last cycle:
    /// every member was read and holds a copy marked in sync with the
    /// canonical value, whose fields read now have the digest of its shadow
    /// (or which a changed-since listing did not return), and the same holds for its
    /// subtasks, with no new subtask or comment and no comment still to post.
    /// Such a task needs no decoding, merging or writing; an idle cycle over
    /// 10,000 tasks is mostly this check.
    func isQuiet(_ e: EntityRecord, unmappedSubtaskParents: [String: Set<String>]) -> Bool {
        let maps = mappings(of: e.id)
        let digest = e.canonicalDigest
        for m in members {
            guard m.available, let map = maps[m.name], map.synced == digest, m.gone[map.remoteID] == nil,
                assigned[.existing(e.id)]?[m.name] == nil
            else { return false }
            // Comments read this cycle (a rotating batch) leave it quiet unless one is new.
            if let comments = m.comments[map.remoteID], comments.contains(where: { mapping(m.name, $0.id) == nil }) { return false }
            if m.tasks[map.remoteID] != nil, m.taskDigest(map.remoteID) != map.shadowDigest { return false }
            if unmappedSubtaskParents[m.name]?.contains(map.remoteID) == true { return false }
        }
        for child in childrenOf[e.id] ?? [] where child.state == .active {
            let childMaps = mappings(of: child.id)
            switch child.kind {
            case .subtask:
                let childDigest = child.canonicalDigest
                for m in members where m.capabilities.subtasks {
                    guard let map = childMaps[m.name], map.synced == childDigest else { return false }
                    if m.subtasks[map.remoteID] != nil, m.subtaskDigest(map.remoteID) != map.shadowDigest { return false }
                }
            case .comment:
                // A writer without a copy has a comment still to post (the source always has one).
                for m in members where m.capabilities.commentsWrite && childMaps[m.name] == nil { return false }
            case .task:
                return false
            }
        }
        return true
    }

    // MARK: pairing (rule 11) and adoption after a crash (rule 4)

    /// Unmapped remote tasks first go to existing entities that lack a copy
    /// on that member (same title): a create whose answer was lost, or a
    /// member that was down when the task was created. The rest pair across
    /// members by title; what is left becomes new entities.
    mutating func matchUnmappedTasks(_ active: [Int64]) -> [(key: EntityKey, title: String)] {
        var groups: [String: [(member: String, task: RemoteTask)]] = [:]
        var groupOrder: [String] = []
        // Titles of the unmapped tasks of members with tasks past create_batch, by member:
        // a waiting task no other member's title matches waits without being grouped.
        var unmappedTitles: [String: Set<String>] = [:]
        if members.contains(where: { !$0.waiting.isEmpty }) {
            for m in members where m.available {
                var titles: Set<String> = []
                for task in m.tasks.values where mapping(m.name, task.id) == nil { titles.insert(task.fields.title.pairingKey) }
                unmappedTitles[m.name] = titles
            }
        }
        for m in members where m.available {
            var unmapped = m.tasks.values.filter { mapping(m.name, $0.id) == nil }
            unmapped.sort { Self.idOrder($0.id, $1.id) }  // in place: a first sync's 100,000 tasks copied once, not twice
            guard !unmapped.isEmpty else { continue }
            refindLostCreates(on: m.name, unmapped: &unmapped)
            var lacking: [String: [EntityRecord]] = [:]
            for id in active where state.mappingsByEntity[id]?[m.name] == nil {
                if let e = state.entities[id], let c = Codec.decode(TaskFields.self, e.canonical) { lacking[c.title.pairingKey, default: []].append(e) }
            }
            for task in unmapped {
                let key = task.fields.title.pairingKey
                if var candidates = lacking[key], !candidates.isEmpty {
                    let entity = candidates.removeFirst()
                    lacking[key] = candidates
                    assigned[.existing(entity.id), default: [:]][m.name] = task.id
                    d.plan.items.append(
                        PlanItem(
                            .adopt, provider: m.name, entity: "#\(entity.id)", title: task.fields.title, remoteID: task.id,
                            reason: "already there with the same title: linked, not created again"))
                    continue
                }
                if m.waiting.contains(task.id), !unmappedTitles.contains(where: { $0.key != m.name && $0.value.contains(key) }) {
                    d.waitingByMember[m.name, default: 0] += 1  // past this cycle's create_batch, nothing to pair with: a later cycle
                    continue
                }
                // Pair index-wise per title: the first unpaired task of each member.
                if groups[key] == nil { groupOrder.append(key) }
                var list = groups[key, default: []]
                list.append((m.name, task))
                groups[key] = list
            }
        }
        var result: [(EntityKey, String)] = []
        for key in groupOrder {
            var pending = groups[key]!
            while !pending.isEmpty {
                var taken: [(member: String, task: RemoteTask)] = []
                var rest: [(member: String, task: RemoteTask)] = []
                for entry in pending {
                    if taken.contains(where: { $0.member == entry.member }) { rest.append(entry) } else { taken.append(entry) }
                }
                pending = rest
                let first = taken[0]
                if taken.count == 1, members.first(where: { $0.name == first.member })?.waiting.contains(first.task.id) == true {
                    d.waitingByMember[first.member, default: 0] += 1  // past this cycle's create_batch: copied in a later cycle
                    continue
                }
                let entityKey = EntityKey.new("\(first.member):\(first.task.id)")
                for entry in taken {
                    assigned[entityKey, default: [:]][entry.member] = entry.task.id
                    if entry.member != first.member {
                        d.plan.items.append(
                            PlanItem(
                                .pair, provider: entry.member, entity: entityKey.description, title: entry.task.fields.title,
                                remoteID: entry.task.id, reason: "same title as \(first.member) #\(first.task.id): paired, not copied"))
                    }
                }
                result.append((entityKey, first.task.fields.title))
            }
        }
        return result
    }

    /// A create whose answer was lost (a crash, a dropped connection) left
    /// its outbox row pending. Its copy is re-found by more than the title,
    /// which someone may have changed since: it was created after the newest
    /// timestamp the member showed before the create, and it holds the same
    /// title or else every one of the description, due date, tags and
    /// priority that were sent. Only rows marked sent are looked for: one a
    /// crash left unsent is simply planned again. Found copies are linked
    /// (and taken out of `unmapped`), not created again.
    mutating func refindLostCreates(on member: String, unmapped: inout [RemoteTask]) {
        for row in state.pendingOutbox where row.provider == member && row.operation == "create-task" && row.sentAt != nil {
            guard let e = state.entities[row.entityID], e.state == .active, state.mappingsByEntity[e.id]?[member] == nil,
                assigned[.existing(e.id)]?[member] == nil, let payload = CreatePayload.decode(row.payload)
            else { continue }
            let writable = self.member(member)?.capabilities.writableFields ?? []
            let scored = unmapped.enumerated().compactMap { i, task in Self.refindScore(task, payload, writable: writable).map { (i, $0) } }
            guard let best = scored.max(by: { $0.1 < $1.1 }) else { continue }
            let task = unmapped.remove(at: best.0)
            assigned[.existing(e.id), default: [:]][member] = task.id
            d.plan.items.append(
                PlanItem(
                    .adopt, provider: member, entity: "#\(e.id)", title: task.fields.title, remoteID: task.id,
                    reason: "created by tasksync before its answer was lost (matched by its fields and creation time): linked, not created again"))
        }
    }

    /// How well a remote task matches what a lost create sent; nil when it
    /// cannot be that copy. The title counts most, but a copy renamed since
    /// still matches on the other fields it was sent with.
    static func refindScore(_ task: RemoteTask, _ sent: CreatePayload, writable: Set<Field>) -> Int? {
        if let after = sent.after, let created = task.createdAt, created < after.adding(seconds: -2) { return nil }
        let f = task.fields
        let s = sent.fields
        var evidence = 0
        var matched = 0
        func check(_ field: Field, _ present: Bool, _ same: Bool) {
            guard present, writable.contains(field) else { return }
            evidence += 1
            if same { matched += 1 }
        }
        check(.description, !s.description.isEmpty, f.description == s.description)
        check(.dueDate, s.dueDate != nil, f.dueDate == s.dueDate)
        check(.tags, !s.tags.isEmpty, f.tags == s.tags)
        check(.priority, s.priority != nil, f.priority == s.priority)
        let sameTitle = f.title.pairingKey == s.title.pairingKey
        if sameTitle { return 100 + matched }
        // Renamed since: every other field it was sent with must still be there.
        guard evidence > 0, matched == evidence else { return nil }
        return matched
    }

    static func idOrder(_ a: String, _ b: String) -> Bool {
        a.count != b.count ? a.count < b.count : a < b
    }

    // MARK: tasks

    mutating func planTask(_ key: EntityKey, record: EntityRecord?) {
        let maps = record.map { mappings(of: $0.id) } ?? [:]
        let canonical = record.flatMap { Codec.decode(TaskFields.self, $0.canonical) }
        var sides: [MergeSide<TaskFields>] = []
        var remoteIDs: [String: String] = [:]
        var goneOn: [(String, String)] = []
        var waiting: [String] = []
        for m in members {
            var shadow = maps[m.name].flatMap { Codec.decode(TaskFields.self, $0.shadow) }
            let remoteID = maps[m.name]?.remoteID ?? assigned[key]?[m.name]
            guard m.available else {
                if remoteID != nil { waiting.append(m.name) }
                sides.append(MergeSide(provider: m.name, current: nil, shadow: nil, updatedAt: nil, readable: [], writable: []))
                continue
            }
            var current: TaskFields?
            var updatedAt: Timestamp?
            if let remoteID {
                remoteIDs[m.name] = remoteID
                if let reason = m.gone[remoteID] {
                    goneOn.append((m.name, reason))
                } else if let task = m.tasks[remoteID] {
                    current = task.fields
                    updatedAt = task.updatedAt
                    if let known = shadow, let id = record?.id {
                        shadow = shadowAfterLostUpdates(known, current: task.fields, entity: id, member: m.name, remoteID: remoteID)
                    }
                } else {
                    current = shadow  // not in a changed-since listing, or a read that failed: unchanged
                    // Listed unchanged (``MemberSnapshot/unchanged``): its updated_at is the one the mirror holds.
                    if let id = record?.id, m.unchanged.contains(id) { updatedAt = maps[m.name]?.remoteUpdatedAt.map(Timestamp.init(millisecondsSince1970:)) }
                }
            }
            sides.append(
                MergeSide(
                    provider: m.name, current: current, shadow: shadow, updatedAt: updatedAt,
                    readable: m.capabilities.readableFields, writable: m.capabilities.writableFields.intersection(sharedFields)))
        }
        if !goneOn.isEmpty, case .existing(let id) = key, let record {
            planGone(id, record: record, canonical: canonical, goneOn: goneOn, remoteIDs: remoteIDs, waiting: waiting)
            return
        }
        guard var outcome = ThreeWayMerge.merge(canonical: canonical, sides: sides) else { return }
        // A field only one member can hold is that member's alone: never written, its value kept as it is there.
        for f in Field.allCases where !sharedFields.contains(f) {
            if let holder = sides.first(where: { $0.readable.contains(f) && $0.current != nil }) { outcome.merged.copy(f, from: holder.current!) }
        }
        let merged = outcome.merged
        let title = merged.title
        if record == nil {
            d.newEntities.append(NewEntity(key: key, kind: .task, parent: nil, canonical: Codec.encode(merged)))
        } else if canonical != merged {
            d.canonicalUpdates[key] = Codec.encode(merged)
        }
        // What each member showed, against its shadow.
        for (i, fields) in outcome.observed.sorted(by: { $0.key < $1.key }) {
            for f in fields {
                d.observations.append(
                    Observation(
                        provider: sides[i].provider, entity: key, kind: "change", field: f.rawValue,
                        old: sides[i].shadow!.value(of: f).description, new: sides[i].current!.value(of: f).description))
            }
        }
        for c in outcome.conflicts {
            let winner = sides.first { $0.provider == c.winner }!.current!.value(of: c.field)
            let loser = sides.first { $0.provider == c.loser }!.current!.value(of: c.field)
            d.conflicts.append(
                ConflictNote(
                    entity: key, field: c.field.rawValue, winner: c.winner, winnerValue: winner.description,
                    loser: c.loser, loserValue: loser.description, winnerRaw: winner, loserRaw: loser))
            d.plan.items.append(
                PlanItem(
                    .conflict, provider: c.loser, entity: key.description, title: title, remoteID: remoteIDs[c.loser],
                    changes: [.init(field: c.field.rawValue, old: loser, new: winner)],
                    reason: "changed on \(c.winner) and \(c.loser); \(c.winner) is newer and wins, the losing value is kept in the conflicts list"))
        }
        // What each member is written: the merge's writes less what it cannot take.
        let writes = effectiveWrites(key, outcome: outcome, sides: sides, maps: maps, remoteIDs: remoteIDs, title: title)
        // New shadows for what was read; `synced` for the copies that hold the merged value
        // (or all of it they can hold).
        let synced = Codec.digest(Codec.encode(merged))
        for side in sides {
            guard let member = member(side.provider), member.available, let remoteID = remoteIDs[side.provider] else { continue }
            let read = member.tasks[remoteID].map { (Codec.encode($0.fields), $0.updatedAt?.millisecondsSince1970, member.taskDigest(remoteID)) }
            let stuck = StuckWrites(maps[side.provider]?.stuck).keeping(merged: merged, current: side.current)
            recordMapping(
                key, provider: side.provider, remoteID: remoteID, parentRemoteID: nil, known: maps[side.provider], read: read,
                synced: writes[side.provider] == nil ? synced : nil, stuck: stuck.text)
        }
        // Fields changed somewhere that a member cannot hold.
        let changedFields = Set(outcome.observed.values.flatMap { $0 })
        for m in members where m.available && remoteIDs[m.name] != nil {
            for f in changedFields.sorted() where sharedFields.contains(f) && !m.capabilities.writableFields.contains(f) {
                d.plan.items.append(
                    PlanItem(
                        .skip, provider: m.name, entity: key.description, title: title, remoteID: remoteIDs[m.name],
                        reason: "\(m.name) cannot hold \(f.rawValue)"))
            }
        }
        // Updates.
        for side in sides {
            guard let (set, values) = writes[side.provider], let remoteID = remoteIDs[side.provider], let current = side.current else { continue }
            let changes = set.sorted().map { PlanItem.Change(field: $0.rawValue, old: current.value(of: $0), new: merged.value(of: $0)) }
            d.operations.append(.updateTask(entity: key, provider: side.provider, remoteID: remoteID, update: TaskUpdate(fields: set, values: values)))
            d.plan.items.append(PlanItem(.update, provider: side.provider, entity: key.description, title: title, remoteID: remoteID, changes: changes))
        }
        // Creates on members that hold no copy.
        for m in members where m.available && remoteIDs[m.name] == nil {
            var values = merged
            var dropped = Field.allCases.filter {
                sharedFields.contains($0) && !m.capabilities.writableFields.contains($0) && merged.value(of: $0) != TaskFields(title: "").value(of: $0)
            }
            values.status = link.remoteStatus(provider: m.name, canonical: merged.status)
            if merged.status != nil && values.status == nil { dropped.append(.status) }
            let changes = Field.allCases.filter { m.capabilities.writableFields.contains($0) && !dropped.contains($0) }
                .map { PlanItem.Change(field: $0.rawValue, old: .none, new: merged.value(of: $0)) }
                .filter { ![.none, .list([]), .text(""), .flag(false)].contains($0.new) }
            d.operations.append(.createTask(entity: key, provider: m.name, fields: values, after: m.newestUpdate))
            d.plan.items.append(
                PlanItem(
                    .create, provider: m.name, entity: key.description, title: title, changes: changes,
                    reason: dropped.isEmpty
                        ? nil : "without \(dropped.map(\.rawValue).joined(separator: ", ")): \(m.name) cannot hold \(dropped.count == 1 ? "it" : "them")"))
        }
        planSubtasks(key, record: record, parentIDs: remoteIDs)
        planComments(key, record: record, taskIDs: remoteIDs, title: title)
    }

    // MARK: deletion (rule 5)

    mutating func planGone(
        _ id: Int64, record: EntityRecord, canonical: TaskFields?, goneOn: [(String, String)], remoteIDs: [String: String],
        waiting: [String]
    ) {
        let key = EntityKey.existing(id)
        let title = canonical?.title ?? ""
        for (provider, reason) in goneOn {
            d.plan.items.append(
                PlanItem(
                    .gone, provider: provider, entity: key.description, title: title, remoteID: remoteIDs[provider],
                    reason: "confirmed by a direct read (\(reason)); link policy: \(link.onDelete.rawValue)"))
        }
        if !waiting.isEmpty {
            d.plan.items.append(
                PlanItem(
                    .skip, provider: waiting.joined(separator: ","), entity: key.description, title: title,
                    reason: "the deletion waits until \(waiting.joined(separator: ", ")) can be read"))
            return
        }
        let goneSet = Set(goneOn.map(\.0))
        var counted = false
        for m in members where !goneSet.contains(m.name) {
            guard let remoteID = remoteIDs[m.name] else { continue }
            switch link.onDelete {
            case .ignore: break
            case .delete where m.capabilities.delete:
                d.operations.append(.deleteTask(entity: key, provider: m.name, remoteID: remoteID))
                d.plan.items.append(PlanItem(.delete, provider: m.name, entity: key.description, title: title, remoteID: remoteID))
                counted = true
            case .archive where m.capabilities.archive:
                d.operations.append(.archiveTask(entity: key, provider: m.name, remoteID: remoteID))
                d.plan.items.append(PlanItem(.archive, provider: m.name, entity: key.description, title: title, remoteID: remoteID))
                counted = true
            default:
                d.plan.items.append(
                    PlanItem(
                        .skip, provider: m.name, entity: key.description, title: title, remoteID: remoteID,
                        reason: "\(m.name) cannot \(link.onDelete.rawValue) a task: its copy is left as it is"))
            }
        }
        if counted { deletions += 1 }
        let archived = goneOn.allSatisfy { $0.1 == "archived" } && link.onDelete == .archive
        d.stateChanges.append((key, archived ? .archived : .deleted))
        d.observations.append(
            Observation(provider: goneOn.first?.0, entity: key, kind: "gone", detail: goneOn.map { "\($0.0): \($0.1)" }.joined(separator: "; ")))
    }

    // MARK: outbox left from an earlier cycle

    /// Pending rows of a cycle that did not finish: a create whose copy was
    /// found is settled as reconciled (adopted above), and so is an update
    /// whose copy shows what it sent (``shadowAfterLostUpdates(_:current:entity:member:remoteID:)``);
    /// any other row is abandoned, and this cycle's plan does again whatever is still needed.
    mutating func settleOutbox() {
        for row in state.pendingOutbox {
            guard member(row.provider)?.available == true else { continue }
            let key = EntityKey.existing(row.entityID)
            let adopted = assigned[key]?[row.provider]
            if row.operation.hasPrefix("create"), let adopted {
                d.settledOutbox.append((row.id, "reconciled", adopted))
            } else if landedUpdates.contains(row.id) {
                d.settledOutbox.append((row.id, "reconciled", nil))
            } else {
                d.settledOutbox.append((row.id, "abandoned", nil))
            }
        }
    }

    /// The deletion guard (rule 5) stops a cycle only from this many
    /// deletions on: one confirmed deletion in a small link is not a mass deletion.
    static let deletionGuardMinimum = 2

    mutating func addProblemNotes() {
        for m in members {
            for p in m.problems { d.plan.notes.append("\(m.name): an item was skipped: \(p)") }
        }
    }
}
