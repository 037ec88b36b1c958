import Foundation
import GRDB
import Mirror
import ProviderFakes
import ProviderKit
import SyncEngine
import Testing

/// Issue 12, "the command line": `tasksync conflicts restore` (the losing
/// value of a conflict put back as a new edit) and `tasksync resync` (a
/// link's state rebuilt from its members, pairing as on a first link), as
/// the engine carries them out at the start of a link's cycle.
@Suite("Operator requests: restoring a conflict's loser, resyncing a link")
struct ResyncAndRestoreTests {
    /// A title conflict on "Plan": HelpSpace renamed it "Plan A", Productive (later, so it wins) "Plan B".
    func titleConflict(_ h: Harness) async throws -> (hs: Int64, pr: Int, conflict: ConflictRecord) {
        let hsID = await h.hs.seed(title: "Plan")
        try await h.cycle()
        let prID = try #require(await h.prTask("Plan")).id
        await h.hs.edit(hsID) { $0.title = "Plan A" }
        h.clock.advance(seconds: 5)
        await h.pr.edit(prID) { $0.title = "Plan B" }
        try await h.cycle()
        let conflict = try #require(try h.mirror().conflicts().first)
        #expect(conflict.loserValue == "\"Plan A\"" && conflict.winnerValue == "\"Plan B\"")
        return (hsID, prID, conflict)
    }

    func ask(_ h: Harness, restore id: Int64) throws {
        #expect(try h.mirror().write { try $0.requestRestore(conflict: id, at: "2026-11-20T10:00:00.000Z") })
    }

