import Foundation
import HTTPTransport
import ProviderFakes
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 12, "Health and metrics": `tasksync run` with a `[metrics]` table
/// serves GET /metrics in the Prometheus text format, as a scraper (or an
/// operator with curl) reads it.
@Suite("Metrics endpoint: tasksync run serves GET /metrics in the Prometheus text format", .serialized)
struct MetricsEndpointTests {
    /// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard fd >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// One answer of the endpoint: status, content type, body.
    static func get(_ url: String, method: String = "GET") async throws -> HTTPResponse {
        var options = TransportOptions()
        options.requestTimeout = 10
        return try await CurlTransport(options: options).send(HTTPRequest(method: method, url: url, body: method == "GET" ? nil : []))
    }

    /// The samples of a Prometheus text page: `name{labels}` (as written) to value.
    static func samples(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = value
        }
        return out
    }

    /// Scrapes until `done` holds for the samples, up to a generous deadline
    /// (a cycle on a loaded machine); returns the last page read.
    static func scrape(_ url: String, until done: ([String: Double]) -> Bool) async -> String {
        var last = ""
        let end = Date().addingTimeInterval(90)
        while Date() < end {
            if let r = try? await get(url), r.status == 200 {
                last = r.text
                if done(samples(last)) { return last }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    @Test(
        "after a cycle: cycles counted, requests per provider, a 429 from a fake counted, a create with no answer pending in the outbox, the errors; after the next cycle the link's last success is set and the outbox empty; 404 beside /metrics"
    )
    func scrapedAfterCycles() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let port = try Self.freePort()
        // One cycle per SIGHUP (a reload cuts the wait short): nothing here waits for the clock.
        let config = h.configText.replacingOccurrences(of: "poll_interval = 5", with: "poll_interval = 3600")
        try (config + "\n[metrics]\nlisten = \"\(port)\"\n").write(toFile: h.configPath, atomically: true, encoding: .utf8)
        _ = await h.hs.seed(title: "Counted on its way")
        // Productive's first GET: a 429 waited out (1 s, under retry_after_max) and sent again.
        await h.pr.inject(.rateLimited(seconds: 1), times: 1, method: "GET")
        // Productive's create: a 500, so its outcome is unknown and the outbox row stays pending.
        await h.pr.inject(.status(500), times: 1, method: "POST")
        let daemon = h.process(["run", "--config", h.configPath], stderrPath: h.dir + "/run.log")
        try daemon.run()
        defer { kill(daemon.processIdentifier, SIGKILL) }
        let url = "http://127.0.0.1:\(port)/metrics"

        let first = await Self.scrape(url) { $0["tasksync_cycles_total"] == 1 }
        let s = Self.samples(first)
        #expect(s["tasksync_cycles_total"] == 1, "\(first)\n\(h.text(h.dir + "/run.log"))")
        #expect(s["tasksync_cycle_failures_total"] == 1, "\(first)")
        #expect((s["tasksync_provider_requests_total{provider=\"helpspace\"}"] ?? 0) > 0, "\(first)")
        #expect((s["tasksync_provider_requests_total{provider=\"productive\"}"] ?? 0) > 0, "\(first)")
        #expect(s["tasksync_provider_http_429_total{provider=\"productive\"}"] == 1, "\(first)")
        #expect(s["tasksync_provider_http_429_total{provider=\"helpspace\"}"] == 0, "\(first)")
        #expect(s["tasksync_outbox_pending{provider=\"productive\"}"] == 1, "\(first)")
        #expect(s["tasksync_outbox_pending{provider=\"helpspace\"}"] == 0, "\(first)")
        #expect((s["tasksync_provider_errors_total{provider=\"productive\"}"] ?? 0) >= 1, "\(first)")
        #expect(s["tasksync_provider_errors_total{provider=\"helpspace\"}"] == 0, "\(first)")
        #expect(s["tasksync_conflicts_total{link=\"support-web\"}"] == 0, "\(first)")
        #expect(s["tasksync_link_last_success_timestamp_seconds{link=\"support-web\"}"] == 0, "the link has not synced without an error yet: \(first)")
        #expect(first.contains("# TYPE tasksync_cycles_total counter"), "\(first)")
        #expect(first.contains("# TYPE tasksync_outbox_pending gauge"), "\(first)")

        let answer = try await Self.get(url)
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8", "\(answer.headers)")
        #expect(try await Self.get("http://127.0.0.1:\(port)/").status == 404)
        #expect(try await Self.get("http://127.0.0.1:\(port)/metrics/x").status == 404)
        #expect(try await Self.get(url, method: "POST").status == 404)

        // The next cycle re-finds no copy, creates it, and the link syncs without an error.
        kill(daemon.processIdentifier, SIGHUP)
        let second = await Self.scrape(url) { $0["tasksync_cycles_total"] == 2 }
        let t = Self.samples(second)
        let now = Date().timeIntervalSince1970
        #expect(t["tasksync_cycles_total"] == 2, "\(second)\n\(h.text(h.dir + "/run.log"))")
        #expect(t["tasksync_cycle_failures_total"] == 1, "\(second)")
        #expect(t["tasksync_outbox_pending{provider=\"productive\"}"] == 0, "\(second)")
        let lastSuccess = t["tasksync_link_last_success_timestamp_seconds{link=\"support-web\"}"] ?? 0
        #expect(lastSuccess > now - 3600 && lastSuccess <= now + 60, "unix seconds of the second cycle: \(second)")
        #expect(await h.pr.tasks.values.filter { $0.title == "Counted on its way" }.count == 1)

        kill(daemon.processIdentifier, SIGTERM)
        #expect(await h.exitStatus(daemon, timeout: 20) == 0)
        #expect((try? await Self.get(url)) == nil, "the endpoint ends with the daemon")
    }

    @Test("without [metrics] there is no endpoint; check-config names the file and metrics.listen for a bad value (exit 78)")
    func offByDefaultAndBadListen() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let port = try Self.freePort()
        let config = h.configText.replacingOccurrences(of: "poll_interval = 5", with: "poll_interval = 3600")
        try config.write(toFile: h.configPath, atomically: true, encoding: .utf8)
        let (synced, _) = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 60)
        #expect(synced == 0, "\(h.stderr)")
        let daemon = h.process(["run", "--config", h.configPath], stderrPath: h.dir + "/run.log")
        try daemon.run()
        defer { kill(daemon.processIdentifier, SIGKILL) }
        let end = Date().addingTimeInterval(30)
        while !h.text(h.dir + "/run.log").contains("tasksync ready") && Date() < end { try await Task.sleep(for: .milliseconds(50)) }
        #expect(h.text(h.dir + "/run.log").contains("tasksync ready"))
        #expect(!h.text(h.dir + "/run.log").contains("metrics endpoint"), "\(h.text(h.dir + "/run.log"))")
        #expect((try? await Self.get("http://127.0.0.1:\(port)/metrics")) == nil)
        kill(daemon.processIdentifier, SIGTERM)
        #expect(await h.exitStatus(daemon, timeout: 20) == 0)

        try (config + "\n[metrics]\nlisten = \"metrics.example.com:9464\"\n").write(toFile: h.configPath, atomically: true, encoding: .utf8)
        let (status, _) = try await h.runToEnd(["check-config", "--config", h.configPath], stderrPath: h.dir + "/check.log")
        #expect(status == 78)
        #expect(
            h.text(h.dir + "/check.log").contains(
                "\(h.configPath): metrics.listen: \"metrics.example.com:9464\": 'metrics.example.com' is not an IP address"),
            "\(h.text(h.dir + "/check.log"))")
        let (run, _) = try await h.runToEnd(["run", "--config", h.configPath], timeout: 30, stderrPath: h.dir + "/run2.log")
        #expect(run == 78)
        #expect(h.text(h.dir + "/run2.log").contains("metrics.listen"), "\(h.text(h.dir + "/run2.log"))")
    }
}
