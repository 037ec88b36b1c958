import Mirror
import ProviderKit

/// What the fetch phase learned about one member of a link this cycle.
struct MemberSnapshot: Sendable {
    let name: String
    let capabilities: Capabilities
    /// nil when the member was read; the error otherwise (its items wait).
    var failure: ProviderError?
    /// Top-level tasks by remote id, status already mapped to canonical.
    var tasks = DenseTable<String, RemoteTask>()
    /// Listed tasks that hold exactly what the mirror last agreed with this
    /// member (the digest of its shadow and the same `updated_at`), kept as
    /// ids only: the planner takes them as unchanged, as it does the tasks a
    /// changed-since listing leaves out, and a full listing of 100,000 tasks
    /// then holds the few that changed, not all of them.
    /// By entity id (a set of 100,000 numbers is half one of strings).
    var unchanged: Set<Int64> = []
    /// Subtasks by remote id (inline or listed on their own).
    var subtasks: [String: RemoteSubtask] = [:]
    /// Each task's and subtask's ``TaskFields/fingerprint``, by
    /// remote id: computed once when read, compared with mapping digests.
    var digests: [String: Int64] = [:]
    /// Comments by task remote id, for the tasks whose comments were read.
    var comments: [String: [RemoteComment]] = [:]
    /// A full listing: a mapped task absent from it was read directly.
    var complete = false
    /// Mapped tasks a direct read confirmed gone, with the reason.
    var gone: [String: String] = [:]
    var newestUpdate: Timestamp?
    var requests = 0
    var problems: [String] = []
    /// Tasks new to the mirror past this cycle's `create_batch`: neither
    /// their comments nor their subtasks are read, and the planner leaves
    /// them for a later cycle (``NewTaskBatch``).
    var waiting: Set<String> = []

    var available: Bool { failure == nil }

    /// Whether the listing showed this task (changed or not).
    func listed(_ id: String, entity: Int64?) -> Bool { tasks[id] != nil || entity.map(unchanged.contains) == true }

    /// How many tasks the listing showed.
    var listedCount: Int { tasks.count + unchanged.count }

    mutating func add(_ task: RemoteTask) {
        tasks[task.id] = task
        digests[task.id] = task.fields.fingerprint
    }

    mutating func add(_ subtask: RemoteSubtask) {
        subtasks[subtask.id] = subtask
        digests["s" + subtask.id] = subtask.fields.fingerprint
    }

    mutating func add(contentsOf subtasks: [RemoteSubtask]) {
        for sub in subtasks { add(sub) }
    }

    func taskDigest(_ id: String) -> Int64? { digests[id] }
    func subtaskDigest(_ id: String) -> Int64? { digests["s" + id] }
}

/// A first sync in batches (`create_batch`): of a member's tasks that the
/// mirror does not know, the first `limit` in id order are read in full and
/// planned this cycle, the rest wait. The Fetcher and the Planner take the
/// one set this computes, so what is planned is exactly what was read.
/// A task that waits and pairs by title with another member's task is
/// still paired this cycle (pairing needs only the listings), its
/// comments then coming with the rotation (`comments_every`).
enum NewTaskBatch {
    static func waiting(_ snap: MemberSnapshot, state: LinkMirrorState, limit: Int) -> Set<String> {
        let unmapped = snap.tasks.keys.filter { state.mapping(provider: snap.name, remoteID: $0) == nil }
        guard unmapped.count > limit else { return [] }
        return Set(unmapped.sorted(by: Planner.idOrder).dropFirst(limit))
    }
}

/// Names an entity in a plan before and after it has a row in the mirror.
enum EntityKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    case existing(Int64)
    case new(String)

    var description: String {
        switch self {
        case .existing(let id): "#\(id)"
        case .new(let key): "new:\(key)"
        }
    }

    static func < (a: EntityKey, b: EntityKey) -> Bool { a.description < b.description }
}

