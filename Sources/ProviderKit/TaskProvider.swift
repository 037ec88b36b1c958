@_exported import HTTPTransport
@_exported import TaskModel

/// One configured account of one task API, with its scope (a board, a
/// project and task list, ...): what every adapter is. Reading is all it
/// must do; each further capability is a protocol of its own below
/// (``TaskWriting``, ``CommentWriting``, ...), so the engine asks
/// `provider as? CommentWriting` and a capability cannot disagree with its
/// method. ``Capabilities/init(of:)`` derives the summary from them.
///
/// Contract, for every method here and in the capability protocols:
/// - It returns what the server answered, normalised to the canonical model
///   by the adapter's own translation (text, dates, priority, tags), or
///   throws a ``ProviderError``. Nothing is retried silently; the engine
///   decides what a failure means.
/// - Status is the one value an adapter cannot make canonical alone: the
///   link config names the canonical statuses. `fields.status` in and out
///   of an adapter is the provider's own status id; the engine's
///   `StatusTranslation` turns it into the link's canonical name and back,
///   in one place each way.
/// - A field the answer did not include is listed in
///   ``RemoteTask/unknownFields``: unknown, never empty (rule 13).
public protocol TaskProvider: Sendable {
    /// The provider's name in the config (`[[provider]] name = ...`).
    var name: String { get }
    /// The kind of API, as `kind = ...` in the config: `helpspace`, `productive`, ...
    var kind: String { get }
    /// The task fields it reads, and of those the ones it can write.
    var fields: FieldSupport { get }

    /// Runs once at the start of each cycle, before the listing (ProofHub
    /// resolves its labels, a provider its workflow statuses). A failure
    /// fails the provider for the cycle. Default: nothing.
    func prepare() async throws
    /// Lists the tasks in scope. With `changedSince`, and where the provider
    /// can (``IncrementalListing``), only those changed since then
    /// (``TaskListing/isComplete`` false).
    func listTasks(changedSince: Timestamp?) async throws -> TaskListing
    /// The same listing, each page's tasks passed through `sieve` as they
    /// are read (see ``ListingSieve``). The default lists them all.
    func listTasks(changedSince: Timestamp?, sieve: ListingSieve) async throws -> TaskListing
    /// Reads one task directly: the only proof that a task is gone.
    func readTask(_ ref: RemoteRef) async throws -> DirectRead
}

extension TaskProvider {
    public func prepare() async throws {}

    public func listTasks(changedSince: Timestamp?, sieve: ListingSieve) async throws -> TaskListing {
        try await listTasks(changedSince: changedSince)
    }
}

/// The task fields a provider holds.
public struct FieldSupport: Sendable, Hashable {
    public var readable: Set<Field>
    /// Of the readable fields, the ones it can set (``TaskWriting``).
    public var writable: Set<Field>
    /// Writable fields it cannot set back to empty: a value of none is not
    /// written (a request that would change nothing is never sent).
    public var unclearable: Set<Field>

    public init(readable: Set<Field>, writable: Set<Field>, unclearable: Set<Field> = []) {
        self.readable = readable
        self.writable = writable
        self.unclearable = unclearable
    }
}

/// Creates and updates tasks.
public protocol TaskWriting: TaskProvider {
    /// Creates a task with every writable field of `fields`.
    func createTask(_ fields: TaskFields) async throws -> RemoteTask
    /// Sets `update.fields` to their values in `update.values`, and nothing else.
    func updateTask(_ ref: RemoteRef, _ update: TaskUpdate) async throws -> RemoteTask
}

/// Deletes a task (``TaskDeleting``) when a link's `on_delete = "delete"`.
public protocol TaskDeleting: TaskProvider {
    func deleteTask(_ ref: RemoteRef) async throws
}

/// Archives a task when a link's `on_delete = "archive"`.
public protocol TaskArchiving: TaskProvider {
    func archiveTask(_ ref: RemoteRef) async throws
}

