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

/// `status` when something waits: a create with no answer pending in the
/// outbox, a provider parked by a long 429, a link's last error and last
/// success.
@Suite("status with writes pending and a provider parked", .serialized)
struct StatusWaitingTests {
    func key(_ object: [String: Any], _ camel: String) -> Any? {
        object[camel] ?? object[camel.replacing(/[A-Z]/) { "_" + $0.output.lowercased() }]
    }

    func statusJSON(_ h: DaemonHarness) async throws -> (providers: [String: [String: Any]], links: [[String: Any]]) {
        let (j, json) = try await h.runToEnd(["status", "--json", "--config", h.configPath])
        #expect(j == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let providers = (object?["providers"] as? [[String: Any]] ?? []).reduce(into: [String: [String: Any]]()) {
            $0[$1["provider"] as? String ?? "?"] = $1
        }
        return (providers, object?["links"] as? [[String: Any]] ?? [])
    }

    @Test(
        "a create answered 500 is pending for its provider and link, with the link's last error; a clean cycle sets the link's last ok and clears both; a 429 asking for an hour parks the provider until then, the last ok kept"
    )
    func pendingAndParked() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        _ = await h.hs.seed(title: "Waits in the outbox")
        await h.pr.inject(.status(500), times: 1, method: "POST")
        _ = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 60)
        let (_, pending) = try await h.runToEnd(["status", "--config", h.configPath])
        #expect(pending.contains("link support-web: last outcome partial, last ok never"), "\(pending)")
        #expect(pending.contains("  1 outbox entries pending (written, not yet known to have landed)"), "\(pending)")
        let productive = pending.components(separatedBy: "provider productive:").last ?? ""
        #expect(productive.contains("  1 outbox entries pending"), "\(pending)")
        #expect(productive.contains("  last error ("), "\(pending)")
        let link = pending.components(separatedBy: "link support-web:").last?.components(separatedBy: "provider ").first ?? ""
        #expect(link.contains("  last error (") && link.contains("productive:"), "\(pending)")
        var (providers, links) = try await statusJSON(h)
        #expect(key(providers["productive"] ?? [:], "pendingOutbox") as? Int == 1, "\(providers)")
        #expect(key(providers["helpspace"] ?? [:], "pendingOutbox") as? Int == 0, "\(providers)")
        #expect(key(links.first ?? [:], "pendingOutbox") as? Int == 1, "\(links)")
        #expect(key(links.first ?? [:], "lastError") is String, "\(links)")
        #expect(key(links.first ?? [:], "lastSuccessAt") == nil || key(links.first ?? [:], "lastSuccessAt") is NSNull, "\(links)")

        // The next cycle re-finds no copy and creates it: the link syncs clean.
        let (clean, _) = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 60)
        #expect(clean == 0, "\(h.stderr)")
        let (_, ok) = try await h.runToEnd(["status", "--config", h.configPath])
        #expect(ok.contains("link support-web: last outcome ok, last ok 20"), "\(ok)")
        let linkAfter = ok.components(separatedBy: "link support-web:").last?.components(separatedBy: "provider ").first ?? ""
        #expect(!linkAfter.contains("last error") && !linkAfter.contains("outbox entries pending"), "\(ok)")
        #expect(!ok.contains("outbox entries pending"), "\(ok)")
        let lastOK = try #require(key(try await statusJSON(h).links.first ?? [:], "lastSuccessAt") as? String)

        // HelpSpace answers its listing with a 429 asking for an hour: parked until then, the rest goes on.
        await h.hs.inject(.rateLimited(seconds: 3600), times: 1, method: "GET")
        _ = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 60)
        let (_, parked) = try await h.runToEnd(["status", "--config", h.configPath])
        let helpspace = parked.components(separatedBy: "provider helpspace:").last?.components(separatedBy: "provider productive:").first ?? ""
        #expect(helpspace.contains("  parked until 20") && helpspace.contains("(rate limited)"), "\(parked)")
        #expect(parked.contains("link support-web: last outcome partial, last ok \(lastOK)"), "the last success stays: \(parked)")
        (providers, links) = try await statusJSON(h)
        let until = try #require(key(providers["helpspace"] ?? [:], "backoffUntil") as? String, "\(providers)")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let untilDate = try #require(formatter.date(from: until), "\(until)")
        #expect(untilDate.timeIntervalSinceNow > 1800, "an hour ahead, give or take the run: \(until)")
        #expect(key(providers["productive"] ?? [:], "backoffUntil") == nil || key(providers["productive"] ?? [:], "backoffUntil") is NSNull)
        #expect((key(links.first ?? [:], "lastError") as? String)?.contains("helpspace") == true, "\(links)")
        #expect(await h.pr.tasks.values.filter { $0.title == "Waits in the outbox" }.count == 1)
    }
}
