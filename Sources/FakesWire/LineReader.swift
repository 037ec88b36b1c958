import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads lines from a file descriptor on a thread of its own, and hands them
/// to async code: a blocking `read` never holds one of the few threads of
/// Swift's cooperative pool (which the fakes, or the engine, need).
///
/// One reader at a time: ``next(timeout:)`` is not meant to be called from
/// two tasks at once.
public final class LineReader: @unchecked Sendable {
    public enum Outcome: Sendable, Equatable {
        case line(String)
        /// The other end closed (or the read failed): no more lines.
        case end
        case timedOut
    }

    private let lock = NSLock()
    private var lines: [String] = []
    private var ended = false
    private var waiter: (id: Int, continuation: CheckedContinuation<Outcome, Never>)?
    private var lastID = 0
    /// The id of a wait whose time ran out before it started waiting.
    private var expired = -1

    /// Starts reading `fd` (left open: its owner closes it).
    public init(fileDescriptor fd: Int32) {
        let thread = Thread { [self] in readAll(fd) }
        thread.name = "LineReader(\(fd))"
        thread.start()
    }

    private func readAll(_ fd: Int32) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            pending.append(contentsOf: buffer[0..<n])
            while let newline = pending.firstIndex(of: 10) {
                deliver(.line(String(decoding: pending[..<newline], as: UTF8.self)))
                pending.removeSubrange(...newline)
            }
            // A long line (a fake's dump of 100,000 tasks) leaves a buffer
            // that large behind: let it go, or it counts in the benchmark's RSS.
            if pending.isEmpty && pending.capacity > 1 << 20 { pending = [] }
        }
        if !pending.isEmpty { deliver(.line(String(decoding: pending, as: UTF8.self))) }
        deliver(.end)
    }

    private func deliver(_ outcome: Outcome) {
        lock.lock()
        if case .line(let text) = outcome { lines.append(text) } else { ended = true }
        let ready = waiter.flatMap { waiter in takeLocked().map { (waiter.continuation, $0) } }
        if ready != nil { waiter = nil }
        lock.unlock()
        if let (continuation, outcome) = ready { continuation.resume(returning: outcome) }
    }

    /// The next line or the end, if there is one now; the lock is held.
    private func takeLocked() -> Outcome? {
        if !lines.isEmpty { return .line(lines.removeFirst()) }
        return ended ? .end : nil
    }

    /// The next line; `.end` once the other end has closed and every line was
    /// read; `.timedOut` when nothing came within `timeout` seconds (nil: waits as long as it takes).
    public func next(timeout: Double? = nil) async -> Outcome {
        let id = lock.withLock {
            lastID += 1
            return lastID
        }
        let timer = timeout.map { seconds in
            Task { [self] in
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                if !Task.isCancelled { expire(id) }
            }
        }
        defer { timer?.cancel() }
        return await withCheckedContinuation { continuation in
            lock.lock()
            if let outcome = takeLocked() {
                lock.unlock()
                continuation.resume(returning: outcome)
            } else if expired == id {
                lock.unlock()
                continuation.resume(returning: .timedOut)
            } else {
                waiter = (id, continuation)
                lock.unlock()
            }
        }
    }

    private func expire(_ id: Int) {
        lock.lock()
        guard let waiting = waiter, waiting.id == id else {
            expired = id
            lock.unlock()
            return
        }
        waiter = nil
        lock.unlock()
        waiting.continuation.resume(returning: .timedOut)
    }
}
