import Foundation
import Mirror
import Testing

@Suite("Field-level three-way merge across providers")
struct ConflictTests {
    @Test("the same field edited on both sides: the newer wins, the loser is kept in conflicts and the journal")
    func sameFieldConflict() async throws {
        try await withHarness { h in
            let hsID = await h.hs.seed(title: "Plan")
            try await h.cycle()
            let prID = try #require(await h.prTask("Plan")).id
            await h.hs.edit(hsID) { $0.title = "Plan A" }
            h.clock.advance(seconds: 5)
            await h.pr.edit(prID) { $0.title = "Plan B" }  // later: wins
            try await h.cycle()
            #expect(await h.hs.tasks[hsID]?.title == "Plan B")
            #expect(await h.pr.tasks[prID]?.title == "Plan B")
            let conflicts = try h.mirror().conflicts()
            #expect(conflicts.count == 1)
            #expect(conflicts.first?.field == "title")
            #expect(conflicts.first?.winnerProvider == "pr")
            #expect(conflicts.first?.loserProvider == "hs")
            #expect(conflicts.first?.loserValue == "\"Plan A\"")
            let journal = try h.mirror().journal()
            #expect(journal.contains { $0.kind == "conflict" && $0.oldValue == "\"Plan A\"" })
        }
    }

    @Test("different fields edited on both sides: both edits are kept")
    func differentFields() async throws {
        try await withHarness { h in
            let hsID = await h.hs.seed(title: "Report", tags: ["q1"])
            try await h.cycle()
            let prID = try #require(await h.prTask("Report")).id
            await h.hs.edit(hsID) { $0.title = "Report 2026" }
            await h.pr.edit(prID) { $0.tags = ["q1", "final"] }
            try await h.cycle()
            #expect(await h.hs.tasks[hsID]?.title == "Report 2026")
            #expect(Set(await h.hs.tasks[hsID]?.tags ?? []) == ["q1", "final"])
            #expect(await h.pr.tasks[prID]?.title == "Report 2026")
            #expect(Set(await h.pr.tasks[prID]?.tags ?? []) == ["q1", "final"])
            #expect(try h.mirror().conflicts().isEmpty)
        }
    }
}
