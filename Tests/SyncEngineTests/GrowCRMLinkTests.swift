import Foundation
import Mirror
import ProviderFakes
import Testing

/// Grow CRM linked to HelpSpace, and in a link of three with Productive.
@Suite("Links with Grow CRM")
struct GrowCRMLinkTests {
    func withCRM(
        _ members: [(String, @Sendable (FakeClock) -> FakeMember)], onDelete: String = "archive", syncOptions: String = "",
        _ body: (LinkHarness, FakeGrowCRM) async throws -> Void
    ) async throws {
        try await withLink(members, onDelete: onDelete, syncOptions: syncOptions) { h in
            guard case .growcrm(let crm) = h["crm"] else {
                Issue.record("no crm member")
                return
            }
            try await body(h, crm)
        }
    }

    @Test("HelpSpace and Grow CRM: creates both ways, status and tags both ways with one write per change, then idle")
    func helpspaceAndCRM() async throws {
        try await withCRM([("hs", helpspace), ("crm", growcrm)]) { h, crm in
            guard case .helpspace(let hs) = h["hs"] else { return }
            let hsID = await hs.seed(title: "From HelpSpace", statusID: 2, tags: ["support"])
            let crmID = await crm.seedTask(title: "From Grow CRM", statusID: 1, tags: ["sales"])
            let first = try await h.cycle()
            #expect(first.errors.isEmpty, "\(first.errors)")
            let copied = try #require(await crm.allTasks().first { $0.title == "From HelpSpace" })
            #expect(copied.statusID == 3, "Doing is 3 on Grow CRM")
            #expect(copied.tags == ["support"])
            #expect(await hs.liveTasks().first { $0.title == "From Grow CRM" }?.tags == ["sales"])
            // Status and tags from HelpSpace: one PUT each on Grow CRM, no PATCH.
            await crm.resetLedger()
            await hs.edit(hsID) {
                $0.statusID = 3
                $0.tags = ["support", "vip"]
            }
            try await h.cycle()
            let lines = await crm.ledger.lines.filter { !$0.hasPrefix("GET") }
            #expect(lines.count == 2, "\(lines)")
            #expect(await crm.task(copied.id)?.statusID == 2)
            #expect(Set(await crm.task(copied.id)?.tags ?? []) == ["support", "vip"])
            // And from Grow CRM back to HelpSpace.
            await crm.edit(crmID) {
                $0.statusID = 3
                $0.tags = ["sales", "q4"]
            }
            try await h.cycle()
            let back = try #require(await hs.liveTasks().first { $0.title == "From Grow CRM" })
            #expect(back.statusID == 2)
            #expect(Set(back.tags) == ["sales", "q4"])
            for _ in 0..<2 {
                let idle = try await h.cycle()
                #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            }
            await crm.resetLedger()
            await hs.resetLedger()
            try await h.cycle()
            #expect(await crm.ledger.writes == 0)
            #expect(await hs.ledger.writes == 0)
        }
    }

    @Test("a very low priority, which Grow CRM holds as low, never echoes back: HelpSpace keeps very low, cycles go idle")
    func lossyPriorityNeverEchoes() async throws {
        try await withCRM([("hs", helpspace), ("crm", growcrm)]) { h, crm in
            guard case .helpspace(let hs) = h["hs"] else { return }
            let hsID = await hs.seed(title: "Someday", priority: "very low")
            try await h.cycle()
            #expect(await crm.allTasks().first?.priorityID == 4)
            for _ in 0..<3 { try await h.cycle() }
            #expect(await hs.tasks[hsID]?.priority == "very low")
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            let notKept = try h.mirror().journal().filter { $0.kind == "not-kept" }
            #expect(notKept.count == 1, "said once: \(notKept.map { $0.detail ?? "" })")
        }
    }

    @Test("three members: comments reach Grow CRM and from it, once each; a Grow CRM deletion reaches the others")
    func threeWithCRM() async throws {
        try await withCRM([("hs", helpspace), ("pr", productive), ("crm", growcrm)], onDelete: "delete", syncOptions: "comments_every = 1") { h, crm in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"] else { return }
            await hs.seed(title: "Talked about")
            await hs.seed(title: "Kept")
            await hs.seed(title: "Also kept")
            try await h.cycle()
            let crmID = try #require(await crm.allTasks().first { $0.title == "Talked about" }).id
            let prID = try #require(await pr.liveTasks().first { $0.title == "Talked about" }).id
            await crm.seedComment(crmID, text: "From the CRM")
            try await h.cycle()
            #expect(await pr.comments(of: prID).filter { $0.body.contains("From the CRM") }.count == 1)
            // And the other way: a comment made on HelpSpace reaches Grow CRM (and Productive).
            let hsID = try #require(await hs.liveTasks().first { $0.title == "Talked about" }).id
            await hs.addComment(hsID, text: "From HelpSpace", author: "Ann")
            try await h.cycle()
            #expect(await crm.comments(of: crmID).filter { $0.text.contains("From HelpSpace") }.count == 1)
            for _ in 0..<2 { try await h.cycle() }
            #expect(await pr.comments(of: prID).count == 2, "no echo")
            #expect(await crm.comments(of: crmID).count == 2, "no echo")
            // Deleted on Grow CRM (a direct read answers 404): deleted on the others.
            await crm.remove(crmID)
            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(await pr.liveTasks().first { $0.title == "Talked about" } == nil)
            #expect(await hs.liveTasks().first { $0.title == "Talked about" } == nil)
            #expect(await hs.liveTasks().count == 2)
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
        }
    }
}
