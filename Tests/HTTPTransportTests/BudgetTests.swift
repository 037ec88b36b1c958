import AdapterSupport
import Foundation
import Testing

@testable import HTTPTransport

/// A clock the test moves: sleeping jumps to the deadline at once.
final class ManualClock: TransportClock, @unchecked Sendable {
    private let lock = NSLock()
    private var t: Double = 0
    private var slept: Double = 0
    let wallStart = Date(timeIntervalSince1970: 1_800_000_000)

    func now() -> Double { lock.withLock { t } }
    func wallClock() -> Date { wallStart.addingTimeInterval(now()) }
    func sleep(until deadline: Double) async throws {
        lock.withLock {
            if deadline > t {
                slept += deadline - t
                t = deadline
            }
        }
        await Task.yield()
    }
    /// Seconds all sleepers together moved the clock.
    var totalSlept: Double { lock.withLock { slept } }
}

/// Answers from a list (then 200), and notes when each request arrived.
final class StubTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [HTTPResponse]
    private var log: [Double] = []
    let clock: ManualClock

    init(clock: ManualClock, replies: [HTTPResponse] = []) {
        self.clock = clock
        self.replies = replies
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let reply: HTTPResponse = lock.withLock {
            log.append(clock.now())
            return replies.isEmpty ? HTTPResponse(status: 200, body: Array("{}".utf8)) : replies.removeFirst()
        }
        await Task.yield()
        return reply
    }

    var sentAt: [Double] { lock.withLock { log } }
}

/// The most requests that any window [t, t + seconds) holds.
func busiestWindow(_ times: [Double], seconds: Double) -> Int {
    times.map { t in times.filter { $0 >= t && $0 < t + seconds }.count }.max() ?? 0
}

@Suite("request budget and 429s")
struct BudgetTests {
    @Test("25 requests through a budget of 10 per 10 s: never more than 10 in any 10 s")
    func oneWindow() async throws {
        let clock = ManualClock()
        let stub = StubTransport(clock: clock)
        let transport = RateLimitedTransport(
            wrapping: stub, policy: RateLimitPolicy(windows: [RateWindow(requests: 10, seconds: 10)]), clock: clock)
        for _ in 0..<25 { _ = try await transport.send(HTTPRequest(method: "GET", url: "http://x/")) }
        #expect(stub.sentAt.count == 25)
        #expect(busiestWindow(stub.sentAt, seconds: 10) == 10)
        #expect(stub.sentAt.last == 20, "two full windows waited, no more")
    }

    @Test("concurrent requests share one budget; several windows hold at once")
    func concurrentWindows() async throws {
        let clock = ManualClock()
        let stub = StubTransport(clock: clock)
        let windows = [RateWindow(requests: 3, seconds: 1), RateWindow(requests: 7, seconds: 10)]
        let transport = RateLimitedTransport(wrapping: stub, policy: RateLimitPolicy(windows: windows), clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<30 { group.addTask { _ = try await transport.send(HTTPRequest(method: "GET", url: "http://x/")) } }
            try await group.waitForAll()
        }
        #expect(stub.sentAt.count == 30)
        #expect(busiestWindow(stub.sentAt, seconds: 1) <= 3)
        #expect(busiestWindow(stub.sentAt, seconds: 10) <= 7)
        #expect(await transport.budget.requestsInFlight == 0)
    }

    @Test("a 429 with Retry-After 2 is waited out and the same request sent again")
    func shortRetryAfter() async throws {
        let clock = ManualClock()
        let stub = StubTransport(clock: clock, replies: [HTTPResponse(status: 429, headers: ["retry-after": "2"])])
        let client = APIClient(
            baseURL: "http://x", headers: [], transport: RateLimitedTransport(wrapping: stub, policy: RateLimitPolicy(), clock: clock))
        let response = try await client.call("POST", "/tasks", body: Array("{}".utf8))
        #expect(response.status == 200)
        #expect(stub.sentAt == [0, 2])
    }

