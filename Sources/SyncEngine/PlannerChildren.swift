import Mirror
import ProviderKit
import SyncConfig

/// The canonical value of a comment entity: its text, its author, and the
/// member it was written on (comments flow one way: from where they were written).
struct CommentCanonical: Codable, Equatable {
    var fields: CommentFields
    var source: String

    /// The comment as it is written to another provider, which cannot set
    /// the author: a first line names who wrote it, and where.
    var attributed: CommentFields {
        let who = HTMLText.normalize(fields.author ?? "someone").replacing("<p>", with: "").replacing("</p>", with: "")
        return CommentFields(body: "<p><strong>\(who)</strong> wrote on \(source):</p>" + fields.body, author: fields.author)
    }
}

extension Planner {
    // MARK: subtasks

    mutating func planSubtasks(_ parent: EntityKey, record: EntityRecord?, parentIDs: [String: String]) {
        let holders = members.filter { $0.available && $0.capabilities.subtasks }
        guard holders.count > 0 else { return }
        let existing = (record.map { childrenOf[$0.id] ?? [] } ?? []).filter { $0.kind == .subtask && $0.state == .active }
        var newGroups: [(EntityKey, [(String, RemoteSubtask)])] = []
        var groupIndex: [String: Int] = [:]
        for m in holders {
            guard let parentRemote = parentIDs[m.name] else { continue }
            let fetched = m.subtasks.values.filter { $0.parentID == parentRemote }.sorted { Self.idOrder($0.id, $1.id) }
            var lacking: [String: [EntityRecord]] = [:]
            for e in existing where mappings(of: e.id)[m.name] == nil && assigned[.existing(e.id)]?[m.name] == nil {
                if let c = Codec.decode(SubtaskFields.self, e.canonical) { lacking[c.title.pairingKey, default: []].append(e) }
            }
            for sub in fetched where mapping(m.name, sub.id) == nil {
                let key = sub.fields.title.pairingKey
                if var candidates = lacking[key], !candidates.isEmpty {
                    let e = candidates.removeFirst()
                    lacking[key] = candidates
                    assigned[.existing(e.id), default: [:]][m.name] = sub.id
                    continue
                }
                // Pair with a new subtask of another member under the same parent, by title.
                if let gi = groupIndex[key], !newGroups[gi].1.contains(where: { $0.0 == m.name }) {
                    newGroups[gi].1.append((m.name, sub))
                } else {
                    groupIndex[key] = newGroups.count
                    newGroups.append((.new("\(m.name):\(sub.id)"), [(m.name, sub)]))
                }
            }
        }
        for (key, entries) in newGroups {
            for (member, sub) in entries { assigned[key, default: [:]][member] = sub.id }
        }
        for e in existing { planSubtask(.existing(e.id), record: e, parent: parent, parentIDs: parentIDs) }
        for (key, _) in newGroups { planSubtask(key, record: nil, parent: parent, parentIDs: parentIDs) }
    }

