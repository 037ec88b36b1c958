import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 12, "the command line": `tasksync conflicts show|restore ID` and
/// `tasksync resync --link NAME`, run as an operator runs them.
@Suite("conflicts show and restore, resync --link", .serialized)
struct ConflictAndResyncCommandTests {
    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    func keys(_ json: Any) -> [String] {
        if let d = json as? [String: Any] { return d.keys + d.values.flatMap(keys) }
        if let a = json as? [Any] { return a.flatMap(keys) }
        return []
    }

    /// A synced task renamed on both members before the next sync: one title conflict.
    func conflicted(_ h: DaemonHarness) async throws -> (hs: Int64, pr: Int, conflict: [String: Any]) {
        let hsID = await h.hs.seed(title: "Plan")
        #expect(try await h.runToEnd(["sync", "--config", h.configPath]).status == 0, "\(h.stderr)")
        let prID = try #require(await h.pr.liveTasks().first { $0.title == "Plan" }).id
        await h.hs.edit(hsID) { $0.title = "Plan from HelpSpace" }
        await h.pr.edit(prID) { $0.title = "Plan from Productive" }
        #expect(try await h.runToEnd(["sync", "--config", h.configPath]).status == 0, "\(h.stderr)")
        let (status, out) = try await h.runToEnd(["conflicts", "--json", "--config", h.configPath])
        #expect(status == 0)
        let rows = try #require(try json(out) as? [[String: Any]], "\(out)")
        #expect(rows.count == 1, "\(out)")
        return (hsID, prID, try #require(rows.first))
    }

    @Test("conflicts restore ID, then sync: the losing value is on both providers; show says restored and when; a second restore exits 65")
    func restoreThenSync() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let (hsID, prID, row) = try await conflicted(h)
        let id = try #require(row["id"] as? Int)
        let loser = try #require(row["loser_value"] as? String)
        let winner = try #require(row["winner_value"] as? String)
        #expect(Set([loser, winner]) == ["Plan from HelpSpace", "Plan from Productive"])
        #expect(row["restore_state"] as? String == "none")
        #expect(keys(row).allSatisfy { k in k.allSatisfy { $0.isLowercase || $0 == "_" } }, "\(row.keys)")

        let (shown, show) = try await h.runToEnd(["conflicts", "show", "\(id)", "--config", h.configPath])
        #expect(shown == 0, "\(h.stderr)")
        for line in [
            "conflict \(id): cycle 2", "field:   title", "winner:  \(row["winner_provider"]!) \"\(winner)\"",
            "loser:   \(row["loser_provider"]!) \"\(loser)\"", "(the winner's value)", "not restored (tasksync conflicts restore \(id)",
        ] {
            #expect(show.contains(line), "\(line) in \(show)")
        }

        let (asked, askOut) = try await h.runToEnd(["conflicts", "restore", "\(id)", "--config", h.configPath])
        #expect(asked == 0, "\(h.stderr)")
        #expect(askOut.contains("conflict \(id): restore asked"), "\(askOut)")
        let (synced, plan) = try await h.runToEnd(["sync", "--config", h.configPath])
        #expect(synced == 0, "\(h.stderr)")
        #expect(plan.contains("conflict \(id) restored"), "\(plan)")
        #expect(await h.hs.tasks[hsID]?.title == loser)
        #expect(await h.pr.tasks[prID]?.title == loser)

        let (_, after) = try await h.runToEnd(["conflicts", "show", "\(id)", "--json", "--config", h.configPath])
        let restored = try #require(try json(after) as? [String: Any], "\(after)")
        #expect(restored["restore_state"] as? String == "restored")
        #expect(restored["restored_cycle"] as? Int == 3)
        #expect(restored["current_value"] as? String == loser)
        #expect((restored["remotes"] as? [String: String])?.keys.sorted() == ["helpspace", "productive"])
        let (_, list) = try await h.runToEnd(["conflicts", "--config", h.configPath])
        #expect(list.contains("[restored in cycle 3]"), "\(list)")
        let (_, journal) = try await h.runToEnd(["journal", "--json", "--config", h.configPath])
        let entries = try #require(try json(journal) as? [[String: Any]])
        #expect(entries.contains { $0["kind"] as? String == "restore" && $0["new_value"] as? String == loser && $0["cycle_id"] as? Int == 3 })

        let (again, _) = try await h.runToEnd(["conflicts", "restore", "\(id)", "--config", h.configPath], stderrPath: h.dir + "/again.log")
        #expect(again == 65)
        #expect(h.text(h.dir + "/again.log").contains("not restored: it was already restored at"), "\(h.text(h.dir + "/again.log"))")
    }

    @Test("conflicts show of an unknown id exits 64 naming the ids there are (also as JSON); restoring a field that changed since exits 65 and changes nothing")
    func unknownAndChanged() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let (hsID, prID, row) = try await conflicted(h)
        let id = try #require(row["id"] as? Int)

