import Foundation
import Mirror
import ProviderFakes
import ProviderKit
import SyncEngine
import Testing

/// 429s end to end: the fakes' real headers, through libcurl and the
/// provider's RateLimitedTransport, into the mirror's provider state.
@Suite("Rate limits: a 429's own time is honoured")
struct RateLimitTests {
    func backoffSeconds(_ h: Harness, _ provider: String) throws -> Double? {
        let state = try h.mirror().providerStates().first { $0.provider == provider }
        return state?.backoffUntil.flatMap(Timestamp.init(parsing:)).map { $0.secondsSince1970 - Timestamp.now.secondsSince1970 }
    }

    @Test("HelpSpace's Retry-After: 3600 parks it for an hour (not the 60 s fallback); status shows until when")
    func helpSpaceLong() async throws {
        try await withHarness { h in
            await h.hs.seed(title: "Waits")
            await h.hs.inject(.rateLimited(seconds: 3600), times: 1, method: "GET")
            let report = try await h.cycle()
            #expect(report.outcome == .partial)
            #expect(report.errors.contains { $0.contains("retry after 3600 s") })
            let left = try #require(try backoffSeconds(h, "hs"))
            #expect(left > 3500 && left <= 3600)
            #expect(await h.hs.ledger.byMethod["GET"] == 1, "one request, no retry of a long wait")
        }
    }

    @Test("Productive's X-RateLimit-Reset: 3600 parks it for an hour")
    func productiveLong() async throws {
        try await withHarness { h in
            await h.pr.inject(.rateLimited(seconds: 3600), times: 1, method: "GET")
            let report = try await h.cycle()
            #expect(report.outcome == .partial)
            let left = try #require(try backoffSeconds(h, "pr"))
            #expect(left > 3500 && left <= 3600)
        }
    }

    @Test(
        "a 429 with Retry-After: 1 (seconds, or the HTTP-date a second ahead) is waited out inside the cycle: the task still lands",
        arguments: [FakeHelpSpace.Options.RetryAfter.seconds, .httpDate])
    func shortIsWaitedOut(_ form: FakeHelpSpace.Options.RetryAfter) async throws {
        try await withHarness { h in
            await h.hs.setOptions(.init(retryAfter: form))
            await h.hs.seed(title: "Arrives anyway")
            await h.hs.inject(.rateLimited(seconds: 1), times: 1, method: "GET")
            let report = try await h.cycle()
            #expect(report.errors == [])
            #expect(await h.prTask("Arrives anyway") != nil)
            #expect(try backoffSeconds(h, "hs") == nil)
        }
    }
}
