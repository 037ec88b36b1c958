import Foundation
import Testing

@Suite("The command line as an operator uses it", .serialized)
struct CLITests {
    func run(_ h: DaemonHarness, _ arguments: [String]) async throws -> (Int32, String) {
        let (status, out) = try await h.runToEnd(arguments, timeout: 30)
        return (status, out)
    }

    @Test("check-config names the file and the key of each error and exits 78")
    func checkConfig() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let (ok, okOut) = try await run(h, ["check-config", "--config", h.configPath])
        #expect(ok == 0)
        #expect(okOut.contains("valid"))
        let broken = h.dir + "/broken.toml"
        try h.configText.replacingOccurrences(of: "board_id = 1", with: "board_id = \"one\"")
            .replacingOccurrences(of: "on_delete = \"archive\"", with: "")
            .appending("\n[[link]]\nname = \"second\"\nmembers = [\"helpspace\"]\n")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let (status, _) = try await run(h, ["check-config", "--config", broken])
        #expect(status == 78)
        #expect(h.stderr.contains("\(broken): link[1] (second).members: a link needs two or more providers"))
        #expect(h.stderr.contains("\(broken): link[1] (second).members: 'helpspace' is already in link 'support-web'"))
    }

    @Test("sync --dry-run --json prints the plan as JSON and leaves no mirror behind")
    func dryRunJSON() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        await h.hs.seed(title: "Planned")
        let (status, out) = try await run(h, ["sync", "--dry-run", "--json", "--config", h.configPath])
        #expect(status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(report["dryRun"] as? Bool == true)
        let plans = try #require(report["plans"] as? [[String: Any]])
        let items = try #require(plans.first?["items"] as? [[String: Any]])
        #expect(items.contains { $0["action"] as? String == "create" && $0["title"] as? String == "Planned" && $0["provider"] as? String == "productive" })
        #expect(!FileManager.default.fileExists(atPath: h.mirrorPath))
        #expect(await h.pr.liveTasks().isEmpty)
    }

    @Test("sync exits 2 when a provider fails, and status shows the error")
    func partialExit() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        await h.pr.inject(.status(503), times: 5)
        let (status, _) = try await run(h, ["sync", "--config", h.configPath])
        #expect(status == 2)
        let (statusCode, out) = try await run(h, ["status", "--config", h.configPath])
        #expect(statusCode == 0)
        #expect(out.contains("provider productive"))
        #expect(out.contains("HTTP 503"))
    }
}