    mutating func planSubtask(_ key: EntityKey, record: EntityRecord?, parent: EntityKey, parentIDs: [String: String]) {
        let maps = record.map { mappings(of: $0.id) } ?? [:]
        let canonical = record.flatMap { Codec.decode(SubtaskFields.self, $0.canonical) }
        var sides: [MergeSide<SubtaskFields>] = []
        var remoteIDs: [String: String] = [:]
        let all = Set(SubtaskField.allCases)
        for m in members {
            var shadow = maps[m.name].flatMap { Codec.decode(SubtaskFields.self, $0.shadow) }
            guard m.available, m.capabilities.subtasks else {
                sides.append(MergeSide(provider: m.name, current: nil, shadow: nil, updatedAt: nil, readable: [], writable: []))
                continue
            }
            var current: SubtaskFields?
            var updatedAt: Timestamp?
            if let remoteID = maps[m.name]?.remoteID ?? assigned[key]?[m.name] {
                remoteIDs[m.name] = remoteID
                if let sub = m.subtasks[remoteID] {
                    current = sub.fields
                    updatedAt = sub.updatedAt
                    if let known = shadow, let id = record?.id {
                        shadow = shadowAfterLostUpdates(known, current: sub.fields, entity: id, member: m.name, remoteID: remoteID)
                    }
                } else {
                    current = shadow  // subtasks are never deleted because they are missing
                }
            }
            sides.append(
                MergeSide(
                    provider: m.name, current: current, shadow: shadow, updatedAt: updatedAt, readable: all,
                    writable: m.capabilities.subtaskWritableFields))
        }
        guard let outcome = ThreeWayMerge.merge(canonical: canonical, sides: sides) else { return }
        let merged = outcome.merged
        if record == nil {
            d.newEntities.append(NewEntity(key: key, kind: .subtask, parent: parent, canonical: Codec.encode(merged)))
        } else if canonical != merged {
            d.canonicalUpdates[key] = Codec.encode(merged)
        }
        for (i, fields) in outcome.observed {
            for f in fields {
                d.observations.append(
                    Observation(
                        provider: sides[i].provider, entity: key, kind: "change", field: "subtask.\(f.rawValue)",
                        old: "\(sides[i].shadow!.value(f))", new: "\(sides[i].current!.value(f))"))
            }
        }
        for c in outcome.conflicts {
            let w = sides.first { $0.provider == c.winner }!.current!.value(c.field)
            let l = sides.first { $0.provider == c.loser }!.current!.value(c.field)
            d.conflicts.append(
                ConflictNote(
                    entity: key, field: "subtask.\(c.field.rawValue)", winner: c.winner, winnerValue: "\(w)", loser: c.loser, loserValue: "\(l)",
                    winnerRaw: w, loserRaw: l))
            d.plan.items.append(
                PlanItem(
                    .conflict, provider: c.loser, entity: key.description, title: merged.title, remoteID: remoteIDs[c.loser],
                    changes: [.init(field: "subtask.\(c.field.rawValue)", old: l, new: w)],
                    reason: "changed on \(c.winner) and \(c.loser); \(c.winner) is newer and wins"))
        }
        let synced = Codec.digest(Codec.encode(merged))
        for (i, side) in sides.enumerated() {
            guard let m = member(side.provider), let remoteID = remoteIDs[side.provider] else { continue }
            let sub = m.subtasks[remoteID]
            let read = sub.map { (Codec.encode($0.fields), $0.updatedAt?.millisecondsSince1970, m.subtaskDigest(remoteID)) }
            recordMapping(
                key, provider: side.provider, remoteID: remoteID, parentRemoteID: sub?.parentID, known: maps[side.provider], read: read,
                synced: outcome.writes[i] == nil ? synced : nil)
        }
        for (i, fields) in outcome.writes.sorted(by: { $0.key < $1.key }) {
            let side = sides[i]
            guard let remoteID = remoteIDs[side.provider], let current = side.current, let parentRemote = parentIDs[side.provider] else { continue }
            d.operations.append(.updateSubtask(entity: key, provider: side.provider, parentRemoteID: parentRemote, remoteID: remoteID, fields: merged))
            d.plan.items.append(
                PlanItem(
                    .updateSubtask, provider: side.provider, entity: key.description, title: merged.title, remoteID: remoteID,
                    changes: fields.sorted().map { .init(field: "subtask.\($0.rawValue)", old: current.value($0), new: merged.value($0)) }))
        }
        for m in members where m.available && m.capabilities.subtasks && remoteIDs[m.name] == nil {
            d.operations.append(.createSubtask(entity: key, parent: parent, provider: m.name, fields: merged))
            d.plan.items.append(
                PlanItem(
                    .createSubtask, provider: m.name, entity: key.description, title: merged.title,
                    changes: [.init(field: "subtask.done", old: .none, new: .flag(merged.done))],
                    reason: "under \(parent.description)"))
        }
    }

    // MARK: comments

