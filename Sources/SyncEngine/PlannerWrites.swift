import Mirror
import ProviderKit

/// Values tasksync wrote to one remote copy that the provider did not keep:
/// it ignored the field, or put a value of its own in its place (rule 13).
/// Such a write is reported once (journal, `tasksync status`) and not sent
/// again until the value to write changes. Stored per mapping as a JSON
/// object, field name -> value.
struct StuckWrites: Equatable, Sendable {
    private(set) var values: [String: FieldValue] = [:]

    init(_ text: String?) {
        if let text, let decoded = Codec.decode([String: FieldValue].self, text) { values = decoded }
    }

    /// The JSON the mirror keeps; nil when every write stuck.
    var text: String? { values.isEmpty ? nil : Codec.encode(values) }

    /// True when `value` was written to `field` before and did not stick.
    func holds(_ field: Field, _ value: FieldValue) -> Bool { values[field.rawValue] == value }

    mutating func add(_ field: Field, _ value: FieldValue) { values[field.rawValue] = value }

    /// What is still worth remembering: entries whose value is still the one
    /// to write, on a copy that still does not hold it.
    func keeping(merged: TaskFields, current: TaskFields?) -> StuckWrites {
        var kept = self
        kept.values = values.filter { name, value in
            guard let field = Field(rawValue: name) else { return false }
            return merged.value(of: field) == value && current?.value(of: field) != value
        }
        return kept
    }
}

extension Planner {
    /// The fields to write to each member that holds a copy, by member name,
    /// with the values to send (status as the member's own id). The merge
    /// says which fields differ from the merged value; this leaves out what
    /// the member cannot take, and says why in the plan:
    /// - an empty value for a field the member cannot clear;
    /// - a value it did not keep when it was last written (``StuckWrites``);
    /// - a status with no mapping for the member.
    /// A member left with nothing to write gets no request (rule 13).
    mutating func effectiveWrites(
        _ key: EntityKey, outcome: MergeOutcome<TaskFields>, sides: [MergeSide<TaskFields>], maps: EntityMappings,
        remoteIDs: [String: String], title: String
    ) -> [String: (Set<Field>, TaskFields)] {
        let merged = outcome.merged
        var result: [String: (Set<Field>, TaskFields)] = [:]
        for (i, fields) in outcome.writes.sorted(by: { $0.key < $1.key }) {
            let side = sides[i]
            guard let remoteID = remoteIDs[side.provider], side.current != nil, let m = member(side.provider) else { continue }
            func skip(_ reason: String) {
                d.plan.items.append(
                    PlanItem(.skip, provider: side.provider, entity: key.description, title: title, remoteID: remoteID, reason: reason))
            }
            var values = merged
            var set = Set(fields)
            let stuck = StuckWrites(maps[side.provider]?.stuck)
            for f in set.sorted() {
                let value = merged.value(of: f)
                if value == .none && m.capabilities.unclearableFields.contains(f) {
                    set.remove(f)
                    skip("\(side.provider) cannot clear \(f.rawValue): its value there stays")
                } else if stuck.holds(f, value) {
                    set.remove(f)
                    skip("\(side.provider) did not keep \(f.rawValue) = \(value) when it was last written (see the journal): not sent again until it changes")
                }
            }
            if set.contains(.status) {
                if let remote = link.remoteStatus(provider: side.provider, canonical: merged.status) {
                    values.status = remote
                } else {
                    set.remove(.status)
                    skip("status \(merged.status.map { "'\($0)'" } ?? "(none)") has no mapping for \(side.provider) in link \(link.name)")
                }
            }
            if !set.isEmpty { result[side.provider] = (set, values) }
        }
        return result
    }
}
