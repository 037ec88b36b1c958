import Foundation
import HTTPTransport
import Logging
import SystemdGlue

/// Set once, on SIGTERM or SIGINT (rule 16): the engine reads it before
/// each write and after each fetch, the transport before each read. Those
/// waiting on a read hear of it at once through ``onStop(_:)``.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var waiting: [Int: @Sendable () -> Void] = [:]
    private var nextToken = 0

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    func set() {
        lock.lock()
        let wasSet = stopping
        stopping = true
        let callbacks = waiting.values
        waiting = [:]
        lock.unlock()
        if !wasSet { callbacks.forEach { $0() } }
    }

    /// Runs `callback` when the flag is set (at once if it already is);
    /// returns a token for ``cancel(_:)``.
    @discardableResult
    func onStop(_ callback: @escaping @Sendable () -> Void) -> Int {
        lock.lock()
        if stopping {
            lock.unlock()
            callback()
            return -1
        }
        nextToken += 1
        let token = nextToken
        waiting[token] = callback
        lock.unlock()
        return token
    }

    func cancel(_ token: Int) {
        lock.lock()
        waiting[token] = nil
        lock.unlock()
    }
}

/// Pings systemd's watchdog, at most four times per interval it asked for.
/// Only real progress calls ``ping()``: a response that arrived, a write
/// stored, a cycle finished, or the idle wait between cycles.
final class Watchdog: @unchecked Sendable {
    let notifier: SystemdNotifier
    let interval: Duration?
    private let lock = NSLock()
    private var last = ContinuousClock.now

    init(notifier: SystemdNotifier) {
        self.notifier = notifier
        self.interval = notifier.watchdogInterval
    }

    func ping() {
        guard let interval else { return }
        lock.lock()
        let due = last.duration(to: .now) >= interval / 4
        if due { last = .now }
        lock.unlock()
        if due { notifier.watchdog() }
    }

    /// The longest a request may take under this watchdog: half its
    /// interval. A hung request then ends (and fails its provider alone)
    /// with a quarter of the interval to spare, counting the up to a
    /// quarter that ``ping()`` may have held back before it was sent.
    static func requestTimeout(configured: Double, watchdog: Duration?, logger: Logger) -> Double {
        guard let watchdog else { return configured }
        let limit = Double(watchdog.components.seconds) + Double(watchdog.components.attoseconds) / 1e18
        guard configured > limit / 2 else { return configured }
        let clamped = max(0.5, limit / 2)
        logger.notice(
            "[sync] request_timeout = \(configured) s is more than half the watchdog interval (\(limit) s, WatchdogSec=): using \(clamped) s, so a hung request ends before the watchdog fires"
        )
        return clamped
    }
}

/// Wraps the transport every adapter shares (rule 16):
///
/// - every response that arrived, whatever its status, is progress: it
///   calls `progress` (the watchdog), so a long fetch feeds the watchdog
///   page by page and a hung request does not;
/// - once stopping, no new read is sent, and a read in flight is not waited
///   for (its answer is dropped): the cycle ends without writing. Writes
///   are left to the engine, which sends none once stopping and lets the
///   one in flight finish, so its outcome is known.
struct LivenessTransport: HTTPTransport {
    let inner: any HTTPTransport
    let progress: (@Sendable () -> Void)?
    let stop: StopFlag?

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let stop, request.method == "GET" || request.method == "HEAD" else {
            let response = try await inner.send(request)
            progress?()
            return response
        }
        if stop.isSet { throw Self.stopped(request) }
        let inner = self.inner
        let answer = OnceContinuation<HTTPResponse>()
        let response = try await withCheckedThrowingContinuation { continuation in
            answer.set(continuation)
            let token = stop.onStop { answer.resume(with: .failure(Self.stopped(request))) }
            Task {
                let result: Result<HTTPResponse, any Error>
                do { result = .success(try await inner.send(request)) } catch { result = .failure(error) }
                stop.cancel(token)
                answer.resume(with: result)
            }
        }
        progress?()
        return response
    }

    static func stopped(_ request: HTTPRequest) -> TransportError {
        TransportError("\(request.method) not sent or not awaited: tasksync is stopping")
    }
}

/// A continuation resumed by whichever comes first.
final class OnceContinuation<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(with: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func resume(with result: Result<T, any Error>) {
        lock.lock()
        guard let continuation else {
            if early == nil { early = result }
            lock.unlock()
            return
        }
        self.continuation = nil
        lock.unlock()
        continuation.resume(with: result)
    }
}
