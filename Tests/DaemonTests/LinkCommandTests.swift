import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 12, "command line": one link or one provider at a time, pausing a
/// link, and what `status` says about links and providers.
@Suite("Link commands: sync --link/--provider, pause and resume, status per link and provider", .serialized)
struct LinkCommandTests {
    /// A JSON key as written (camelCase) or in snake_case: the test holds whichever style the output takes.
    func key(_ object: [String: Any], _ camel: String) -> Any? {
        object[camel] ?? object[camel.replacing(/[A-Z]/) { "_" + $0.output.lowercased() }]
    }

    @Test("sync --link and --provider run only those links; an unknown name exits 64 and lists the known ones")
    func syncOneLink() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let (unknown, _) = try await h.runToEnd(["sync", "--link", "nope", "--config", h.configPath], timeout: 30, stderrPath: h.dir + "/u.log")
        #expect(unknown == 64)
        #expect(h.text(h.dir + "/u.log").contains("unknown link nope; the config has: support-web"), "\(h.text(h.dir + "/u.log"))")
        let (unknownDry, _) = try await h.runToEnd(
            ["sync", "--dry-run", "--provider", "nope", "--config", h.configPath], timeout: 30, stderrPath: h.dir + "/p.log")
        #expect(unknownDry == 64)
        #expect(h.text(h.dir + "/p.log").contains("unknown provider nope; the config has: helpspace, productive"), "\(h.text(h.dir + "/p.log"))")

        _ = await h.hs.seed(title: "Only this link")
        let (dry, plan) = try await h.runToEnd(["sync", "--dry-run", "--provider", "productive", "--config", h.configPath], timeout: 60)
        #expect(dry == 0)
        #expect(plan.contains("link support-web:"), "\(plan)")
        let (real, out) = try await h.runToEnd(["sync", "--link", "support-web", "--config", h.configPath], timeout: 60)
        #expect(real == 0, "\(h.stderr)")
        #expect(out.contains("link support-web:"), "\(out)")
        #expect(await h.pr.tasks.values.contains { $0.title == "Only this link" })
    }

    @Test("pause skips the link in sync and says so in the plan and in status; resume syncs it again; pause beside run exits 75")
    func pauseAndResume() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let (paused, pauseOut) = try await h.runToEnd(["pause", "--link", "support-web", "--reason", "board migration", "--config", h.configPath])
        #expect(paused == 0, "\(h.stderr)")
        #expect(pauseOut.contains("link support-web: paused since"), "\(pauseOut)")
        let (unknown, _) = try await h.runToEnd(["pause", "--link", "nope", "--config", h.configPath], stderrPath: h.dir + "/u.log")
        #expect(unknown == 64)

        _ = await h.hs.seed(title: "Waits for resume")
        let (skipped, plan) = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 60)
        #expect(skipped == 0, "\(h.stderr)")
        #expect(plan.contains("paused since") && plan.contains("reason board migration"), "\(plan)")
        #expect(await !h.pr.tasks.values.contains { $0.title == "Waits for resume" })
        let (_, status) = try await h.runToEnd(["status", "--config", h.configPath])
        #expect(status.contains("PAUSED since") && status.contains("reason board migration"), "\(status)")

        // The daemon holds the mirror's lock: pause and resume exit 75 naming it.
        let daemon = h.process(["run", "--config", h.configPath], stderrPath: h.dir + "/run.log")
        try daemon.run()
        let end = Date().addingTimeInterval(20)
        while !h.text(h.mirrorPath + ".lock").contains("pid=\(daemon.processIdentifier)") && Date() < end {
            try await Task.sleep(for: .milliseconds(50))
        }
        let (locked, _) = try await h.runToEnd(["resume", "--link", "support-web", "--config", h.configPath], stderrPath: h.dir + "/l.log")
        #expect(locked == 75)
        #expect(h.text(h.dir + "/l.log").contains("pid \(daemon.processIdentifier)"), "\(h.text(h.dir + "/l.log"))")
        // An unknown link is a usage error even while the lock is held.
        let (usage, _) = try await h.runToEnd(["sync", "--link", "nope", "--config", h.configPath], stderrPath: h.dir + "/u2.log")
        #expect(usage == 64)
        kill(daemon.processIdentifier, SIGTERM)
        #expect(await h.exitStatus(daemon, timeout: 20) == 0)
        #expect(await !h.pr.tasks.values.contains { $0.title == "Waits for resume" })

        let (resumed, _) = try await h.runToEnd(["resume", "--link", "support-web", "--config", h.configPath])
        #expect(resumed == 0)
        let (synced, out) = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 60)
        #expect(synced == 0)
        #expect(!out.contains("paused"), "\(out)")
        #expect(await h.pr.tasks.values.contains { $0.title == "Waits for resume" })
    }

    @Test("status shows each link's last outcome and each provider's last success, pending outbox and not-kept count, also as JSON")
    func statusPerLinkAndProvider() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        _ = await h.hs.seed(title: "Shown in status")
        let (synced, _) = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 60)
        #expect(synced == 0, "\(h.stderr)")
        let (s, status) = try await h.runToEnd(["status", "--config", h.configPath])
        #expect(s == 0)
        #expect(status.contains("link support-web: last outcome ok"), "\(status)")
        #expect(status.contains("provider productive: last ok 20"), "\(status)")
        _ = try await h.runToEnd(["pause", "--link", "support-web", "--reason", "audit", "--config", h.configPath])
        let (j, json) = try await h.runToEnd(["status", "--json", "--config", h.configPath])
        #expect(j == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let providers = object?["providers"] as? [[String: Any]] ?? []
        #expect(providers.count == 2, "\(json)")
        for p in providers {
            #expect(key(p, "pendingOutbox") as? Int == 0, "\(p)")
            #expect(key(p, "notKept") is Int, "\(p)")
            #expect(key(p, "lastSuccessAt") is String, "\(p)")
        }
        let links = object?["links"] as? [[String: Any]] ?? []
        #expect(key(links.first ?? [:], "pausedReason") as? String == "audit", "\(json)")
        #expect(key(links.first ?? [:], "lastOutcome") as? String == "ok", "\(json)")
    }
}
