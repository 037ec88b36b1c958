import Foundation
import Mirror
import ProviderFakes
import Testing

/// All five systems in one link, over HTTP.
@Suite("All five in one link")
struct FiveMemberTests {
    static let members: [(String, @Sendable (FakeClock) -> FakeMember)] = [
        ("hs", helpspace), ("pr", productive), ("ph", proofhub), ("crm", growcrm), ("ac", activecollab),
    ]

    struct Fakes {
        var hs: FakeHelpSpace
        var pr: FakeProductive
        var ph: FakeProofHub
        var crm: FakeGrowCRM
        var ac: FakeActiveCollab
    }

    func withFive(onDelete: String = "archive", _ body: (LinkHarness, Fakes) async throws -> Void) async throws {
        try await withLink(Self.members, onDelete: onDelete) { h in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"], case .proofhub(let ph) = h["ph"],
                case .growcrm(let crm) = h["crm"], case .activecollab(let ac) = h["ac"]
            else {
                Issue.record("members")
                return
            }
            try await body(h, Fakes(hs: hs, pr: pr, ph: ph, crm: crm, ac: ac))
        }
    }

    func resetLedgers(_ h: LinkHarness) async {
        for m in h.members { await m.fake.resetLedger() }
    }

    func writes(_ h: LinkHarness) async -> [String: Int] {
        var out: [String: Int] = [:]
        for m in h.members { out[m.name] = await m.fake.ledger().writes }
        return out
    }