    @Test("a restored conflict: the next cycle writes the losing value to both members, journals it, and it is never restored twice")
    func restoreWritesTheLoserEverywhere() async throws {
        try await withHarness { h in
            let (hsID, prID, conflict) = try await titleConflict(h)
            #expect(await h.hs.tasks[hsID]?.title == "Plan B")
            try ask(h, restore: conflict.id)
            #expect(try h.mirror().write { try $0.requestRestore(conflict: conflict.id, at: "2026-11-20T10:00:01.000Z") } == false)

            let report = try await h.cycle()
            #expect(await h.hs.tasks[hsID]?.title == "Plan A")
            #expect(await h.pr.tasks[prID]?.title == "Plan A")
            #expect(report.plans[0].notes.contains { $0.contains("conflict \(conflict.id) restored") }, "\(report.plans[0].notes)")
            let after = try #require(try h.mirror().conflict(id: conflict.id))
            #expect(after.restoreState == "restored")
            #expect(after.restoredCycle == report.cycle)
            let journal = try h.mirror().journal()
            #expect(journal.contains { $0.kind == "restore" && $0.field == "title" && $0.newValue == "\"Plan A\"" && $0.cycleID == report.cycle })
            #expect(journal.filter { $0.kind == "push" && $0.cycleID == report.cycle }.count == 2, "one write to each member")
            #expect(
                ConflictRestore.restored(after, entity: try h.mirror().entity(id: after.entityID))
                    == .failure(.alreadyRestored(at: after.restoredAt!, cycle: report.cycle)))
            #expect(try h.mirror().write { try $0.requestRestore(conflict: conflict.id, at: "2026-11-20T10:00:02.000Z") } == false)

            // Restored once: the next cycles are idle, with no write anywhere.
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync)
            #expect(await h.hs.ledger.writes == 0)
            #expect(await h.pr.ledger.writes == 0)
            #expect(try h.mirror().conflicts().count == 1, "the restore is an edit, not a new conflict")
        }
    }

    @Test("a conflict's values are kept as JSON, and a tag list with a comma restores whole")
    func restoreTagsWithComma() async throws {
        try await withHarness { h in
            let hsID = await h.hs.seed(title: "Tagged", tags: ["a"])
            try await h.cycle()
            let prID = try #require(await h.prTask("Tagged")).id
            await h.hs.edit(hsID) { $0.tags = ["x, y", "z"] }
            h.clock.advance(seconds: 5)
            await h.pr.edit(prID) { $0.tags = ["b"] }
            try await h.cycle()
            let conflict = try #require(try h.mirror().conflicts().first { $0.field == "tags" })
            #expect(conflict.loserJSON == #"["x, y","z"]"#)
            try ask(h, restore: conflict.id)
            try await h.cycle()
            #expect(Set(await h.hs.tasks[hsID]?.tags ?? []) == ["x, y", "z"])
            #expect(Set(await h.pr.tasks[prID]?.tags ?? []) == ["x, y", "z"])
        }
    }

    @Test("a restore is refused when the field changed again since the conflict: the newer edit stays, and the reason is kept")
    func restoreRefusedAfterANewerEdit() async throws {
        try await withHarness { h in
            let (hsID, prID, conflict) = try await titleConflict(h)
            h.clock.advance(seconds: 5)
            await h.hs.edit(hsID) { $0.title = "Plan C" }
            try await h.cycle()
            let now = try #require(try h.mirror().conflict(id: conflict.id))
            let refusal = ConflictRestore.restored(now, entity: try h.mirror().entity(id: now.entityID))
            #expect(refusal == .failure(.changedSince(field: "title", now: "\"Plan C\"", winner: "\"Plan B\"")))

            // Asked anyway (as if the edit came between the command's check and the cycle): the cycle refuses it.
            try ask(h, restore: conflict.id)
            let report = try await h.cycle()
            #expect(await h.hs.tasks[hsID]?.title == "Plan C")
            #expect(await h.pr.tasks[prID]?.title == "Plan C")
            #expect(report.plans[0].notes.contains { $0.contains("not restored") && $0.contains("changed since") }, "\(report.plans[0].notes)")
            let after = try #require(try h.mirror().conflict(id: conflict.id))
            #expect(after.restoreState == "refused")
            #expect(after.restoreRefused?.contains("\"Plan C\"") == true)
            #expect(try h.mirror().journal().contains { $0.kind == "restore-refused" })
        }
    }

    @Test("a restore is refused when the task is gone")
    func restoreRefusedWhenGone() async throws {
        try await withHarness(onDelete: "delete") { h in
            let (hsID, _, conflict) = try await titleConflict(h)
            await h.hs.remove(hsID)
            try await h.cycle()
            let now = try #require(try h.mirror().conflict(id: conflict.id))
            guard case .failure(.gone(let entity, let state)) = ConflictRestore.restored(now, entity: try h.mirror().entity(id: now.entityID)) else {
                Issue.record("not refused as gone")
                return
            }
            #expect(entity == conflict.entityID && state == "deleted")
        }
    }

    @Test("a dry run shows an asked restore as the writes it makes, and writes nothing")
    func restoreDryRun() async throws {
        try await withHarness { h in
            let (hsID, prID, conflict) = try await titleConflict(h)
            try ask(h, restore: conflict.id)
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            let dry = try await h.cycle(dryRun: true)
            let updates = dry.plans[0].items.filter { $0.action == .update }
            #expect(Set(updates.map(\.provider)) == ["hs", "pr"], "\(dry.plans[0].rendered())")
            #expect(updates.allSatisfy { $0.changes.contains { $0.field == "title" && $0.new == .text("Plan A") } })
            #expect(await h.hs.ledger.writes == 0)
            #expect(await h.pr.ledger.writes == 0)
            #expect(await h.hs.tasks[hsID]?.title == "Plan B")
            #expect(await h.pr.tasks[prID]?.title == "Plan B")
            #expect(try h.mirror().conflict(id: conflict.id)?.restoreState == "requested")
        }
    }

    // MARK: resync

    /// Each entity's remote ids, from `tasksync mappings`' view.
    func pairs(_ h: Harness) throws -> [Int64: [String: String]] {
        Dictionary(uniqueKeysWithValues: try h.mirror().mappingRows().filter { $0.state == "active" }.map { ($0.entityID, $0.remotes) })
    }

    @Test("resync of a synced link: every task keeps its partners (renamed or sharing a title), nothing is created or deleted, and the request is done")
    func resyncKeepsPairs() async throws {
        try await withHarness { h in
            let first = await h.hs.seed(title: "Twin")
            _ = await h.hs.seed(title: "Twin")
            let renamed = await h.hs.seed(title: "Report", subtasks: ["Draft"])
            await h.hs.addComment(renamed, text: "<p>looks good</p>", author: "Ana")
            try await h.cycle()
            let before = try pairs(h)
            #expect(before.count == 5, "three tasks, a subtask and a comment: \(before)")
            // Renamed on Productive since the last cycle: its pair is kept, the rename flows.
            let prReport = try #require(await h.prTask("Report")).id
            h.clock.advance(seconds: 5)
            await h.pr.edit(prReport) { $0.title = "Report 2026" }

            try h.mirror().write { try $0.requestResync(link: "main", at: "2026-11-20T10:00:00.000Z") }
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            let report = try await h.cycle()
            #expect(report.plans[0].notes.contains { $0.hasPrefix("resync (asked at 2026-11-20T10:00:00.000Z)") })
            #expect(try pairs(h) == before)
            for fake in [await h.hs.ledger, await h.pr.ledger] {
                #expect(fake.count("POST") == 0 && fake.count("DELETE") == 0, "\(fake.lines)")
            }
            #expect(await h.hs.tasks[renamed]?.title == "Report 2026")
            #expect(await h.hs.liveTasks().count == 3)
            #expect(await h.pr.liveTasks().filter { $0.parentID == nil }.count == 3)
            #expect(await h.hs.tasks[first]?.title == "Twin")
            // Every task's comments were read again: the mirror forgot when it last saw each one.
            let hsLines = await h.hs.ledger.lines
            #expect(hsLines.filter { $0.contains("/comments") }.count == 3, "\(hsLines)")
            #expect(try h.mirror().linkStates().first { $0.link == "main" }?.resyncRequestedAt == nil)
            #expect(try h.mirror().journal().contains { $0.kind == "resync" && $0.detail?.contains("0 created") == true })

            await h.hs.resetLedger()
            await h.pr.resetLedger()
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync && !idle.plans[0].notes.contains { $0.hasPrefix("resync") })
            #expect(await h.hs.ledger.writes == 0)
            #expect(await h.pr.ledger.writes == 0)
        }
    }

    @Test("resync after the mirror was wiped: tasks pair by title, comments and subtasks are not copied again, a task made meanwhile is copied once")
    func resyncAfterWipe() async throws {
        try await withHarness { h in
            let task = await h.hs.seed(title: "Fix login", subtasks: ["Reproduce"])
            await h.hs.addComment(task, text: "<p>Seen on Firefox too.</p>", author: "Alex")
            _ = await h.hs.seed(title: "Invoices")
            try await h.cycle()
            let prTask = try #require(await h.prTask("Fix login")).id
            #expect(await h.pr.comments(of: prTask).count == 1)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: h.mirrorPath + suffix) }
            _ = await h.hs.seed(title: "Made while wiped")
            _ = await h.hs.seed(title: "Made on both")
            _ = await h.pr.seed(title: "made ON both ")

            try h.mirror().write { try $0.requestResync(link: "main", at: "2026-11-20T10:00:00.000Z") }
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            let report = try await h.cycle()
            let plan = report.plans[0]
            #expect(plan.items.filter { $0.action == .pair }.count == 3, "\(plan.rendered())")
            #expect(plan.items.contains { $0.action == .adopt && $0.provider == "pr" && $0.reason?.contains("comment already copied") == true })
            #expect(plan.items.filter { $0.action == .create }.map(\.title) == ["Made while wiped"], "\(plan.rendered())")
            let prLedger = await h.pr.ledger
            #expect(prLedger.count("POST") == 1, "one create: \(prLedger.lines)")
            #expect(await h.hs.ledger.count("POST") == 0)
            let prTitles = await h.pr.liveTasks().map(\.title).sorted()
            #expect(prTitles == ["Fix login", "Invoices", "Made while wiped", "Reproduce", "made ON both "], "\(prTitles)")
            #expect(await h.hs.liveTasks().count == 4)
            #expect(await h.pr.comments(of: prTask).count == 1, "the comment is not posted twice")
            #expect(try h.mirror().linkStates().first?.resyncRequestedAt == nil)

            await h.hs.resetLedger()
            await h.pr.resetLedger()
            #expect(try await h.cycle().outcome == .inSync)
            #expect(await h.hs.ledger.writes == 0)
            #expect(await h.pr.ledger.writes == 0)
        }
    }

    @Test("resync lists in full past a cursor that ran ahead, finds the edit it hid, and stores the newest time it saw")
    func resyncResetsACursorAhead() async throws {
        try await withHarness { h in
            _ = await h.hs.seed(title: "Hidden edit")
            try await h.cycle()
            let prID = try #require(await h.prTask("Hidden edit")).id
            try await h.cycle()  // Productive's listing of the copy sets the cursor
            // A cursor a day ahead (a provider clock that ran ahead once): changed-since listings miss everything.
            let ahead = Timestamp.now.adding(seconds: 86400)
            try h.mirror().write { w in
                var s = try #require(try w.providerState("pr"))
                s.cursor = ahead.description
                try w.putProviderState(s)
            }
            await h.pr.edit(prID) { $0.title = "Hidden edit, renamed" }
            try await h.cycle()
            #expect(await h.hsTask("Hidden edit, renamed") == nil, "the changed-since listing missed it")

            try h.mirror().write { try $0.requestResync(link: "main", at: "2026-11-20T10:00:00.000Z") }
            await h.pr.resetLedger()
            try await h.cycle()
            #expect(await h.pr.ledger.lines.allSatisfy { !$0.contains("updated_at") }, "a full listing")
            #expect(await h.hsTask("Hidden edit, renamed") != nil)
            let cursor = try #require(try h.mirror().providerStates().first { $0.provider == "pr" }?.cursor.flatMap(Timestamp.init(parsing:)))
            #expect(cursor < ahead)
        }
    }

    @Test("a resync that cannot read a member stays asked, and the next cycle does it")
    func resyncWaitsForEveryMember() async throws {
        try await withHarness { h in
            _ = await h.hs.seed(title: "One")
            try await h.cycle()
            try h.mirror().write { try $0.requestResync(link: "main", at: "2026-11-20T10:00:00.000Z") }
            await h.pr.inject(.status(500), times: 1, method: "GET")
            let failed = try await h.cycle()
            #expect(failed.outcome == .partial)
            #expect(try h.mirror().linkStates().first?.resyncRequestedAt == "2026-11-20T10:00:00.000Z")
            #expect(try h.mirror().journal().contains { $0.kind == "resync" && $0.detail?.hasPrefix("not finished: pr could not be read") == true })
            let done = try await h.cycle()
            #expect(done.plans[0].notes.contains { $0.hasPrefix("resync") })
            #expect(try h.mirror().linkStates().first?.resyncRequestedAt == nil)
        }
    }

    @Test("a resync asked again while one waits keeps the first time, and a dry run shows it without doing it")
    func resyncDryRun() async throws {
        try await withHarness { h in
            _ = await h.hs.seed(title: "One")
            try await h.cycle()
            try h.mirror().write { try $0.requestResync(link: "main", at: "2026-11-20T10:00:00.000Z") }
            try h.mirror().write { try $0.requestResync(link: "main", at: "2026-11-21T10:00:00.000Z") }
            let dry = try await h.cycle(dryRun: true)
            #expect(dry.plans[0].notes.contains { $0.hasPrefix("resync (asked at 2026-11-20T10:00:00.000Z)") }, "\(dry.plans[0].notes)")
            #expect(try h.mirror().linkStates().first?.resyncRequestedAt == "2026-11-20T10:00:00.000Z")
            // A resync not asked, previewed (resync --dry-run).
            try await h.cycle()
            let preview = try await h.engine(readOnly: true).runCycle(dryRun: true, resync: ["main"])
            #expect(preview.plans[0].notes.contains { $0.hasPrefix("resync:") }, "\(preview.plans[0].notes)")
            #expect(try h.mirror().linkStates().first?.resyncRequestedAt == nil)
        }
    }
}
