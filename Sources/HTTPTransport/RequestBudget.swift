import Foundation

/// What the request budget reads the time from: a monotonic scale to count
/// windows on, the wall clock for HTTP-dates, and a sleep that suspends a
/// task, never a thread. Tests pass a clock they move by hand.
public protocol TransportClock: Sendable {
    /// Seconds on a monotonic scale; only differences mean anything.
    func now() -> Double
    /// The wall clock, for an HTTP-date in a response without a `Date` header.
    func wallClock() -> Date
    /// Returns once ``now()`` has reached `deadline`.
    func sleep(until deadline: Double) async throws
}

/// The system's clocks: `ContinuousClock` and `Task.sleep`.
public struct SystemTransportClock: TransportClock {
    private static let origin = ContinuousClock.now

    public init() {}

    public func now() -> Double {
        let elapsed = ContinuousClock.now - Self.origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    public func wallClock() -> Date { Date() }

    public func sleep(until deadline: Double) async throws {
        let seconds = deadline - now()
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64((seconds * 1e9).rounded(.up))) }
    }
}

/// One published limit: at most `requests` in any `seconds`.
public struct RateWindow: Sendable, Equatable, CustomStringConvertible {
    public var requests: Int
    public var seconds: Double

    public init(requests: Int, seconds: Double) {
        self.requests = max(1, requests)
        self.seconds = seconds
    }

    public var description: String {
        let s = seconds
        if s >= 3600, s.truncatingRemainder(dividingBy: 3600) == 0 { return "\(requests)/\(Int(s / 3600))h" }
        if s >= 60, s.truncatingRemainder(dividingBy: 60) == 0 { return "\(requests)/\(Int(s / 60))m" }
        return s == s.rounded() ? "\(requests)/\(Int(s))s" : "\(requests)/\(s)s"
    }
}

/// A request that was not sent because its provider must wait longer than
/// the transport waits inside a cycle: after a 429 whose Retry-After is
/// longer, or when the budget's windows are used up for that long. The
/// provider is parked until then.
public struct RateLimitWait: Error, Sendable, Equatable, CustomStringConvertible {
    /// Seconds until a request may be sent.
    public var retryAfter: Double
    public var reason: String

    public init(retryAfter: Double, reason: String) {
        self.retryAfter = retryAfter
        self.reason = reason
    }

    public var description: String { "\(reason) (not sent; next request in \(Int(retryAfter.rounded(.up))) s)" }
}

/// One provider's request budget: every window at once (Productive: 100
/// per 10 s and 4,000 per 30 min), shared by all of that provider's
/// concurrent requests, and paused after a 429.
///
/// A request holds a place in every window from the moment it is let
/// through until `seconds` after its answer arrived (or it failed). The
/// server counts a request when it arrives, some time between the two, so
/// no window of the server's, sliding or fixed, sees more than `requests`.
public actor RequestBudget {
    public nonisolated let windows: [RateWindow]
    private let clock: any TransportClock
    /// When finished requests ended, oldest first; kept for the longest window.
    private var ended: [Double] = []
    private var head = 0
    private var inFlight = 0
    private var pausedUntil = -Double.infinity
    private var pauseReason = ""
    private var waitingForRelease: [CheckedContinuation<Void, Never>] = []
    private let longest: Double

    public init(windows: [RateWindow], clock: any TransportClock = SystemTransportClock()) {
        self.windows = windows
        self.clock = clock
        self.longest = windows.map(\.seconds).max() ?? 0
    }

    private enum Wait {
        case none
        case until(Double, String)
        case release
    }

    private func wait(now: Double) -> Wait {
        if now < pausedUntil { return .until(pausedUntil, pauseReason) }
        var until = -Double.infinity
        var reason = ""
        for w in windows {
            let first = firstLive(w.seconds, now: now)
            let finishedInWindow = ended.count - first
            let excess = inFlight + finishedInWindow - w.requests + 1
            guard excess > 0 else { continue }
            // Places held by requests still in flight free up only when they end.
            if excess > finishedInWindow { return .release }
            let t = ended[first + excess - 1] + w.seconds
            if t > until {
                until = t
                reason = "request budget \(w) used up"
            }
        }
        return until > now ? .until(until, reason) : .none
    }

    /// The index of the first ended request that still counts in a window
    /// of `seconds`: one counts until `now >= end + seconds`.
    private func firstLive(_ seconds: Double, now: Double) -> Int {
        var lo = head
        var hi = ended.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if now >= ended[mid] + seconds { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Waits until one more request fits every window and the provider is
    /// not paused, then counts it as in flight; ``release()`` ends it.
    /// Throws ``RateLimitWait`` at once, counting nothing, when that would
    /// take more than `maxWait` seconds.
    public func acquire(maxWait: Double) async throws {
        while true {
            try Task.checkCancellation()
            let now = clock.now()
            switch wait(now: now) {
            case .none:
                inFlight += 1
                return
            case .until(let t, let reason):
                if t - now > maxWait { throw RateLimitWait(retryAfter: t - now, reason: reason) }
                try await clock.sleep(until: t)
            case .release:
                await withCheckedContinuation { waitingForRelease.append($0) }
            }
        }
    }

    /// Ends a request that ``acquire(maxWait:)`` let through: its answer
    /// arrived, or it failed.
    public func release() {
        inFlight -= 1
        let now = clock.now()
        ended.append(max(now, ended.last ?? now))
        while head < ended.count, now >= ended[head] + longest { head += 1 }
        if head > 1024, head * 2 > ended.count {
            ended.removeFirst(head)
            head = 0
        }
        let waiting = waitingForRelease
        waitingForRelease = []
        for c in waiting { c.resume() }
    }

    /// Lets no request through for `seconds` (a 429 said so).
    public func pause(for seconds: Double, reason: String) {
        let until = clock.now() + seconds
        if until > pausedUntil {
            pausedUntil = until
            pauseReason = reason
        }
    }

    /// Seconds until the provider may send again after a pause; 0 if it may now.
    public func pausedFor() -> Double { max(0, pausedUntil - clock.now()) }

    /// Requests let through and not yet released.
    public var requestsInFlight: Int { inFlight }
}
