import Foundation
import GRDB
import Testing

/// Rules 14 (one writer per mirror) and 16 (liveness) against the real binary.
@Suite("One writer per mirror; a watchdog fed by progress; a prompt stop", .serialized)
struct ProcessTests {
    /// What the mirror says after a process ended.
    struct MirrorFacts {
        var integrity: String?
        var schema: Int
        var unfinishedCycles: Int
        var lastOutcome: String?
        var pending: Int
        var notSent: Int
        var productiveMappings: Int
        var cursors: Int

        init(_ path: String) throws {
            let db = try DatabaseQueue(path: path)
            defer { try? db.close() }
            (integrity, schema, unfinishedCycles, lastOutcome, pending, notSent, productiveMappings, cursors) = try db.read { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                    try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cycles WHERE finished_at IS NULL OR outcome IS NULL") ?? -1,
                    try String.fetchOne(db, sql: "SELECT outcome FROM cycles ORDER BY id DESC LIMIT 1"),
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'abandoned' AND error LIKE 'not sent%'") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mappings WHERE provider = 'productive'") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM provider_state WHERE cursor IS NOT NULL") ?? -1
                )
            }
        }
    }

    /// The longest stretch without a WATCHDOG=1 between `start` and `end`, counting both ends.
    static func longestGap(_ pings: [Date], from start: Date, to end: Date) -> Double {
        let times = [start] + pings + [end]
        return zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? 0
    }

    @Test("two syncs at once on a fresh mirror: one syncs, the other exits 75 at once naming its pid; no duplicate, no migration race")
    func twoSyncsAtOnce() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        for i in 0..<300 { await h.hs.seed(title: "Task \(i)") }
        await h.pr.setLatency(0.01)  // 300 creates: a few seconds, so the two overlap
        let a = h.process(["sync", "--config", h.configPath], stderrPath: h.dir + "/a.log")
        let b = h.process(["sync", "--config", h.configPath], stderrPath: h.dir + "/b.log")
        let started = Date()
        try a.run()
        try b.run()
        // The one that lost the race exits at once, while the other still syncs.
        while a.isRunning && b.isRunning && Date().timeIntervalSince(started) < 60 { try await Task.sleep(for: .milliseconds(20)) }
        let lostAfter = Date().timeIntervalSince(started)
        let (loser, winner, loserLog) = a.isRunning ? (b, a, h.dir + "/b.log") : (a, b, h.dir + "/a.log")
        #expect(winner.isRunning, "the first to exit did so while the other was still syncing")
        #expect(lostAfter < 15, "the second exits at once (\(lostAfter) s), not after the other's sync")
        let loserStatus = await h.exitStatus(loser, timeout: 1)
        let winnerStatus = await h.exitStatus(winner, timeout: 120)
        #expect(loserStatus == 75, "loser: \(h.text(loserLog))")
        #expect(winnerStatus == 0, "winner: \(h.text(h.dir + "/a.log")) \(h.text(h.dir + "/b.log"))")
        let message = h.text(loserLog)
        #expect(message.contains("pid \(winner.processIdentifier)"), "\(message)")
        #expect(message.contains("tasksync sync --config"), "what the holder is: \(message)")
        #expect(!message.contains("duplicate column"))

        let productive = await h.pr.liveTasks().map(\.title)
        #expect(productive.count == 300)
        #expect(Set(productive).count == 300)
        // Nothing spreads back: a later cycle finds both sides in sync.
        let (again, _) = try await h.runToEnd(["sync", "--config", h.configPath], stderrPath: h.dir + "/again.log")
        #expect(again == 0, "\(h.text(h.dir + "/again.log"))")
        #expect(await h.hs.liveTasks().count == 300)
        #expect(await h.pr.liveTasks().count == 300)
        let facts = try MirrorFacts(h.mirrorPath)
        #expect(facts.integrity == "ok")
        #expect(facts.schema >= 2)
        #expect(facts.productiveMappings == 300)
    }

    @Test("while run holds the lock: sync exits 75 naming the daemon; status, journal, mappings, conflicts and sync --dry-run work")
    func readersBesideTheDaemon() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        await h.hs.seed(title: "Held by the daemon")
        let listener = try DatagramListener(path: h.dir + "/notify.sock")
        defer { listener.stop() }
        let daemon = h.process(["run", "--config", h.configPath], environment: ["NOTIFY_SOCKET": listener.path])
        try daemon.run()
        #expect(await listener.waitFor { $0.contains("STATUS=cycle 1:") })

        let (locked, _) = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 10, stderrPath: h.dir + "/sync.log")
        #expect(locked == 75)
        let message = h.text(h.dir + "/sync.log")
        #expect(message.contains("pid \(daemon.processIdentifier)"), "\(message)")
        #expect(message.contains("tasksync run --config"), "\(message)")
        #expect(message.contains(h.mirrorPath + ".lock"), "\(message)")

        let (dry, plan) = try await h.runToEnd(["sync", "--dry-run", "--config", h.configPath], timeout: 30)
        #expect(dry == 0)
        #expect(plan.contains("dry run"))
        let (s, status) = try await h.runToEnd(["status", "--config", h.configPath], timeout: 10)
        #expect(s == 0)
        #expect(status.contains("last cycle 1"))
        let (j, journal) = try await h.runToEnd(["journal", "--config", h.configPath], timeout: 10)
        #expect(j == 0)
        #expect(journal.contains("push"))
        let (m, mappings) = try await h.runToEnd(["mappings", "--config", h.configPath], timeout: 10)
        #expect(m == 0)
        #expect(mappings.contains("Held by the daemon"))
        let (c, conflicts) = try await h.runToEnd(["conflicts", "--config", h.configPath], timeout: 10)
        #expect(c == 0)
        #expect(conflicts.contains("no conflicts"))
        #expect(daemon.isRunning)

        kill(daemon.processIdentifier, SIGTERM)
        #expect(await h.exitStatus(daemon, timeout: 20) == 0)
        // The lock goes with the process.
        let (after, _) = try await h.runToEnd(["sync", "--config", h.configPath], stderrPath: h.dir + "/after.log")
        #expect(after == 0, "\(h.text(h.dir + "/after.log"))")
    }

    @Test("a long first fetch feeds the watchdog page by page; SIGTERM during it ends the cycle at once, writing nothing")
    func watchdogDuringSlowFetch() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        // 4 listing pages and 200 comment reads at 0.3 s each: a fetch of about a minute.
        for i in 0..<200 { await h.hs.seed(title: "Slow read \(i)") }
        await h.pr.seed(title: "Already on Productive")
        await h.hs.setLatency(0.3)
        let listener = try DatagramListener(path: h.dir + "/notify.sock")
        defer { listener.stop() }
        let daemon = h.process(
            ["run", "--config", h.configPath], environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "2000000"])
        try daemon.run()
        #expect(await listener.waitFor { $0.contains("READY=1") })
        let ready = try #require(listener.firstTime { $0.contains("READY=1") })
        try await Task.sleep(for: .seconds(8))  // four watchdog intervals, all of them in the fetch
        let term = Date()
        kill(daemon.processIdentifier, SIGTERM)
        let exit = await h.exitStatus(daemon, timeout: 10)
        let stopSeconds = Date().timeIntervalSince(term)
        #expect(exit == 0, "stderr: \(h.stderr)")
        #expect(stopSeconds < 15, "stopped in \(stopSeconds) s")

        #expect(listener.firstTime { $0.contains("STATUS=cycle 1:") }.map { $0 > term } ?? true, "the fetch outlasted the window")
        let pings = listener.pings(from: ready, to: term)
        let gap = Self.longestGap(pings, from: ready, to: term)
        #expect(pings.count >= 6, "\(pings.count) pings in 8 s")
        #expect(gap < 1.9, "longest stretch without a ping: \(gap) s, the watchdog interval is 2 s")

        // Stopped during the fetch: nothing written anywhere, no cursor moved, the cycle says why it ended.
        #expect(await h.pr.ledger.writes == 0)
        #expect(await h.hs.ledger.writes == 0)
        let facts = try MirrorFacts(h.mirrorPath)
        #expect(facts.integrity == "ok")
        #expect(facts.unfinishedCycles == 0)
        #expect(facts.lastOutcome == "interrupted")
        #expect(facts.cursors == 0)
        #expect(facts.productiveMappings == 0)
    }

    @Test("a hung request stops the pings, and ends (request timeout clamped under the watchdog) before the watchdog fires")
    func watchdogWhileHung() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        for i in 0..<3 { await h.hs.seed(title: "Hang \(i)") }
        let listener = try DatagramListener(path: h.dir + "/notify.sock")
        defer { listener.stop() }
        // request_timeout is 60 s; under an 8 s watchdog, requests must end within 4 s.
        let daemon = h.process(
            ["run", "--config", h.configPath], environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "8000000"])
        try daemon.run()
        #expect(await listener.waitFor { $0.contains("STATUS=cycle 1:") })
        await h.hs.setLatency(30)  // HelpSpace hangs, far longer than the watchdog
        let hangs = Date()
        #expect(await listener.waitFor(45) { $0.contains("STATUS=cycle 2:") })
        let cycle2 = listener.firstTime { $0.contains("STATUS=cycle 2:") } ?? Date()
        let status = listener.messages.first { $0.contains("STATUS=cycle 2:") } ?? ""
        let gap = Self.longestGap(listener.pings(from: hangs, to: cycle2), from: hangs, to: cycle2)
        #expect(gap >= 3, "no ping while the request hung: longest stretch \(gap) s")
        #expect(gap < 8, "the hung request ended before the watchdog interval: longest stretch \(gap) s")
        #expect(status.contains("partial"), "\(status)")
        #expect(daemon.isRunning)
        #expect(h.stderr.contains("request_timeout"), "the clamp is logged: \(h.stderr)")

        let term = Date()
        kill(daemon.processIdentifier, SIGTERM)
        #expect(await h.exitStatus(daemon, timeout: 10) == 0)
        #expect(Date().timeIntervalSince(term) < 8, "a hung read is not waited for")
    }

    @Test("SIGTERM during 200 slow creates: exit 0 within seconds, consistent mirror; the next run does the rest, no duplicate")
    func stopDuringLongCycle() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        for i in 0..<200 { await h.hs.seed(title: "Create \(i)") }
        await h.pr.setLatency(0.25)  // 200 creates: 50 s of writes
        let listener = try DatagramListener(path: h.dir + "/notify.sock")
        defer { listener.stop() }
        let daemon = h.process(["run", "--config", h.configPath], environment: ["NOTIFY_SOCKET": listener.path])
        try daemon.run()
        #expect(await listener.waitFor { $0.contains("READY=1") })
        let deadline = Date().addingTimeInterval(60)
        while await h.pr.liveTasks().count < 5 && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let term = Date()
        kill(daemon.processIdentifier, SIGTERM)
        let exit = await h.exitStatus(daemon, timeout: 10)
        let stopSeconds = Date().timeIntervalSince(term)
        #expect(exit == 0, "stderr: \(h.stderr)")
        #expect(stopSeconds < 10, "stopped in \(stopSeconds) s")
        #expect(listener.messages.contains { $0.contains("STOPPING=1") })
        let created = await h.pr.liveTasks().count
        #expect(created < 200, "the signal came during the cycle")

        let facts = try MirrorFacts(h.mirrorPath)
        #expect(facts.integrity == "ok")
        #expect(facts.unfinishedCycles == 0)
        #expect(facts.lastOutcome == "interrupted")
        #expect(facts.pending == 0, "no write of unknown outcome")
        #expect(facts.notSent > 0)
        #expect(facts.productiveMappings == created, "every create sent was stored")

        await h.pr.setLatency(0)
        let (resumed, _) = try await h.runToEnd(["sync", "--config", h.configPath], stderrPath: h.dir + "/resume.log")
        #expect(resumed == 0, "\(h.text(h.dir + "/resume.log"))")
        let titles = await h.pr.liveTasks().map(\.title)
        #expect(titles.count == 200)
        #expect(Set(titles).count == 200)
        #expect(await h.hs.liveTasks().count == 200)
        #expect(try MirrorFacts(h.mirrorPath).productiveMappings == 200)
    }
}
