import Foundation
import Mirror
import ProviderFakes
import SyncEngine
import Testing

@Suite("Safety rules: no echo, dry run, no duplicates, no deletion from absence, blast radius")
struct SafetyTests {
    @Test("ten idle cycles after convergence make zero write requests")
    func idleCyclesWriteNothing() async throws {
        try await withHarness { h in
            let id = await h.hs.seed(title: "Idle", description: "Plain text & more", tags: ["a"], priority: "low", subtasks: ["s1"])
            await h.hs.addComment(id, text: "hello", author: "Kim")
            await h.pr.seed(title: "Other side", description: "<p>x<br/>y</p>", status: "2546")
            try await h.cycle()
            try await h.cycle()
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            for _ in 0..<10 { try await h.cycle() }
            #expect(await h.hs.ledger.writes == 0)
            #expect(await h.pr.ledger.writes == 0)
            // Productive's idle poll is its changed-since listing: one request a cycle.
            #expect(await h.pr.ledger.byMethod["GET"] == 10)
            #expect(await h.pr.ledger.lines.allSatisfy { $0.contains("filter%5Bupdated_at%5D%5Bgt_eq%5D") && $0.contains("%2B00%3A00") })
        }
    }

    @Test("an edit that leaves updated_at as it was (same second) is still seen, and a failed write is retried")
    func quietPathTrustsFieldsNotTimestamps() async throws {
        try await withHarness { h in
            let id = await h.hs.seed(title: "Steady")
            try await h.cycle()
            try await h.cycle()
            await h.hs.edit(id, keepingTimestamp: true) { $0.title = "Steady, renamed" }
            await h.pr.inject(.status(422), times: 1, method: "PATCH")
            let failed = try await h.cycle()
            #expect(failed.outcome == .partial)
            #expect(await h.prTask("Steady") != nil, "the write failed")
            try await h.cycle()
            #expect(await h.prTask("Steady, renamed") != nil, "retried on the next cycle")
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            try await h.cycle()
            #expect(await h.pr.ledger.writes == 0)
        }
    }

    @Test("a dry run changes neither fake nor the mirror file, and plans what the next real cycle does")
    func dryRunWritesNothing() async throws {
        try await withHarness { h in
            let id = await h.hs.seed(title: "Existing", tags: ["x"])
            try await h.cycle()
            await h.hs.edit(id) { $0.statusID = 3 }
            await h.hs.seed(title: "Brand new", subtasks: ["child"])
            await h.pr.seed(title: "From Productive")
            let hsBefore = await h.hs.stateDump()
            let prBefore = await h.pr.stateDump()
            let journalBefore = try h.mirror().journal(limit: 10_000)
            let mappingsBefore = try h.mirror().mappingRows().map { "\($0.entityID) \($0.remotes.sorted { $0.key < $1.key })" }
            let mirrorBefore = try Data(contentsOf: URL(fileURLWithPath: h.mirrorPath))
            await h.hs.resetLedger()
            await h.pr.resetLedger()

            let dry = try await h.cycle(dryRun: true)

            #expect(await h.hs.ledger.writes == 0)
            #expect(await h.pr.ledger.writes == 0)
            #expect(await h.hs.stateDump() == hsBefore)
            #expect(await h.pr.stateDump() == prBefore)
            #expect(try Data(contentsOf: URL(fileURLWithPath: h.mirrorPath)) == mirrorBefore)
            #expect(try h.mirror().journal(limit: 10_000) == journalBefore)
            #expect(try h.mirror().mappingRows().map { "\($0.entityID) \($0.remotes.sorted { $0.key < $1.key })" } == mappingsBefore)
            #expect(dry.plans[0].writeCount == 4)  // a status update, two task creates, one subtask create

            let real = try await h.cycle()
            #expect(real.plans == dry.plans)
        }
    }

    @Test("a crash between a remote create and its mapping write makes no duplicate after restart")
    func crashAfterCreate() async throws {
        try await withHarness { h in
            await h.hs.seed(title: "Crash me")
            let crashing = try h.engine(
                hooks: EngineHooks(afterRemoteWrite: { provider, op in
                    if provider == "pr" && op == "create-task" { throw SimulatedCrash() }
                }))
            await #expect(throws: SimulatedCrash.self) { try await crashing.runCycle() }
            #expect(await h.pr.liveTasks().filter { $0.title == "Crash me" }.count == 1, "the create reached Productive")

            let report = try await h.cycle()  // restart: a new engine on the same mirror
            #expect(await h.pr.liveTasks().filter { $0.title == "Crash me" }.count == 1, "no second copy")
            #expect(report.plans[0].items.contains { $0.action == .adopt && $0.provider == "pr" })
            try await h.cycle()
            #expect(await h.pr.liveTasks().filter { $0.title == "Crash me" }.count == 1)
            #expect(try h.mirror().mappingRows().filter { $0.kind == "task" }.count == 1)
        }
    }