    mutating func planComments(_ task: EntityKey, record: EntityRecord?, taskIDs: [String: String], title: String) {
        let writers = members.filter { $0.available && $0.capabilities.commentsWrite }
        let existing = (record.map { childrenOf[$0.id] ?? [] } ?? []).filter { $0.kind == .comment }
        var byBody: [String: [(EntityRecord, CommentCanonical)]] = [:]
        for e in existing {
            if let c = Codec.decode(CommentCanonical.self, e.canonical) { byBody[c.attributed.body, default: []].append((e, c)) }
        }
        // Copies found on a writer whose create answer was lost.
        for w in writers {
            guard let taskID = taskIDs[w.name], let fetched = w.comments[taskID] else { continue }
            for c in fetched where mapping(w.name, c.id) == nil {
                if let match = byBody[c.fields.body]?.first(where: { mappings(of: $0.0.id)[w.name] == nil && assigned[.existing($0.0.id)]?[w.name] == nil }) {
                    assigned[.existing(match.0.id), default: [:]][w.name] = c.id
                    d.mappings.append(
                        MappingWrite(
                            entity: .existing(match.0.id), provider: w.name, remoteID: c.id, parentRemoteID: taskID,
                            shadow: Codec.encode(c.fields), updatedAt: c.createdAt?.millisecondsSince1970))
                    d.plan.items.append(
                        PlanItem(
                            .adopt, provider: w.name, entity: "#\(match.0.id)", title: title, remoteID: c.id,
                            reason: "comment already there: linked, not posted again"))
                }
            }
        }
        // Comments written on a reader since the last cycle.
        func isNew(_ member: String, _ c: RemoteComment) -> Bool {
            mapping(member, c.id) == nil && !(assigned.values.contains { $0[member] == c.id })
        }
        let copies = copiesOfNewComments(taskIDs: taskIDs, writers: writers, isNew: isNew)
        var fresh: [(EntityKey, CommentCanonical)] = []
        for r in members where r.available && r.capabilities.commentsRead {
            guard let taskID = taskIDs[r.name], let fetched = r.comments[taskID] else { continue }
            guard writers.contains(where: { $0.name != r.name }) else { continue }
            for c in fetched.sorted(by: { Self.idOrder($0.id, $1.id) }) where isNew(r.name, c) && copies.copied[r.name]?.contains(c.id) != true {
                let key = EntityKey.new("\(r.name):c\(c.id)")
                let canonical = CommentCanonical(fields: c.fields, source: r.name)
                d.newEntities.append(NewEntity(key: key, kind: .comment, parent: task, canonical: Codec.encode(canonical)))
                d.mappings.append(
                    MappingWrite(
                        entity: key, provider: r.name, remoteID: c.id, parentRemoteID: taskID,
                        shadow: Codec.encode(c.fields), updatedAt: c.createdAt?.millisecondsSince1970))
                for (w, copy) in copies.of["\(r.name):\(c.id)"] ?? [] {
                    assigned[key, default: [:]][w] = copy.id
                    d.mappings.append(
                        MappingWrite(
                            entity: key, provider: w, remoteID: copy.id, parentRemoteID: taskIDs[w], shadow: Codec.encode(copy.fields),
                            updatedAt: copy.createdAt?.millisecondsSince1970))
                    d.plan.items.append(
                        PlanItem(
                            .adopt, provider: w, entity: key.description, title: title, remoteID: copy.id,
                            reason: "comment already copied there from \(r.name) #\(c.id) (the mirror did not know it): linked, not posted again"))
                }
                fresh.append((key, canonical))
            }
        }
        let pending = existing.compactMap { e in Codec.decode(CommentCanonical.self, e.canonical).map { (EntityKey.existing(e.id), $0) } }
        for (key, canonical) in pending + fresh {
            for w in writers where w.name != canonical.source {
                if assigned[key]?[w.name] != nil { continue }
                if case .existing(let id) = key, mappings(of: id)[w.name] != nil { continue }
                d.operations.append(.createComment(entity: key, task: task, provider: w.name, fields: canonical.attributed))
                d.plan.items.append(
                    PlanItem(
                        .createComment, provider: w.name, entity: key.description, title: title,
                        changes: [.init(field: "comment", old: .none, new: .text(canonical.fields.body))],
                        reason: "written by \(canonical.fields.author ?? "someone") on \(canonical.source)"))
            }
        }
    }
}

extension Planner {
    /// Comments the mirror does not know that are copies tasksync made of
    /// one another: a comment new on a reader, and on a writer an unknown
    /// comment whose text is exactly that comment as tasksync writes it
    /// (attributed, ``CommentCanonical/attributed``). That happens when the
    /// mirror lost its state (a first link over tasks synced before, or
    /// `tasksync resync` after the mirror was wiped): the pair is linked,
    /// not posted a second time, and the copy is not taken for a comment of
    /// its own. Each copy goes to one comment, the first in id order.
    /// `of`: "member:id" of a new comment -> its copies (writer, comment);
    /// `copied`: per writer, the ids of comments that are copies.
    func copiesOfNewComments(taskIDs: [String: String], writers: [MemberSnapshot], isNew: (String, RemoteComment) -> Bool)
        -> (of: [String: [(String, RemoteComment)]], copied: [String: Set<String>])
    {
        var pool: [String: [String: [RemoteComment]]] = [:]  // writer -> body -> unknown comments
        for w in writers {
            guard let taskID = taskIDs[w.name], let fetched = w.comments[taskID] else { continue }
            for c in fetched.sorted(by: { Self.idOrder($0.id, $1.id) }) where isNew(w.name, c) {
                pool[w.name, default: [:]][c.fields.body, default: []].append(c)
            }
        }
        guard !pool.isEmpty else { return ([:], [:]) }
        var of: [String: [(String, RemoteComment)]] = [:]
        var copied: [String: Set<String>] = [:]
        for r in members where r.available && r.capabilities.commentsRead {
            guard let taskID = taskIDs[r.name], let fetched = r.comments[taskID] else { continue }
            for c in fetched.sorted(by: { Self.idOrder($0.id, $1.id) }) where isNew(r.name, c) && copied[r.name]?.contains(c.id) != true {
                let written = CommentCanonical(fields: c.fields, source: r.name).attributed.body
                for w in writers where w.name != r.name {
                    guard var candidates = pool[w.name]?[written], !candidates.isEmpty else { continue }
                    let copy = candidates.removeFirst()
                    pool[w.name]?[written] = candidates
                    of["\(r.name):\(c.id)", default: []].append((w.name, copy))
                    copied[w.name, default: []].insert(copy.id)
                }
            }
        }
        return (of, copied)
    }
}

extension SubtaskFields {
    func value(_ key: SubtaskField) -> FieldValue {
        switch key {
        case .title: .text(title)
        case .done: .flag(done)
        }
    }
}