    @Test("a 429 with Retry-After 3600 throws rateLimited(3600) at once and parks the provider's other requests")
    func longRetryAfter() async throws {
        let clock = ManualClock()
        let stub = StubTransport(
            clock: clock, replies: [HTTPResponse(status: 429, headers: ["retry-after": "3600"], body: Array(#"{"message":"later"}"#.utf8))])
        let client = APIClient(
            baseURL: "http://x", headers: [], transport: RateLimitedTransport(wrapping: stub, policy: RateLimitPolicy(), clock: clock))
        await #expect(throws: ProviderError.rateLimited(retryAfter: 3600, message: "later")) {
            _ = try await client.call("GET", "/tasks")
        }
        #expect(clock.totalSlept == 0)
        await #expect {
            _ = try await client.call("GET", "/tasks/2")
        } throws: { error in
            guard case ProviderError.rateLimited(let seconds?, _) = error else { return false }
            return seconds == 3600
        }
        #expect(stub.sentAt.count == 1, "the second request was not sent")
    }

    @Test("a 429 that names no time: rateLimited(nil), and the provider pauses 60 s")
    func unspecified() async throws {
        let clock = ManualClock()
        let stub = StubTransport(clock: clock, replies: [HTTPResponse(status: 429)])
        let transport = RateLimitedTransport(wrapping: stub, policy: RateLimitPolicy(), clock: clock)
        let client = APIClient(baseURL: "http://x", headers: [], transport: transport)
        await #expect(throws: ProviderError.rateLimited(retryAfter: nil, message: "(empty body)")) {
            _ = try await client.call("GET", "/tasks")
        }
        #expect(await transport.budget.pausedFor() == 60)
    }

    @Test("429s that keep coming are waited out three times, then reported")
    func retryCap() async throws {
        let clock = ManualClock()
        let again = HTTPResponse(status: 429, headers: ["x-ratelimit-reset": "1"])
        let stub = StubTransport(clock: clock, replies: Array(repeating: again, count: 10))
        let client = APIClient(
            baseURL: "http://x", headers: [], transport: RateLimitedTransport(wrapping: stub, policy: RateLimitPolicy(), clock: clock))
        await #expect(throws: ProviderError.rateLimited(retryAfter: 1, message: "(empty body)")) {
            _ = try await client.call("GET", "/tasks")
        }
        #expect(stub.sentAt == [0, 1, 2, 3])
    }

    @Test("a budget that would wait longer than retry_after_max parks the provider instead of stalling the cycle")
    func budgetTooLong() async throws {
        let clock = ManualClock()
        let stub = StubTransport(clock: clock)
        let transport = RateLimitedTransport(
            wrapping: stub, policy: RateLimitPolicy(windows: [RateWindow(requests: 2, seconds: 1800)], maxWait: 30), clock: clock)
        let client = APIClient(baseURL: "http://x", headers: [], transport: transport)
        _ = try await client.call("GET", "/a")
        _ = try await client.call("GET", "/b")
        await #expect {
            _ = try await client.call("GET", "/c")
        } throws: { error in
            guard case ProviderError.rateLimited(let seconds?, let message) = error else { return false }
            return seconds == 1800 && message.contains("2/30m")
        }
        #expect(stub.sentAt.count == 2)
    }

    @Test("no windows: nothing waits")
    func unlimited() async throws {
        let clock = ManualClock()
        let stub = StubTransport(clock: clock)
        let transport = RateLimitedTransport(wrapping: stub, policy: RateLimitPolicy(windows: []), clock: clock)
        for _ in 0..<1000 { _ = try await transport.send(HTTPRequest(method: "GET", url: "http://x/")) }
        #expect(clock.totalSlept == 0)
    }

    @Test("a request still in flight holds its place until it ends")
    func inFlightHoldsPlace() async throws {
        let clock = ManualClock()
        let budget = RequestBudget(windows: [RateWindow(requests: 1, seconds: 5)], clock: clock)
        try await budget.acquire(maxWait: 30)
        let second = Task { try await budget.acquire(maxWait: 30) }
        try await clock.sleep(until: 100)  // time passes while the first is in flight
        await budget.release()  // ends at 100: the second may start at 105
        try await second.value
        #expect(clock.now() == 105)
    }
}
