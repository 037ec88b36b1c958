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

    @Test("check-config without $CREDENTIALS_DIRECTORY checks /etc/tasksync/credentials/ and says so; with it, that folder")
    func checkConfigCredentials() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let withCredential = h.dir + "/credential.toml"
        try h.configText.replacingOccurrences(of: "token_file = \"\(h.dir)/productive.token\"", with: "token_credential = \"tasksync-test-token\"")
            .write(toFile: withCredential, atomically: true, encoding: .utf8)
        // Without it: the install script's folder, which has no such credential here.
        let bare = h.process(["check-config", "--config", withCredential], environment: ["CREDENTIALS_DIRECTORY": ""])
        try bare.run()
        #expect(await h.exitStatus(bare, timeout: 30) == 78)
        #expect(h.stderr.contains("credential 'tasksync-test-token': cannot read /etc/tasksync/credentials/tasksync-test-token"))
        #expect(h.stderr.contains("credentials checked in /etc/tasksync/credentials/ ($CREDENTIALS_DIRECTORY is not set)"))
        // With it, as under the unit's LoadCredential=.
        let credentials = h.dir + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try h.pr.token.write(toFile: credentials + "/tasksync-test-token", atomically: true, encoding: .utf8)
        let outPath = h.dir + "/check-config.out"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let set = h.process(["check-config", "--config", withCredential], environment: ["CREDENTIALS_DIRECTORY": credentials])
        set.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        try set.run()
        #expect(await h.exitStatus(set, timeout: 30) == 0)
        #expect(h.text(outPath).contains("credentials checked in \(credentials)/ ($CREDENTIALS_DIRECTORY)"))
    }

    @Test("check-config: a cut [[link header exits 78 naming the line; board_id = \"one\" fails as sync would")
    func checkConfigMalformed() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let cut = h.dir + "/cut.toml"
        try h.configText.replacingOccurrences(of: "[[link]]", with: "[[link").write(toFile: cut, atomically: true, encoding: .utf8)
        let line = h.configText.components(separatedBy: "\n").firstIndex { $0 == "[[link]]" }! + 1
        let (status, _) = try await run(h, ["check-config", "--config", cut])
        #expect(status == 78)
        #expect(h.stderr.contains("\(cut): line \(line), column 7: the header [[link]] is not closed with ]]"))
        let board = h.dir + "/board.toml"
        try h.configText.replacingOccurrences(of: "board_id = 1", with: "board_id = \"one\"").write(toFile: board, atomically: true, encoding: .utf8)
        let (boardStatus, _) = try await run(h, ["check-config", "--config", board])
        #expect(boardStatus == 78)
        #expect(h.stderr.contains("\(board): provider[0] (helpspace).board_id: expected a HelpSpace id (an integer, like 3), found \"one\""))
    }

    @Test("sync --dry-run --json prints the plan as JSON and leaves no mirror behind")
    func dryRunJSON() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        await h.hs.seed(title: "Planned")
        let (status, out) = try await run(h, ["sync", "--dry-run", "--json", "--config", h.configPath])
        #expect(status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(report["dry_run"] as? Bool == true)
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
