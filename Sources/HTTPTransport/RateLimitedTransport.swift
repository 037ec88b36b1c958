import Foundation
import Logging

/// How a provider's requests are budgeted and how its 429s are handled.
public struct RateLimitPolicy: Sendable, Equatable {
    /// The provider's published limits; empty: no limit on this side.
    public var windows: [RateWindow]
    /// The longest the transport waits inside a cycle, for a 429's
    /// Retry-After or for room in the budget (`[sync] retry_after_max`).
    /// A longer wait parks the provider: ``RateLimitWait``.
    public var maxWait: Double
    /// How many times one request waits out a 429 and is sent again.
    public var maxRetries: Int
    /// How long a 429 that names no time pauses the provider.
    public var unspecifiedPause: Double

    public init(windows: [RateWindow] = [], maxWait: Double = 30, maxRetries: Int = 3, unspecifiedPause: Double = 60) {
        self.windows = windows
        self.maxWait = maxWait
        self.maxRetries = maxRetries
        self.unspecifiedPause = unspecifiedPause
    }
}

/// One provider's view of the shared transport: every request first gets
/// room in the provider's ``RequestBudget``, and a 429 pauses the provider.
///
/// A 429 whose Retry-After (or X-RateLimit-Reset) is at most
/// ``RateLimitPolicy/maxWait`` is waited out and the same request sent
/// again, up to ``RateLimitPolicy/maxRetries`` times; a 429 means the
/// request was not processed, so this holds for a POST too. A longer one,
/// or one that names no time, is returned as it came, for the adapter to
/// report as rate limited; the provider's other requests then fail at once
/// with ``RateLimitWait`` until the time is up.
public struct RateLimitedTransport: HTTPTransport {
    public let inner: any HTTPTransport
    public let policy: RateLimitPolicy
    public let budget: RequestBudget
    private let clock: any TransportClock
    private let logger: Logger

    public init(
        wrapping inner: any HTTPTransport, policy: RateLimitPolicy, provider: String = "",
        clock: any TransportClock = SystemTransportClock()
    ) {
        self.inner = inner
        self.policy = policy
        self.clock = clock
        self.budget = RequestBudget(windows: policy.windows, clock: clock)
        var logger = Logger(label: "tasksync.http")
        if !provider.isEmpty { logger[metadataKey: "provider"] = "\(provider)" }
        self.logger = logger
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var retries = 0
        while true {
            do {
                try await budget.acquire(maxWait: policy.maxWait)
            } catch is CancellationError {
                throw TransportError("\(request.method) \(redacted(request.url)): cancelled while waiting for the request budget")
            }
            let response: HTTPResponse
            do {
                response = try await inner.send(request)
            } catch {
                await budget.release()
                throw error
            }
            await budget.release()
            guard response.status == 429 else { return response }
            let delay = response.retryAfter(now: clock.wallClock())
            await budget.pause(for: delay ?? policy.unspecifiedPause, reason: "paused after HTTP 429")
            guard let delay, delay <= policy.maxWait, retries < policy.maxRetries else {
                logger.warning(
                    "HTTP 429: provider paused for \(Int((delay ?? policy.unspecifiedPause).rounded(.up))) s",
                    metadata: ["method": "\(request.method)"])
                return response
            }
            retries += 1
            logger.notice("HTTP 429: waiting \(delay) s, then sending again", metadata: ["method": "\(request.method)"])
        }
    }
}