        let (unknown, _) = try await h.runToEnd(["conflicts", "show", "999", "--config", h.configPath], stderrPath: h.dir + "/u.log")
        #expect(unknown == 64)
        #expect(
            h.text(h.dir + "/u.log").contains("no conflict 999 in mirror \(h.mirrorPath); its conflicts are numbered \(id) to \(id)"),
            "\(h.text(h.dir + "/u.log"))")
        let (unknownJSON, out) = try await h.runToEnd(["conflicts", "show", "999", "--json", "--config", h.configPath])
        #expect(unknownJSON == 64)
        let error = try #require(try json(out) as? [String: Any], "\(out)")
        #expect(error["exit_code"] as? Int == 64 && (error["error"] as? String)?.contains("no conflict 999") == true)
        let (unknownRestore, _) = try await h.runToEnd(["conflicts", "restore", "999", "--config", h.configPath])
        #expect(unknownRestore == 64)

        // Renamed again after the conflict: the old loser would overwrite that newer edit.
        await h.hs.edit(hsID) { $0.title = "Plan, final" }
        #expect(try await h.runToEnd(["sync", "--config", h.configPath]).status == 0)
        let (refused, _) = try await h.runToEnd(["conflicts", "restore", "\(id)", "--config", h.configPath], stderrPath: h.dir + "/r.log")
        #expect(refused == 65)
        #expect(h.text(h.dir + "/r.log").contains("title has changed since the conflict: it is now \"Plan, final\""), "\(h.text(h.dir + "/r.log"))")
        #expect(try await h.runToEnd(["sync", "--config", h.configPath]).status == 0)
        #expect(await h.hs.tasks[hsID]?.title == "Plan, final")
        #expect(await h.pr.tasks[prID]?.title == "Plan, final")
        let (_, show) = try await h.runToEnd(["conflicts", "show", "\(id)", "--config", h.configPath])
        #expect(show.contains("(changed since the conflict)") && show.contains("not restored"), "\(show)")
    }

    @Test("resync --link: an unknown link exits 64 listing the known ones; a synced link keeps every pair and nothing is created or deleted")
    func resyncSyncedLink() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let (unknown, _) = try await h.runToEnd(["resync", "--link", "nope", "--config", h.configPath], stderrPath: h.dir + "/u.log")
        #expect(unknown == 64)
        #expect(h.text(h.dir + "/u.log").contains("unknown link nope; the config has: support-web"), "\(h.text(h.dir + "/u.log"))")

        for title in ["Alpha", "Beta", "Beta"] { _ = await h.hs.seed(title: title, subtasks: ["step"]) }
        #expect(try await h.runToEnd(["sync", "--config", h.configPath]).status == 0)
        let (_, before) = try await h.runToEnd(["mappings", "--json", "--config", h.configPath])
        await h.hs.resetLedger()
        await h.pr.resetLedger()
        let (dry, dryOut) = try await h.runToEnd(["resync", "--link", "support-web", "--dry-run", "--config", h.configPath])
        #expect(dry == 0, "\(h.stderr)")
        #expect(dryOut.contains("dry run: nothing was written") && dryOut.contains("in sync: nothing to do"), "\(dryOut)")
        let (status, out) = try await h.runToEnd(["resync", "--link", "support-web", "--config", h.configPath])
        #expect(status == 0, "\(h.stderr)")
        #expect(out.contains("link support-web: resync asked at") && out.contains("its cycle runs now"), "\(out)")
        #expect(out.contains("in sync: nothing to do") && out.contains("outcome: in_sync"), "\(out)")
        for ledger in [await h.hs.ledger, await h.pr.ledger] {
            #expect(ledger.writes == 0, "\(ledger.lines)")
        }
        let (_, after) = try await h.runToEnd(["mappings", "--json", "--config", h.configPath])
        #expect(after == before, "every task, subtask and pair as before")
        #expect(await h.pr.liveTasks().filter { $0.parentID == nil }.map(\.title).sorted() == ["Alpha", "Beta", "Beta"])
        let (_, journal) = try await h.runToEnd(["journal", "--config", h.configPath])
        #expect(journal.contains("resync rebuilt from the providers"), "\(journal)")
    }

    @Test("resync after the mirror was wiped: the tasks pair as on a first link and a task created meanwhile is copied once, not duplicated")
    func resyncAfterWipe() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        for title in ["Alpha", "Beta"] { _ = await h.hs.seed(title: title) }
        #expect(try await h.runToEnd(["sync", "--config", h.configPath]).status == 0)
        for suffix in ["", "-wal", "-shm"] { unlink(h.mirrorPath + suffix) }
        _ = await h.hs.seed(title: "Gamma, while wiped")
        await h.pr.resetLedger()

        let (dry, plan) = try await h.runToEnd(["resync", "--link", "support-web", "--dry-run", "--config", h.configPath])
        #expect(dry == 0, "\(h.stderr)")
        #expect(plan.contains("pair productive") && plan.contains("\"Alpha\": same title as helpspace"), "\(plan)")
        #expect(plan.contains("create productive") && plan.contains("\"Gamma, while wiped\""), "\(plan)")
        #expect(await h.pr.ledger.writes == 0, "a dry run writes nothing")
        let (status, out) = try await h.runToEnd(["resync", "--link", "support-web", "--config", h.configPath])
        #expect(status == 0, "\(h.stderr)")
        #expect(out.contains("outcome: changed"), "\(out)")
        #expect(await h.pr.liveTasks().map(\.title).sorted() == ["Alpha", "Beta", "Gamma, while wiped"])
        #expect(await h.hs.liveTasks().count == 3)
        #expect(await h.pr.ledger.count("POST") == 1)
        let (idle, idleOut) = try await h.runToEnd(["sync", "--config", h.configPath])
        #expect(idle == 0 && idleOut.contains("outcome: in_sync"), "\(idleOut)")
    }

    @Test("resync beside the running service only asks, without stopping it; the service does it at its next cycle")
    func resyncBesideTheService() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        _ = await h.hs.seed(title: "Alpha")
        #expect(try await h.runToEnd(["sync", "--config", h.configPath]).status == 0)
        let daemon = h.process(["run", "--config", h.configPath], stderrPath: h.dir + "/run.log")
        try daemon.run()
        defer { if !processEnded(daemon.processIdentifier) { kill(daemon.processIdentifier, SIGTERM) } }
        let end = Date().addingTimeInterval(20)
        while !h.text(h.mirrorPath + ".lock").contains("pid=\(daemon.processIdentifier)") && Date() < end {
            try await Task.sleep(for: .milliseconds(50))
        }
        let (status, out) = try await h.runToEnd(["resync", "--link", "support-web", "--config", h.configPath])
        #expect(status == 0, "\(h.stderr)")
        #expect(out.contains("link support-web: resync asked at"), "\(out)")
        #expect(out.contains("by tasksync run --config \(h.configPath), pid \(daemon.processIdentifier)"), "\(out)")
        #expect(out.contains("which holds the mirror"), "\(out)")
        // The service picks it up within its poll interval (5 s here); waited for, not timed.
        var done = false
        let deadline = Date().addingTimeInterval(60)
        while !done && Date() < deadline {
            let (_, journal) = try await h.runToEnd(["journal", "--config", h.configPath])
            done = journal.contains("resync rebuilt from the providers")
            if !done { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(done, "the service did the resync: \(h.text(h.dir + "/run.log"))")
        kill(daemon.processIdentifier, SIGTERM)
        #expect(await h.exitStatus(daemon, timeout: 20) == 0)
        #expect(await h.pr.liveTasks().map(\.title) == ["Alpha"])
    }
}

