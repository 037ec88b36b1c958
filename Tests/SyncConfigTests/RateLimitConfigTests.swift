import Foundation
import ProviderCatalog
import SyncConfig
import Testing

@Suite("Config: rate_limit and retry_after_max")
struct RateLimitConfigTests {
    let file = "/etc/tasksync/tasksync.toml"

    func config(helpspace: String = "", productive: String = "", sync: String = "") -> String {
        twoProviderConfig(helpspace: helpspace, productive: productive, sync: sync)
    }

    func errors(_ text: String) -> [String] { configErrors(text, source: file) }

    @Test("defaults: Productive's published windows, none for HelpSpace, retry_after_max 30 s")
    func defaults() throws {
        let c = try ConfigLoader.parse(config(), source: file)
        #expect(c.provider(named: "a")?.rateLimit == [])
        #expect(
            c.provider(named: "b")?.rateLimit == [RateLimitWindow(requests: 100, seconds: 10), RateLimitWindow(requests: 4000, seconds: 1800)])
        #expect(c.sync.retryAfterMax == 30)
        #expect(c.provider(named: "b")?.retryAfterMax == 30)
    }

    @Test("rate_limit and retry_after_max as written")
    func parsed() throws {
        let c = try ConfigLoader.parse(
            config(helpspace: #"rate_limit = "25/10s,1000/1h , 5/s, 2/0.5s""#, productive: #"rate_limit = "none""#, sync: "retry_after_max = 5"),
            source: file)
        #expect(
            c.provider(named: "a")?.rateLimit == [
                RateLimitWindow(requests: 25, seconds: 10), RateLimitWindow(requests: 1000, seconds: 3600),
                RateLimitWindow(requests: 5, seconds: 1), RateLimitWindow(requests: 2, seconds: 0.5),
            ])
        #expect(c.provider(named: "b")?.rateLimit == [])
        #expect(c.provider(named: "a")?.retryAfterMax == 5)
        #expect(c.provider(named: "a")?.rateLimit.map(\.description) == ["25/10s", "1000/1h", "5/1s", "2/0.5s"])
    }

    @Test("bad values are rejected with the file and the key")
    func rejected() {
        for bad in [#""100/10""#, #""0/10s""#, #""fast""#, #""""#, #""100/10s,""#, #""100/0s""#, #""10/25h""#, #""-1/10s""#, #""1e3/10s""#, "100"] {
            let e = errors(config(productive: "rate_limit = \(bad)"))
            #expect(e.count == 1, "\(bad): \(e)")
            #expect(e.first?.hasPrefix("\(file): provider[1] (b).rate_limit: ") == true, "\(bad): \(e)")
        }
        #expect(errors(config(sync: "retry_after_max = 600")) == ["\(file): sync.retry_after_max: must be between 0 and 120 (line 2)"])
        #expect(errors(config(sync: "retry_after_max = \"soon\"")) == ["\(file): sync.retry_after_max: expected a number, found \"soon\" (line 2)"])
    }
}

@Suite("What a rate limit makes of a number of requests")
struct MinimumSecondsTests {
    @Test("the first window's worth at once, then one window's worth per window; the slowest window decides")
    func minimum() {
        let productive = [RateLimitWindow(requests: 100, seconds: 10), RateLimitWindow(requests: 4000, seconds: 1800)]
        #expect(RateLimitWindow.minimumSeconds(for: 100, under: productive) == 0)
        #expect(RateLimitWindow.minimumSeconds(for: 101, under: productive) == 10)
        #expect(RateLimitWindow.minimumSeconds(for: 2000, under: productive) == 190)
        // 10,000: 2 more windows of 30 min beat 99 of 10 s.
        #expect(RateLimitWindow.minimumSeconds(for: 10_000, under: productive) == 3600)
        #expect(RateLimitWindow.minimumSeconds(for: 1000, under: [RateLimitWindow(requests: 25, seconds: 10)]) == 390)
        #expect(RateLimitWindow.minimumSeconds(for: 1_000_000, under: []) == 0)
    }
}
