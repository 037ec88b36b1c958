import Foundation
import Mirror
import ProviderFakes
import Testing

/// HelpSpace, Productive and ProofHub in one link, over HTTP.
@Suite("A link of HelpSpace, Productive and ProofHub")
struct ThreeKindsTests {
    static let members: [(String, @Sendable (FakeClock) -> FakeMember)] = [("hs", helpspace), ("pr", productive), ("ph", proofhub)]
    static let stages: [Int64] = FakeProofHub.basicWorkflow.stages.map(\.id)

    /// Runs `body` with the three fakes.
    func withThree(
        onDelete: String = "archive", syncOptions: String = "",
        _ body: (LinkHarness, FakeHelpSpace, FakeProductive, FakeProofHub) async throws -> Void
    ) async throws {
        try await withLink(Self.members, onDelete: onDelete, syncOptions: syncOptions) { h in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"], case .proofhub(let ph) = h["ph"] else {
                Issue.record("members")
                return
            }
            try await body(h, hs, pr, ph)
        }
    }

    @Test("a task created on each reaches the two others once; then idle cycles write nothing anywhere")
    func createsReachEveryone() async throws {
        try await withThree { h, hs, pr, ph in
            await hs.seed(title: "From HelpSpace", tags: ["support"])
            await pr.seed(title: "From Productive", tags: ["web"])
            await ph.seedTask(title: "From ProofHub", labels: ["finance"], dueDate: "2026-12-24")
            let first = try await h.cycle()
            #expect(first.errors.isEmpty, "\(first.errors)")
            let all = ["From HelpSpace", "From ProofHub", "From Productive"].sorted()
            for (name, fake) in h.members { #expect(await fake.titles() == all, "\(name)") }
            // ProofHub's 64-bit ids survive the round trip through the mirror.
            let phIDs = Set(await ph.allTasks().map { String($0.id) })
            #expect(phIDs.allSatisfy { Int64($0)! > 9_007_199_254_740_992 })
            let mapped = try h.mirror().mappingRows().compactMap { $0.remotes["ph"] }
            #expect(Set(mapped) == phIDs)
            #expect(await hs.liveTasks().first { $0.title == "From ProofHub" }?.dueAt?.hasPrefix("2026-12-24") == true)
            let labels = await ph.labels
            #expect(Set(await ph.allTasks().flatMap { t in t.labelIDs.compactMap { labels[$0]?.name } }) == ["finance", "support", "web"])
            for _ in 0..<2 {
                let idle = try await h.cycle()
                #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            }
            await hs.resetLedger()
            await pr.resetLedger()
            await ph.resetLedger()
            try await h.cycle()
            #expect(await hs.ledger.writes == 0)
            #expect(await pr.ledger.writes == 0)
            #expect(await ph.ledger.writes == 0)
        }
    }

    @Test("status: a stage moved on ProofHub reaches HelpSpace and Productive; a status set elsewhere is never written to ProofHub")
    func status() async throws {
        try await withThree { h, hs, pr, ph in
            let phID = await ph.seedTask(title: "Staged")
            try await h.cycle()
            let hsID = try #require(await hs.liveTasks().first { $0.title == "Staged" }).id
            let prID = try #require(await pr.liveTasks().first { $0.title == "Staged" }).id
            await ph.edit(phID) { $0.stageID = Self.stages[1] }
            try await h.cycle()
            #expect(await hs.tasks[hsID]?.statusID == 2)
            #expect(await pr.tasks[prID]?.workflowStatusID == "2546")
            await ph.resetLedger()
            h.clock.advance(seconds: 5)
            await hs.edit(hsID) { $0.statusID = 3 }
            try await h.cycle()
            #expect(await pr.tasks[prID]?.workflowStatusID == "2547")
            #expect(await ph.task(phID)?.stageID == Self.stages[1], "ProofHub's stage is not written")
            #expect(await ph.ledger.writes == 0)
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
        }
    }

    @Test("tags and labels: a tag added on Productive becomes a ProofHub label (created once) and a HelpSpace tag")
    func tagsAndLabels() async throws {
        try await withThree { h, hs, pr, ph in
            let prID = await pr.seed(title: "Tagged", tags: ["a"])
            let prID2 = await pr.seed(title: "Tagged too", tags: ["a"])
            try await h.cycle()
            await pr.edit(prID) { $0.tags = ["a", "urgent"] }
            await pr.edit(prID2) { $0.tags = ["urgent"] }
            try await h.cycle()
            #expect(Set(await hs.liveTasks().first { $0.title == "Tagged" }?.tags ?? []) == ["a", "urgent"])
            #expect(Set(await hs.liveTasks().first { $0.title == "Tagged too" }?.tags ?? []) == ["urgent"])
            let labels = await ph.labels
            #expect(labels.values.filter { $0.name == "urgent" }.count == 1, "one label, reused")
            let phTask = try #require(await ph.allTasks().first { $0.title == "Tagged" })
            #expect(Set(phTask.labelIDs.compactMap { labels[$0]?.name }) == ["a", "urgent"])
        }
    }

    @Test("subtasks made on HelpSpace appear under the task on Productive and ProofHub; completion follows")
    func subtasks() async throws {
        try await withThree { h, hs, pr, ph in
            let hsID = await hs.seed(title: "Parent", subtasks: ["One", "Two"])
            try await h.cycle()
            let prParent = try #require(await pr.liveTasks().first { $0.title == "Parent" }).id
            let phParent = try #require(await ph.allTasks().first { $0.title == "Parent" }).id
            #expect(await pr.liveTasks().filter { $0.parentID == prParent }.map(\.title).sorted() == ["One", "Two"])
            #expect(await ph.subtasks(of: phParent).map(\.title).sorted() == ["One", "Two"])
            let subID = try #require(await hs.tasks[hsID]?.subtasks.first { $0.title == "One" }).id
            await hs.edit(hsID) { t in
                if let i = t.subtasks.firstIndex(where: { $0.id == subID }) { t.subtasks[i].doneAt = Date() }
            }
            try await h.cycle()
            #expect(await ph.subtasks(of: phParent).first { $0.title == "One" }?.completed == true)
            #expect(await pr.liveTasks().first { $0.parentID == prParent && $0.title == "One" }?.closed == true)
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
        }
    }

    @Test("comments: one made on ProofHub reaches Productive once, one made on Productive reaches ProofHub once")
    func comments() async throws {
        try await withThree(syncOptions: "comments_every = 1") { h, hs, pr, ph in
            let phID = await ph.seedTask(title: "Discussed")
            try await h.cycle()
            let prID = try #require(await pr.liveTasks().first { $0.title == "Discussed" }).id
            await ph.seedComment(phID, text: "<p>From ProofHub</p>")
            try await h.cycle()
            #expect(await pr.comments(of: prID).count == 1)
            #expect(await pr.comments(of: prID).first?.body.contains("From ProofHub") == true)
            for _ in 0..<2 { try await h.cycle() }
            #expect(await pr.comments(of: prID).count == 1, "no echo")
            #expect(await ph.comments(of: phID).count == 1, "no echo")
            _ = hs
        }
    }

    @Test("the title edited on all three: the newest wins everywhere; both losers are in the conflicts list")
    func threeWayConflict() async throws {
        try await withThree { h, hs, pr, ph in
            let hsID = await hs.seed(title: "Plan")
            try await h.cycle()
            let prID = try #require(await pr.liveTasks().first { $0.title == "Plan" }).id
            let phID = try #require(await ph.allTasks().first { $0.title == "Plan" }).id
            h.clock.advance(seconds: 2)
            await pr.edit(prID) { $0.title = "Plan B" }
            h.clock.advance(seconds: 2)
            await hs.edit(hsID) { $0.title = "Plan A" }
            h.clock.advance(seconds: 2)
            await ph.edit(phID) { $0.title = "Plan C" }  // newest
            try await h.cycle()
            #expect(await hs.tasks[hsID]?.title == "Plan C")
            #expect(await pr.tasks[prID]?.title == "Plan C")
            #expect(await ph.task(phID)?.title == "Plan C")
            let conflicts = try h.mirror().conflicts()
            #expect(Set(conflicts.map(\.loserProvider)) == ["hs", "pr"])
            #expect(Set(conflicts.map(\.winnerProvider)) == ["ph"])
        }
    }

    @Test("ProofHub down (500s): HelpSpace and Productive keep syncing, nothing is deleted; ProofHub catches up once")
    func proofHubDown() async throws {
        try await withThree(onDelete: "delete") { h, hs, pr, ph in
            await hs.seed(title: "Kept")
            try await h.cycle()
            await ph.inject(.status(500), times: 2, method: "GET")
            await hs.seed(title: "Made while ProofHub was down")
            for _ in 0..<2 {
                let report = try await h.cycle()
                #expect(report.providerFailures["ph"] != nil)
            }
            #expect(await pr.liveTasks().map(\.title).sorted() == ["Kept", "Made while ProofHub was down"])
            #expect(await ph.allTasks().map(\.title) == ["Kept"])
            let back = try await h.cycle()
            #expect(back.errors.isEmpty, "\(back.errors)")
            #expect(await ph.allTasks().map(\.title).sorted() == ["Kept", "Made while ProofHub was down"])
            #expect(await hs.liveTasks().count == 2)
            #expect(await pr.liveTasks().count == 2)
        }
    }
}
