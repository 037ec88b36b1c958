import Foundation
import Testing

@Suite("tasksync run under systemd: notify, watchdog, reload, stop", .serialized)
struct NotifyTests {
    @Test("READY=1, STATUS=, WATCHDOG=1, RELOADING=1 on SIGHUP, STOPPING=1 on SIGTERM, in that order; exit 0")
    func lifecycle() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        await h.hs.seed(title: "Notify me")
        let listener = try DatagramListener(path: h.dir + "/notify.sock")
        defer { listener.stop() }
        let daemon = h.process(
            ["run", "--config", h.configPath],
            environment: [
                "NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "10000000",
            ])
        try daemon.run()
        #expect(await listener.waitFor { $0.contains("READY=1") })
        #expect(await listener.waitFor { $0.contains("STATUS=cycle 1:") })
        // Pings may come during the cycle too (each response is progress); wait for one after it.
        #expect(
            await listener.waitFor { _ in
                let m = listener.messages
                return (m.lastIndex { $0 == "WATCHDOG=1" } ?? -1) > (m.firstIndex { $0.contains("STATUS=cycle 1:") } ?? Int.max)
            })
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await listener.waitFor { $0.contains("RELOADING=1") })
        #expect(await listener.waitFor { $0.contains("STATUS=config reloaded") })
        kill(daemon.processIdentifier, SIGTERM)
        #expect(await listener.waitFor { $0.contains("STOPPING=1") })
        #expect(await h.waitForExit(daemon, timeout: 20))
        #expect(daemon.terminationStatus == 0, "stderr: \(h.stderr)")

        let m = listener.messages
        func first(_ s: String) -> Int { m.firstIndex { $0.contains(s) } ?? Int.max }
        #expect(first("READY=1") < first("STATUS=cycle 1:"))
        #expect(first("READY=1") < first("WATCHDOG=1"))
        #expect(m.indices.contains { m[$0] == "WATCHDOG=1" && $0 > first("STATUS=cycle 1:") && $0 < first("RELOADING=1") })
        #expect(first("RELOADING=1") < first("STOPPING=1"))
        #expect(
            await h.pr.liveTasks().contains { $0.title == "Notify me" },
            "statuses: \(m.filter { $0.hasPrefix("STATUS=") }); stderr: \(h.stderr.suffix(3000))")
    }

    @Test("SIGHUP with a broken config: the daemon keeps running on the old one and says why")
    func brokenReload() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let listener = try DatagramListener(path: h.dir + "/notify.sock")
        defer { listener.stop() }
        let daemon = h.process(["run", "--config", h.configPath], environment: ["NOTIFY_SOCKET": listener.path])
        try daemon.run()
        #expect(await listener.waitFor { $0.contains("STATUS=cycle 1:") })
        // A new task waits for the next cycle, which comes right after the reload.
        await h.hs.seed(title: "After the bad reload")
        try "[[provider]]\nname = ".write(toFile: h.configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await listener.waitFor { $0.contains("reload failed, running on the previous config") })
        #expect(await listener.waitFor(15) { $0.contains("STATUS=cycle 2:") })
        #expect(await h.pr.liveTasks().contains { $0.title == "After the bad reload" })
        #expect(daemon.isRunning)
        #expect(h.stderr.contains("reload failed"))
        #expect(h.stderr.contains("tasksync.toml"))
        kill(daemon.processIdentifier, SIGTERM)
        #expect(await h.waitForExit(daemon, timeout: 20))
        #expect(daemon.terminationStatus == 0)
    }
}
