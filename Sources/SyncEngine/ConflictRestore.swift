import Mirror
import ProviderKit

/// `tasksync conflicts restore ID`: the losing value of a conflict becomes
/// the task's value again, as a new edit made in the mirror. The next cycle
/// of the link finds every member that holds another value and writes it
/// there (no member changed the field since its shadow, so the canonical
/// value stands and is written: rule 1), journaling it like any push.
///
/// Refused, with the reason, when the task (or subtask) is gone, or when its
/// field no longer holds the winner's value: it changed again since the
/// conflict, and putting the old loser back would overwrite a newer edit.
public enum ConflictRestore {
    /// Why a conflict cannot be restored.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case alreadyRestored(at: String, cycle: Int64?)
        case alreadyRequested(at: String)
        case refusedBefore(String)
        case gone(entity: Int64, state: String)
        case changedSince(field: String, now: String, winner: String)
        case unreadable(String)

        public var description: String {
            switch self {
            case .alreadyRestored(let at, let cycle):
                "it was already restored at \(at)\(cycle.map { " (cycle \($0))" } ?? ""); a conflict is restored once"
            case .alreadyRequested(let at):
                "its restore was already asked at \(at); the link's next cycle does it (tasksync conflicts show says when)"
            case .refusedBefore(let why):
                "its restore was refused before: \(why)"
            case .gone(let entity, let state):
                "task #\(entity) is gone (\(state) in the mirror): there is nothing to put the value back on"
            case .changedSince(let field, let now, let winner):
                "\(field) has changed since the conflict: it is now \(now), no longer the winner's \(winner); putting the losing value back "
                    + "would overwrite that newer edit. Edit the task on a provider instead"
            case .unreadable(let why):
                "the conflict's values cannot be read back: \(why)"
            }
        }
    }

    /// The entity's canonical value with the conflict's losing value put
    /// back, or why not. `entity`: the conflict's entity as the mirror holds
    /// it now, with its canonical value; nil when the mirror has none.
    public static func restored(_ c: ConflictRecord, entity: EntityRecord?) -> Result<String, Refusal> {
        if let at = c.restoredAt { return .failure(.alreadyRestored(at: at, cycle: c.restoredCycle)) }
        if let why = c.restoreRefused { return .failure(.refusedBefore(why)) }
        guard let entity else { return .failure(.gone(entity: c.entityID, state: "not in the mirror")) }
        guard entity.state == .active else { return .failure(.gone(entity: c.entityID, state: entity.state.rawValue)) }
        guard let winner = value(json: c.winnerJSON, printed: c.winnerValue), let loser = value(json: c.loserJSON, printed: c.loserValue) else {
            return .failure(.unreadable("no value recorded"))
        }
        guard let now = currentValue(c, entity: entity) else {
            return .failure(.unreadable("entity #\(entity.id) holds no \(c.field) the mirror can read"))
        }
        guard now == winner else { return .failure(.changedSince(field: c.field, now: now.description, winner: winner.description)) }
        switch (c.field, loser) {
        case ("subtask.title", .text(let t)):
            guard var fields = Codec.decode(SubtaskFields.self, entity.canonical) else { break }
            fields.title = t
            return .success(Codec.encode(fields))
        case ("subtask.done", .flag(let b)):
            guard var fields = Codec.decode(SubtaskFields.self, entity.canonical) else { break }
            fields.done = b
            return .success(Codec.encode(fields))
        default:
            guard let field = Field(rawValue: c.field), var fields = Codec.decode(TaskFields.self, entity.canonical), fields.set(field, to: loser)
            else { break }
            return .success(Codec.encode(fields))
        }
        return .failure(.unreadable("\(c.field) cannot hold \(loser)"))
    }

    /// The conflict's field as its task (or subtask) holds it in the mirror
    /// now; nil when the entity holds no such field.
    public static func currentValue(_ c: ConflictRecord, entity: EntityRecord) -> FieldValue? {
        switch c.field {
        case "subtask.title", "subtask.done":
            guard entity.kind == .subtask, let fields = Codec.decode(SubtaskFields.self, entity.canonical) else { return nil }
            return c.field == "subtask.title" ? .text(fields.title) : .flag(fields.done)
        default:
            guard entity.kind == .task, let field = Field(rawValue: c.field), let fields = Codec.decode(TaskFields.self, entity.canonical) else {
                return nil
            }
            return fields.value(of: field)
        }
    }

    /// The value a conflict recorded: its JSON (conflicts since migration
    /// 0006), or else its printed form read back.
    public static func value(json: String?, printed: String?) -> FieldValue? {
        if let json, let v = Codec.decode(FieldValue.self, json) { return v }
        return FieldValue(printed: printed, isField: true)
    }
}