extension ConflictAndResyncCommandTests {
    @Test("conflicts restore beside the running service: asked without stopping it, and the service writes the losing value to both")
    func restoreBesideTheService() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let (hsID, prID, row) = try await conflicted(h)
        let id = try #require(row["id"] as? Int)
        let loser = try #require(row["loser_value"] as? String)
        let daemon = h.process(["run", "--config", h.configPath], stderrPath: h.dir + "/run.log")
        try daemon.run()
        defer { if !processEnded(daemon.processIdentifier) { kill(daemon.processIdentifier, SIGTERM) } }
        let end = Date().addingTimeInterval(20)
        while !h.text(h.mirrorPath + ".lock").contains("pid=\(daemon.processIdentifier)") && Date() < end {
            try await Task.sleep(for: .milliseconds(50))
        }
        let (status, out) = try await h.runToEnd(["conflicts", "restore", "\(id)", "--json", "--config", h.configPath])
        #expect(status == 0, "\(h.stderr)")
        let asked = try #require(try json(out) as? [String: Any], "\(out)")
        #expect(asked["restore_state"] as? String == "requested")
        #expect((asked["done_by"] as? String)?.contains("pid \(daemon.processIdentifier)") == true, "\(asked)")
        // Waited for, not timed: the service's next cycle does it (poll_interval = 5 s here).
        let deadline = Date().addingTimeInterval(60)
        while await h.pr.tasks[prID]?.title != loser && Date() < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(await h.pr.tasks[prID]?.title == loser)
        #expect(await h.hs.tasks[hsID]?.title == loser)
        kill(daemon.processIdentifier, SIGTERM)
        #expect(await h.exitStatus(daemon, timeout: 20) == 0)
        let (_, show) = try await h.runToEnd(["conflicts", "show", "\(id)", "--config", h.configPath])
        #expect(show.contains("restore: restored at"), "\(show)")
    }
}