/// Holds subtasks, reads them with its tasks (inline in ``RemoteTask/subtasks``
/// or in ``TaskListing/subtasks``) and writes them.
public protocol SubtaskSyncing: TaskProvider {
    /// The subtask fields it can set. Default: all.
    var subtaskWritableFields: Set<SubtaskField> { get }
    func createSubtask(parent: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask
    func updateSubtask(parent: RemoteRef, _ ref: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask
}

extension SubtaskSyncing {
    public var subtaskWritableFields: Set<SubtaskField> { Set(SubtaskField.allCases) }
}

/// Holds subtasks that its listing leaves out: each task's subtasks are a
/// request of their own (ActiveCollab). Its ``TaskProvider/listTasks(changedSince:)``
/// returns tasks without subtasks (``RemoteTask/subtasks`` nil) and
/// ``TaskProvider/readTask(_:)`` returns them with theirs. The engine reads a
/// task's subtasks by the comment rule: when the task is new or changed,
/// when a subtask create under it awaits its answer, and otherwise in
/// rotating batches (`[sync] comments_every`). A subtask not read in a cycle
/// is unchanged for that cycle, never missing.
public protocol SubtasksListedPerTask: SubtaskSyncing {
    func listSubtasks(task: RemoteRef) async throws -> [RemoteSubtask]
}

/// Reads a task's comments.
public protocol CommentReading: TaskProvider {
    func listComments(task: RemoteRef) async throws -> [RemoteComment]
}

/// Adds comments to a task.
public protocol CommentWriting: TaskProvider {
    func createComment(task: RemoteRef, _ fields: CommentFields) async throws -> RemoteComment
}

/// `listTasks(changedSince:)` honours its argument: an idle poll is cheap.
public protocol IncrementalListing: TaskProvider {}

/// A new comment moves its task's `updated_at`, so a task whose `updated_at`
/// did not move has no new comment, and the engine reads comments of changed
/// tasks only. Without it, the engine also reads every task's comments in
/// rotating batches (`[sync] comments_every`). No document of the five
/// providers promises it.
public protocol CommentsTouchTask: CommentReading {}

/// Why a call to a provider failed. `isProviderWide` failures stop the
/// provider for this cycle; the others fail only the item at hand.
public enum ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Network, DNS, TLS or timeout.
    case transport(String)
    /// A network failure after a request that may create something (a POST,
    /// HelpSpace's subtask PATCH) may have reached the server: whether it
    /// took effect is unknown, and it was not sent again. The outbox row
    /// stays for reconciliation (rule 4), not for a blind re-send.
    case outcomeUnknown(String)
    /// 401 or 403: the token is wrong or lacks rights.
    case unauthorized(status: Int, message: String)
    /// 429: try again after the given number of seconds, if the server said.
    case rateLimited(retryAfter: Double?, message: String)
    /// 5xx.
    case server(status: Int, message: String)
    /// A body that does not parse as the document says.
    case malformed(String)
    /// 4xx on one item (404 on a write, 422 validation, 400 ...).
    case rejected(status: Int, message: String)
    /// The adapter was asked for something it cannot do.
    case unsupported(String)

    public var isProviderWide: Bool {
        switch self {
        case .transport, .outcomeUnknown, .unauthorized, .rateLimited, .server: true
        case .malformed, .rejected, .unsupported: false
        }
    }

    public var description: String {
        switch self {
        case .transport(let m): "network error: \(m)"
        case .outcomeUnknown(let m): "network error, outcome unknown (the request may have reached the server; not sent again): \(m)"
        case .unauthorized(let s, let m): "HTTP \(s) unauthorized: \(m)"
        case .rateLimited(let r, let m): "HTTP 429 rate limited" + (r.map { " (retry after \(Int($0)) s)" } ?? "") + ": \(m)"
        case .server(let s, let m): "HTTP \(s) server error: \(m)"
        case .malformed(let m): "malformed answer: \(m)"
        case .rejected(let s, let m): "HTTP \(s) rejected: \(m)"
        case .unsupported(let m): "unsupported: \(m)"
        }
    }
}