    @Test("a task created on each of the five reaches the four others once; idle cycles then write nothing on any")
    func createsReachAll() async throws {
        try await withFive { h, f in
            await f.hs.seed(title: "HelpSpace task")
            await f.pr.seed(title: "Productive task")
            await f.ph.seedTask(title: "ProofHub task")
            await f.crm.seedTask(title: "Grow CRM task")
            await f.ac.seedTask("ActiveCollab task")
            let first = try await h.cycle()
            #expect(first.errors.isEmpty, "\(first.errors)")
            let all = ["ActiveCollab task", "Grow CRM task", "HelpSpace task", "ProofHub task", "Productive task"].sorted()
            for (name, fake) in h.members {
                let titles = await fake.titles()
                #expect(titles == all, "\(name): \(titles)")
            }
            for _ in 0..<2 {
                let idle = try await h.cycle()
                #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            }
            await resetLedgers(h)
            try await h.cycle()
            let idleWrites = await writes(h)
            #expect(idleWrites.values.allSatisfy { $0 == 0 }, "\(idleWrites)")
        }
    }

    @Test("a status change on one member reaches every member that can take it, with at most one write each")
    func statusReachesAll() async throws {
        try await withFive { h, f in
            let crmID = await f.crm.seedTask(title: "Moving")
            try await h.cycle()
            try await h.cycle()
            await resetLedgers(h)
            await f.crm.edit(crmID) { $0.statusID = 3 }  // Doing
            try await h.cycle()
            #expect(await f.hs.liveTasks().first { $0.title == "Moving" }?.statusID == 2)
            #expect(await f.pr.liveTasks().first { $0.title == "Moving" }?.workflowStatusID == "2546")
            #expect(await f.ac.allTasks().first { $0.name == "Moving" }?.labelID == 52)
            let w = await writes(h)
            #expect(w["hs"] == 1 && w["pr"] == 1 && w["ac"] == 1, "\(w)")
            #expect(w["ph"] == 0, "ProofHub's stage is read only: \(w)")
            #expect(w["crm"] == 0, "\(w)")
        }
    }

    @Test("the title edited on three members: the newest wins on all five, both losers are kept")
    func conflictAmongThree() async throws {
        try await withFive { h, f in
            let hsID = await f.hs.seed(title: "Plan")
            try await h.cycle()
            let acTask = try #require(await f.ac.allTasks().first { $0.name == "Plan" })
            let crmID = try #require(await f.crm.allTasks().first { $0.title == "Plan" }).id
            h.clock.advance(seconds: 2)
            await f.hs.edit(hsID) { $0.title = "Plan A" }
            h.clock.advance(seconds: 2)
            await f.crm.edit(crmID) { $0.title = "Plan B" }
            h.clock.advance(seconds: 2)
            await f.ac.edit(acTask.id) { $0.name = "Plan C" }  // newest
            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            for (name, fake) in h.members { #expect(await fake.titles() == ["Plan C"], "\(name)") }
            let conflicts = try h.mirror().conflicts()
            #expect(Set(conflicts.map(\.winnerProvider)) == ["ac"])
            #expect(Set(conflicts.map(\.loserProvider)).isSuperset(of: ["hs"]), "\(conflicts.map(\.loserProvider))")
        }
    }

    @Test("fields some members cannot hold survive their edits: tags past ActiveCollab, priority past Productive, subtasks past Grow CRM")
    func unheldFieldsSurvive() async throws {
        try await withFive { h, f in
            let hsID = await f.hs.seed(title: "Rich", tags: ["keep-me"], priority: "high", subtasks: ["Step"])
            try await h.cycle()
            let acID = try #require(await f.ac.allTasks().first { $0.name == "Rich" }).id
            let prID = try #require(await f.pr.liveTasks().first { $0.title == "Rich" && $0.parentID == nil }).id
            let crmID = try #require(await f.crm.allTasks().first { $0.title == "Rich" }).id
            await f.ac.edit(acID) { $0.name = "Rich (AC)" }
            try await h.cycle()
            await f.pr.edit(prID) { $0.title = "Rich (PR)" }
            try await h.cycle()
            await f.crm.edit(crmID) { $0.title = "Rich (CRM)" }
            try await h.cycle()
            let hs = try #require(await f.hs.tasks[hsID])
            #expect(hs.title == "Rich (CRM)")
            #expect(hs.tags == ["keep-me"])
            #expect(hs.priority == "high")
            #expect(hs.subtasks.map(\.title) == ["Step"])
            #expect(await f.crm.task(crmID)?.priorityID == 2, "high on Grow CRM")
            #expect(await f.ac.task(id: acID)?.priority == 1, "high on ActiveCollab")
            #expect(await f.ac.subtasks(of: acID).map(\.body) == ["Step"])
            #expect(Set(await f.crm.task(crmID)?.tags ?? []) == ["keep-me"])
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
        }
    }

    @Test("one member refusing connections: the four others keep syncing, nothing is deleted")
    func oneRefusing() async throws {
        try await withFive(onDelete: "delete") { h, f in
            await f.hs.seed(title: "Before")
            try await h.cycle()
            await f.ac.refuseConnections()
            await f.pr.seed(title: "While ActiveCollab is away")
            let report = try await h.cycle()
            #expect(report.providerFailures["ac"] == .unreachable)
            #expect(report.providerFailures.count == 1, "\(report.providerFailures)")
            for name in ["hs", "pr", "ph", "crm"] {
                #expect(await h[name].titles() == ["Before", "While ActiveCollab is away"], "\(name)")
            }
        }
    }

    @Test("ActiveCollab answering truncated XML fails alone with a journal entry; nothing is deleted anywhere; it catches up")
    func truncatedXML() async throws {
        try await withFive(onDelete: "delete") { h, f in
            await f.hs.seed(title: "Shared")
            try await h.cycle()
            await f.ac.inject(.malformedBody, times: 1, method: "GET")
            await f.pr.seed(title: "New elsewhere")
            let report = try await h.cycle()
            #expect(report.providerFailures.keys.sorted() == ["ac"], "\(report.providerFailures)")
            let journal = try h.mirror().journal()
            #expect(journal.contains { $0.kind == "error" && ($0.detail ?? "").contains("ac: malformed answer") }, "\(journal.map { $0.detail ?? "" })")
            #expect(!journal.contains { $0.detail == "delete-task" || $0.detail == "archive-task" })
            for (name, fake) in h.members where name != "ac" {
                #expect(await fake.titles() == ["New elsewhere", "Shared"], "\(name)")
            }
            try await h.cycle()
            #expect(await h["ac"].titles() == ["New elsewhere", "Shared"])
        }
    }

    @Test("a task archived on ActiveCollab is neither deleted elsewhere nor created again there, and stays archived")
    func archivedOnActiveCollab() async throws {
        try await withFive(onDelete: "delete") { h, f in
            await f.hs.seed(title: "Done with")
            await f.hs.seed(title: "Other")
            await f.hs.seed(title: "Third")
            try await h.cycle()
            let acID = try #require(await f.ac.allTasks().first { $0.name == "Done with" }).id
            await f.ac.setArchived(acID, true)
            for _ in 0..<2 { try await h.cycle() }
            #expect(await f.hs.liveTasks().contains { $0.title == "Done with" })
            #expect(await f.ac.allTasks().filter { $0.name == "Done with" }.count == 1, "not created again")
            #expect(await f.ac.task(id: acID)?.archived == true, "not unarchived")
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
        }
    }
}
