import Foundation

/// Drops, page by page while a listing is read, the tasks its reader
/// already knows as they are, so a full listing of 100,000 tasks is never
/// held in memory at once: only the pages in flight and the tasks that
/// changed. The engine's Fetcher makes one per listing; `known` gives the
/// number its reader knows a listed task by (the engine: its entity id)
/// when the task holds exactly what the mirror last agreed, nil otherwise.
///
/// Contract for an adapter that takes one (``TaskProvider/listTasks(changedSince:sieve:)``):
/// pass each page's tasks through ``sift(_:)`` as soon as the page is
/// parsed, and list what it returns. Sifting is only a saving: a reader
/// checks the tasks it gets again, so an adapter that does not sift (the
/// default) is still right; sifting a page twice drops nothing more. A dropped task's inline subtasks are kept here
/// (``subtasksOfDropped``), and its `updated_at` counts in ``newestDropped``.
public final class ListingSieve: @unchecked Sendable {
    private let lock = NSLock()
    private let known: @Sendable (RemoteTask) -> Int64?
    private var dropped: Set<Int64> = []
    private var subtasks: [RemoteSubtask] = []
    private var newest: Timestamp?

    public init(known: @escaping @Sendable (RemoteTask) -> Int64?) {
        self.known = known
    }

    /// One that knows no task: sifting through it lists every one (a plain
    /// `listTasks(changedSince:)` of an adapter that sifts).
    public static func keepingAll() -> ListingSieve { ListingSieve { _ in nil } }

    /// The tasks of one page that are not known; the others are noted as dropped.
    public func sift(_ tasks: [RemoteTask]) -> [RemoteTask] {
        var kept: [RemoteTask] = []
        var droppedHere: [(key: Int64, task: RemoteTask)] = []
        for task in tasks {
            if let key = known(task) { droppedHere.append((key, task)) } else { kept.append(task) }
        }
        guard !droppedHere.isEmpty else { return tasks }  // the page itself, not a copy of it
        lock.lock()
        defer { lock.unlock() }
        for (key, task) in droppedHere {
            dropped.insert(key)
            subtasks += task.subtasks ?? []
            if let t = task.updatedAt { newest = max(newest ?? t, t) }
        }
        return kept
    }

    /// The numbers `known` gave for the tasks dropped so far (kept as
    /// numbers: a set of 100,000 ids as strings is twice the size).
    public var droppedKeys: Set<Int64> { lock.withLock { dropped } }
    /// The inline subtasks of the dropped tasks.
    public var subtasksOfDropped: [RemoteSubtask] { lock.withLock { subtasks } }
    /// The newest `updated_at` among the dropped tasks.
    public var newestDropped: Timestamp? { lock.withLock { newest } }
}