/// A remote write the executor carries out, in plan order.
enum Operation: Sendable {
    /// `after`: the newest timestamp the member showed before this create,
    /// so a copy whose answer was lost can be re-found (created after it).
    case createTask(entity: EntityKey, provider: String, fields: TaskFields, after: Timestamp?)
    case updateTask(entity: EntityKey, provider: String, remoteID: String, update: TaskUpdate)
    case deleteTask(entity: EntityKey, provider: String, remoteID: String)
    case archiveTask(entity: EntityKey, provider: String, remoteID: String)
    case createSubtask(entity: EntityKey, parent: EntityKey, provider: String, fields: SubtaskFields)
    case updateSubtask(entity: EntityKey, provider: String, parentRemoteID: String, remoteID: String, fields: SubtaskFields)
    case createComment(entity: EntityKey, task: EntityKey, provider: String, fields: CommentFields)

    var provider: String {
        switch self {
        case .createTask(_, let p, _, _), .updateTask(_, let p, _, _), .deleteTask(_, let p, _), .archiveTask(_, let p, _),
            .createSubtask(_, _, let p, _), .updateSubtask(_, let p, _, _, _), .createComment(_, _, let p, _):
            p
        }
    }

    var entity: EntityKey {
        switch self {
        case .createTask(let e, _, _, _), .updateTask(let e, _, _, _), .deleteTask(let e, _, _), .archiveTask(let e, _, _),
            .createSubtask(let e, _, _, _), .updateSubtask(let e, _, _, _, _), .createComment(let e, _, _, _):
            e
        }
    }

    /// A write to a task itself; subtask and comment writes come after these,
    /// once their task's copy exists.
    var isTaskLevel: Bool {
        switch self {
        case .createTask, .updateTask, .deleteTask, .archiveTask: true
        case .createSubtask, .updateSubtask, .createComment: false
        }
    }

    var isCreate: Bool {
        switch self {
        case .createTask, .createSubtask, .createComment: true
        default: false
        }
    }

    /// A write of new values to a copy that exists: a repeat has the same effect.
    var isUpdate: Bool {
        switch self {
        case .updateTask, .updateSubtask: true
        default: false
        }
    }

    var name: String {
        switch self {
        case .createTask: "create-task"
        case .updateTask: "update-task"
        case .deleteTask: "delete-task"
        case .archiveTask: "archive-task"
        case .createSubtask: "create-subtask"
        case .updateSubtask: "update-subtask"
        case .createComment: "create-comment"
        }
    }
}

/// A mirror row the cycle writes before any remote write is sent.
struct NewEntity: Sendable {
    var key: EntityKey
    var kind: EntityKind
    var parent: EntityKey?
    var canonical: String
}

struct MappingWrite: Sendable {
    var entity: EntityKey
    var provider: String
    var remoteID: String
    var parentRemoteID: String?
    var shadow: String
    /// The remote `updated_at`, as stored.
    var updatedAt: Int64?
    /// The shadow's ``TaskFields/fingerprint``.
    var shadowDigest: Int64?
    /// ``Codec/digest(_:)`` of the canonical value this copy holds, when it holds it.
    var synced: Int64?
    /// ``StuckWrites`` text: values written that this copy did not keep.
    var stuck: String?
}

struct Observation: Sendable {
    var provider: String?
    var entity: EntityKey
    var kind: String
    var field: String?
    var old: String?
    var new: String?
    var detail: String?
}

struct ConflictNote: Sendable {
    var entity: EntityKey
    var field: String
    var winner: String
    var winnerValue: String
    var loser: String
    var loserValue: String
    /// The values themselves, kept as JSON beside the printed ones (what `conflicts restore` puts back).
    var winnerRaw: FieldValue
    var loserRaw: FieldValue
}

/// Everything one cycle of one link decided: the printable plan, and what
/// to write locally and remotely to carry it out.
struct CycleDecisions: Sendable {
    var plan: LinkPlan
    var newEntities: [NewEntity] = []
    var canonicalUpdates: [EntityKey: String] = [:]
    var stateChanges: [(EntityKey, EntityState)] = []
    var mappings: [MappingWrite] = []
    var observations: [Observation] = []
    var conflicts: [ConflictNote] = []
    var operations: [Operation] = []
    /// Pending outbox rows this cycle settles: id -> reconciled or abandoned.
    var settledOutbox: [(Int64, String, String?)] = []
    /// Per member: its new tasks that `create_batch` left for a later cycle.
    var waitingByMember: [String: Int] = [:]
}
