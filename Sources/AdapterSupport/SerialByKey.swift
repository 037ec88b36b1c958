import Foundation

/// Runs work one at a time per key, in the order it asked; work under
/// different keys runs at once. For an adapter whose write is a read
/// followed by a write of the whole thing read (HelpSpace's subtasks: the
/// parent's whole `sub_tasks` list): two of those at once under one key
/// would both write what they read before either, and the second would undo
/// the first. Within one process only; one process writes a mirror's
/// providers at a time (rule 14).
public final class SerialByKey: @unchecked Sendable {
    private let lock = NSLock()
    /// Keys whose work is running.
    private var busy: Set<String> = []
    /// Per key, the callers waiting their turn, first come first.
    private var queues: [String: [CheckedContinuation<Void, Never>]] = [:]

    public init() {}

    /// Runs `body` once no other work under `key` is running, and lets the
    /// next one waiting for `key` run when it ends (also when it throws).
    public func run<T>(_ key: String, _ body: () async throws -> T) async rethrows -> T {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    /// How many callers wait for `key` (the one running not counted).
    public func waiting(_ key: String) -> Int {
        lock.withLock { queues[key]?.count ?? 0 }
    }

    private func acquire(_ key: String) async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let free = lock.withLock {
                if busy.insert(key).inserted { return true }
                queues[key, default: []].append(turn)
                return false
            }
            if free { turn.resume() }
        }
    }

    private func release(_ key: String) {
        let next: CheckedContinuation<Void, Never>? = lock.withLock {
            guard var queue = queues[key], !queue.isEmpty else {
                busy.remove(key)
                return nil
            }
            // The key stays busy: the turn passes straight to the next caller.
            let first = queue.removeFirst()
            queues[key] = queue.isEmpty ? nil : queue
            return first
        }
        next?.resume()
    }
}
