import Mirror
import ProviderKit
import SyncConfig

/// What an update's outbox row holds (``Executor/payload(_:)``): the copy
/// written, the fields it set (a task's; a subtask update sets them all),
/// and the values sent, as JSON.
struct SentUpdate {
    var remoteID: String
    var fields: [String]?
    var values: String

    static func decode(_ text: String) -> SentUpdate? {
        guard let row = Codec.decode([String: String].self, text), let remoteID = row["remote_id"], let values = row["values"] else { return nil }
        return SentUpdate(remoteID: remoteID, fields: row["fields"].map { $0.split(separator: ",").map(String.init) }, values: values)
    }
}

extension Planner {
    /// Sent updates whose answer never came (a crash between the send and
    /// storing the answer, or a connection lost after the server applied
    /// it), by entity, oldest first: their rows are still pending, marked sent.
    static func lostUpdates(_ outbox: [OutboxRecord]) -> [Int64: [OutboxRecord]] {
        Dictionary(
            grouping: outbox.filter { $0.sentAt != nil && ($0.operation == "update-task" || $0.operation == "update-subtask") },
            by: \.entityID)
    }

    /// The shadow a task's copy is merged against when an update to it lost
    /// its answer. Where the copy now shows the values that were sent, it
    /// took tasksync's own write: those fields are taken as written (the
    /// shadow the answer would have left), so the write is neither read back
    /// as an edit on that member (rule 2) nor a side in a conflict with a
    /// real edit made meanwhile elsewhere (rule 3). A field that shows
    /// something else (the write did not land, or someone changed it since)
    /// is left to the merge as it is read.
    mutating func shadowAfterLostUpdates(_ shadow: TaskFields, current: TaskFields, entity: Int64, member: String, remoteID: String) -> TaskFields {
        let toCanonical = link.statusTranslator(provider: member)
        return settleLostUpdates(shadow, current: current, entity: entity, member: member, remoteID: remoteID, operation: "update-task") { sent in
            guard var values = Codec.decode(TaskFields.self, sent.values) else { return nil }
            values.status = toCanonical(values.status)  // sent as the member's own id
            return (values, (sent.fields ?? []).compactMap(Field.init(rawValue:)))
        }
    }

    /// ``shadowAfterLostUpdates(_:current:entity:member:remoteID:)`` for a subtask's copy.
    mutating func shadowAfterLostUpdates(
        _ shadow: SubtaskFields, current: SubtaskFields, entity: Int64, member: String, remoteID: String
    ) -> SubtaskFields {
        settleLostUpdates(shadow, current: current, entity: entity, member: member, remoteID: remoteID, operation: "update-subtask") { sent in
            Codec.decode(SubtaskFields.self, sent.values).map { ($0, SubtaskFields.mergeKeys) }
        }
    }

    /// Applies each lost `operation` to this copy to `shadow`, field by
    /// field where `current` shows what was sent. A row whose every field
    /// is shown is settled as reconciled (``settleOutbox()``); the others
    /// are abandoned.
    private mutating func settleLostUpdates<F: MergeableFields>(
        _ shadow: F, current: F, entity: Int64, member: String, remoteID: String, operation: String,
        sent decode: (SentUpdate) -> (values: F, keys: [F.Key])?
    ) -> F {
        var shadow = shadow
        for row in lostUpdates[entity] ?? [] where row.provider == member && row.operation == operation {
            guard let payload = SentUpdate.decode(row.payload), payload.remoteID == remoteID, let sent = decode(payload) else { continue }
            let shown = sent.keys.filter { current.same($0, as: sent.values) }
            for key in shown { shadow.copy(key, from: sent.values) }
            if !sent.keys.isEmpty && shown.count == sent.keys.count { landedUpdates.insert(row.id) }
        }
        return shadow
    }
}