    @Test("a task missing from a listing is not deleted until a direct read confirms it")
    func absenceIsNotDeletion() async throws {
        try await withHarness(onDelete: "delete", maxDeleteShare: 1.0) { h in
            let a = await h.hs.seed(title: "Keep me")
            let b = await h.hs.seed(title: "Delete me")
            try await h.cycle()
            // "Keep me" vanishes from the listing only (archived filter), but a direct read still finds it: archived.
            // Here: a 500 on the direct read must not count as gone.
            await h.hs.edit(a) { $0.isArchived = true }
            await h.hs.inject(.status(500), times: 1, method: "GET")  // the listing fails: nothing may be deleted
            try await h.cycle()
            #expect(await h.prTask("Keep me") != nil)
            #expect(await h.prTask("Delete me") != nil)
            await h.hs.edit(a) { $0.isArchived = false }
            // Now really delete one: confirmed by a 404 on the direct read.
            await h.hs.remove(b)
            let report = try await h.cycle()
            #expect(report.plans[0].items.contains { $0.action == .gone && $0.reason?.contains("404") == true })
            #expect(await h.prTask("Delete me") == nil)
            #expect(await h.prTask("Keep me") != nil)
        }
    }

    @Test("a cycle that would delete more than max_delete_share stops the link and says why")
    func deletionGuard() async throws {
        try await withHarness(onDelete: "delete", maxDeleteShare: 0.3) { h in
            var ids: [Int64] = []
            for i in 0..<4 { ids.append(await h.hs.seed(title: "Task \(i)")) }
            try await h.cycle()
            for id in ids.prefix(2) { await h.hs.remove(id) }
            let report = try await h.cycle()
            #expect(report.outcome == .stopped)
            #expect(report.plans[0].stopped?.contains("2 of 4") == true)
            #expect(await h.pr.liveTasks().count == 4, "nothing deleted")
            let status = try h.mirror().linkStates()
            #expect(status.first?.stoppedReason?.contains("max_delete_share") == true)
        }
    }

    @Test("a link of three tasks is not stopped by one confirmed deletion: the guard needs two deletions as well as the share")
    func deletionGuardMinimum() async throws {
        try await withHarness(onDelete: "delete", maxDeleteShare: 0.25) { h in
            var ids: [Int64] = []
            for i in 0..<3 { ids.append(await h.hs.seed(title: "Small \(i)")) }
            try await h.cycle()
            await h.hs.remove(ids[0])
            let report = try await h.cycle()
            #expect(report.outcome == .changed, "one deletion of three (33%) goes through")
            #expect(report.plans[0].stopped == nil)
            #expect(await h.prTask("Small 0") == nil)
            #expect(await h.pr.liveTasks().count == 2)
        }
    }

    @Test("a provider answering 500, 429 or malformed JSON fails alone: the other's changes land, nothing is deleted")
    func blastRadius() async throws {
        // A 429 longer than retry_after_max (30 s): a short one is waited out inside the cycle (RateLimitTests).
        for fault in [Fault.status(500), .rateLimited(seconds: 3600), .malformedBody] {
            let h = try await Harness(onDelete: "delete", maxDeleteShare: 1.0)
            let shared = await h.hs.seed(title: "Shared")
            try await h.cycle()
            let prID = try #require(await h.prTask("Shared")).id
            await h.pr.edit(prID) { $0.title = "Shared, renamed on Productive" }
            await h.pr.seed(title: "New on Productive")
            await h.hs.inject(fault, times: 1, method: "GET")
            let report = try await h.cycle()
            #expect(report.outcome == .partial, "\(fault)")
            #expect(await h.pr.liveTasks().count == 2, "\(fault): nothing deleted on Productive")
            #expect(await h.hs.tasks[shared] != nil)
            let states = try h.mirror().providerStates()
            #expect(states.first { $0.provider == "hs" }?.lastError != nil, "\(fault): status shows the error")
            #expect(states.first { $0.provider == "pr" }?.lastError == nil)
            // Once HelpSpace answers again, the waiting changes land.
            if case .rateLimited = fault {
                #expect(states.first { $0.provider == "hs" }?.backoffUntil != nil)
            } else {
                try await h.cycle()
                #expect(await h.hs.tasks[shared]?.title == "Shared, renamed on Productive", "\(fault)")
                #expect(await h.hsTask("New on Productive") != nil, "\(fault)")
            }
            await h.stop()
        }
    }

    @Test("a new link between boards that already hold the same tasks pairs them instead of copying")
    func firstLinkPairs() async throws {
        try await withHarness { h in
            await h.hs.seed(title: "Write docs")
            await h.hs.seed(title: "  Fix   BUG 12 ")
            await h.pr.seed(title: "write docs")
            await h.pr.seed(title: "Fix bug 12")
            let dry = try await h.cycle(dryRun: true)
            #expect(dry.plans[0].items.filter { $0.action == .pair }.count == 2)
            #expect(!dry.plans[0].items.contains { $0.action == .create })
            try await h.cycle()
            #expect(await h.hs.liveTasks().count == 2)
            #expect(await h.pr.liveTasks().count == 2)
        }
    }
}
