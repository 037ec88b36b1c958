/// One configured account of one task API, with its scope (a board, a
/// project and task list, ...). One adapter per provider kind conforms.
///
/// Contract:
/// - Every method either returns what the server answered, normalised to the
///   canonical model, or throws a ``ProviderError``. Nothing is retried
///   silently; the engine decides what a failure means.
/// - `status` values in and out are the provider's own status ids.
/// - Methods for capabilities the adapter does not declare are never called.
public protocol TaskProvider: Sendable {
    /// The provider's name in the config (`[[provider]] name = ...`).
    var name: String { get }
    /// The kind of API: `helpspace`, `productive`, ...
    var kind: String { get }
    var capabilities: Capabilities { get }

    /// Lists the tasks in scope. With `changedSince`, and where the provider
    /// can, only those changed since then (``TaskListing/isComplete`` false).
    func listTasks(changedSince: Timestamp?) async throws -> TaskListing
    /// Reads one task directly: the only proof that a task is gone.
    func readTask(id: String) async throws -> DirectRead
    func createTask(_ fields: TaskFields) async throws -> RemoteTask
    func updateTask(id: String, _ update: TaskUpdate) async throws -> RemoteTask
    func deleteTask(id: String) async throws
    func archiveTask(id: String) async throws

    func createSubtask(parentID: String, _ fields: SubtaskFields) async throws -> RemoteSubtask
    func updateSubtask(parentID: String, id: String, _ fields: SubtaskFields) async throws -> RemoteSubtask

    func listComments(taskID: String) async throws -> [RemoteComment]
    func createComment(taskID: String, _ fields: CommentFields) async throws -> RemoteComment
}

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
