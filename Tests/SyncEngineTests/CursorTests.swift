import Foundation
import HTTPTransport
import Mirror
import ProviderKit
import SyncEngine
import Testing

@Suite("Cursors (rule 12)")
struct CursorTests {
    func cursor(_ h: Harness) throws -> Timestamp? {
        try h.mirror().providerStates().first { $0.provider == "pr" }?.cursor.flatMap(Timestamp.init(parsing:))
    }

    @Test("the cursor moves only after the batch it covers is committed, and the next request overlaps it")
    func cursorMovesAfterCommit() async throws {
        try await withHarness { h in
            let prID = await h.pr.seed(title: "Seen")
            try await h.cycle()
            let first = try #require(try cursor(h))

            h.clock.advance(seconds: 30)
            await h.pr.edit(prID) { $0.title = "Seen, renamed" }
            await h.hs.seed(title: "Goes to Productive")
            let crashing = try h.engine(
                hooks: EngineHooks(afterRemoteWrite: { provider, _ in
                    if provider == "pr" { throw SimulatedCrash() }
                }))
            await #expect(throws: SimulatedCrash.self) { try await crashing.runCycle() }
            #expect(try cursor(h) == first, "a cycle that did not commit leaves the cursor where it was")

            // A create left pending by the crash makes the next listing a full one,
            // so the lost answer's task is found and adopted.
            await h.pr.resetLedger()
            try await h.cycle()
            #expect(await h.pr.ledger.lines.allSatisfy { !$0.contains("updated_at") })
            let second = try #require(try cursor(h))
            #expect(second > first)
            #expect(await h.hs.tasks.values.contains { $0.title == "Seen, renamed" })

            // The next request reaches back cursor_overlap (2 s) before the cursor.
            await h.pr.resetLedger()
            try await h.cycle()
            let since = second.adding(seconds: -2).iso8601(fractional: false).replacing("Z", with: "+00:00")
            #expect(await h.pr.ledger.lines.contains { $0.contains(percentEncode(since)) })
        }
    }

    @Test("a task deleted on Productive is noticed by the periodic full listing, and archived on HelpSpace (policy archive)")
    func periodicFullListingFindsDeletions() async throws {
        // A full listing once a poll interval (60 s) has passed since the last: the test
        // moves the last one back rather than waiting, so no machine is too slow for it.
        try await withHarness(onDelete: "archive", maxDeleteShare: 1.0, syncOptions: "poll_interval = 60\nfull_listing_every = 1") { h in
            let hsID = await h.hs.seed(title: "Short-lived")
            await h.hs.seed(title: "Stays")
            try await h.cycle()
            try await h.cycle()  // the first listing of the copies sets the cursor
            let prID = try #require(await h.prTask("Short-lived")).id
            await h.pr.remove(prID)
            // Right away: a changed-since listing, where absence means nothing.
            try await h.cycle()
            #expect(await h.hs.tasks[hsID]?.isArchived == false)
            try h.mirror().write { w in
                var ps = try #require(try w.providerState("pr"))
                ps.lastFullListingAt = Timestamp.now.adding(seconds: -120).description
                try w.putProviderState(ps)
            }
            let report = try await h.cycle()
            #expect(report.plans[0].items.contains { $0.action == .gone && $0.provider == "pr" })
            #expect(report.plans[0].items.contains { $0.action == .archive && $0.provider == "hs" })
            #expect(await h.hs.tasks[hsID]?.isArchived == true)
            #expect(await h.hsTask("Stays")?.isArchived == false)
        }
    }
}
