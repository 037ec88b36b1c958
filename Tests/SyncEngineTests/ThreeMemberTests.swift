import Foundation
import Mirror
import ProviderFakes
import Testing

/// Links of three members: HelpSpace and two Productive projects.
@Suite("Links of three members")
struct ThreeMemberTests {
    static let members: [(String, @Sendable (FakeClock) -> FakeMember)] = [("hs", helpspace), ("pr", productive), ("pr2", productive)]

    @Test("a task created on any member reaches the two others, once")
    func createsReachEveryone() async throws {
        try await withLink(Self.members) { h in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"], case .productive(let pr2) = h["pr2"] else { return }
            await hs.seed(title: "From HelpSpace")
            await pr.seed(title: "From Productive")
            await pr2.seed(title: "From the second project")
            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            let all = ["From HelpSpace", "From Productive", "From the second project"]
            for (name, fake) in h.members { #expect(await fake.titles() == all, "\(name)") }
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            for (name, fake) in h.members { #expect(await fake.titles() == all, "\(name) after an idle cycle") }
        }
    }

    @Test("the same field edited on all three: the newest wins everywhere, both losers are kept")
    func threeWayConflict() async throws {
        try await withLink(Self.members) { h in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"], case .productive(let pr2) = h["pr2"] else { return }
            let hsID = await hs.seed(title: "Plan")
            try await h.cycle()
            let prID = try #require(await pr.liveTasks().first { $0.title == "Plan" }).id
            let pr2ID = try #require(await pr2.liveTasks().first { $0.title == "Plan" }).id
            await hs.edit(hsID) { $0.title = "Plan A" }
            h.clock.advance(seconds: 5)
            await pr2.edit(pr2ID) { $0.title = "Plan C" }  // newest: wins
            h.clock.advance(seconds: -3)
            await pr.edit(prID) { $0.title = "Plan B" }
            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(await hs.tasks[hsID]?.title == "Plan C")
            #expect(await pr.tasks[prID]?.title == "Plan C")
            #expect(await pr2.tasks[pr2ID]?.title == "Plan C")
            let conflicts = try h.mirror().conflicts()
            #expect(Set(conflicts.map(\.loserProvider)) == ["hs", "pr"])
            #expect(Set(conflicts.map(\.winnerProvider)) == ["pr2"])
            #expect(Set(conflicts.map(\.loserValue)) == ["\"Plan A\"", "\"Plan B\""])
        }
    }

    @Test("priority, held by HelpSpace alone, stays HelpSpace's own: never written elsewhere, never erased")
    func fieldOnlyOneMemberHolds() async throws {
        try await withLink(Self.members) { h in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"] else { return }
            let hsID = await hs.seed(title: "Urgent", priority: "very high")
            try await h.cycle()
            let prID = try #require(await pr.liveTasks().first { $0.title == "Urgent" }).id
            await pr.edit(prID) { $0.title = "Urgent!" }
            try await h.cycle()
            #expect(await hs.tasks[hsID]?.title == "Urgent!")
            #expect(await hs.tasks[hsID]?.priority == "very high")
        }
    }

    @Test(
        "one member down (500s, malformed answers): the two others keep syncing, nothing is deleted, it catches up once it returns, and its stale edit loses",
        arguments: [Fault.status(500), Fault.malformedBody, Fault.status(503)])
    func memberDown(_ fault: Fault) async throws {
        try await withLink(Self.members, onDelete: "delete") { h in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"], case .productive(let pr2) = h["pr2"] else { return }
            let hsID = await hs.seed(title: "Shared")
            try await h.cycle()
            let pr2ID = try #require(await pr2.liveTasks().first { $0.title == "Shared" }).id
            // pr2's stale edit, made before it goes down.
            await pr2.edit(pr2ID) { $0.title = "Shared (stale)" }
            await pr2.inject(fault, times: 2, method: "GET")  // one listing per cycle, for two cycles
            h.clock.advance(seconds: 30)
            await hs.edit(hsID) { $0.title = "Shared (newer)" }
            await hs.seed(title: "Made while pr2 was down")
            for _ in 0..<2 {
                let report = try await h.cycle()
                #expect(report.outcome == .partial)
                #expect(report.providerFailures["pr2"] != nil)
            }
            #expect(await pr.liveTasks().map(\.title).sorted() == ["Made while pr2 was down", "Shared (newer)"])
            #expect(await hs.liveTasks().count == 2, "nothing deleted")
            let back = try await h.cycle()
            #expect(back.errors.isEmpty, "\(back.errors)")
            for (name, fake) in h.members {
                let titles = await fake.titles()
                #expect(titles == ["Made while pr2 was down", "Shared (newer)"], "\(name): \(titles)")
            }
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync)
        }
    }

    @Test("one member refusing connections: it alone fails, as unreachable; the others sync; nothing is deleted or archived")
    func memberRefusing() async throws {
        try await withLink(Self.members, onDelete: "delete") { h in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"], case .productive(let pr2) = h["pr2"] else { return }
            let hsID = await hs.seed(title: "Before")
            try await h.cycle()
            await pr2.refuseConnections()
            await hs.edit(hsID) { $0.title = "After" }
            await hs.seed(title: "New while refused")
            let report = try await h.cycle()
            #expect(report.providerFailures["pr2"] == .unreachable)
            #expect(report.providerFailures["hs"] == nil && report.providerFailures["pr"] == nil)
            #expect(await pr.liveTasks().map(\.title).sorted() == ["After", "New while refused"])
            #expect(await hs.liveTasks().count == 2)
            #expect(try h.mirror().journal().filter { $0.detail == "delete-task" || $0.detail == "archive-task" }.isEmpty)
        }
    }

    @Test("priority held by two of three: an edit on one reaches the other, Productive is never asked, and its edits never erase it")
    func fieldTwoOfThreeHold() async throws {
        try await withLink([("hs", helpspace), ("pr", productive), ("hs2", helpspace)]) { h in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"], case .helpspace(let hs2) = h["hs2"] else { return }
            let hsID = await hs.seed(title: "Ranked", priority: "low")
            try await h.cycle()
            let hs2ID = try #require(await hs2.liveTasks().first { $0.title == "Ranked" }).id
            let prID = try #require(await pr.liveTasks().first { $0.title == "Ranked" }).id
            #expect(await hs2.tasks[hs2ID]?.priority == "low")
            await hs.edit(hsID) { $0.priority = "very high" }
            try await h.cycle()
            #expect(await hs2.tasks[hs2ID]?.priority == "very high")
            await pr.resetLedger()
            await pr.edit(prID) { $0.title = "Ranked!" }
            try await h.cycle()
            #expect(await hs.tasks[hsID]?.priority == "very high")
            #expect(await hs2.tasks[hs2ID]?.priority == "very high")
            #expect(await hs2.tasks[hs2ID]?.title == "Ranked!")
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
        }
    }

    @Test("comments: one made on HelpSpace reaches both Productive projects once; HelpSpace, which cannot take comments, gets none back")
    func commentsAcrossThree() async throws {
        // Every task's comments are read every cycle: HelpSpace's comments do not touch their task.
        try await withLink(Self.members, syncOptions: "comments_every = 1") { h in
            guard case .helpspace(let hs) = h["hs"], case .productive(let pr) = h["pr"], case .productive(let pr2) = h["pr2"] else { return }
            let hsID = await hs.seed(title: "Talk")
            try await h.cycle()
            let prID = try #require(await pr.liveTasks().first { $0.title == "Talk" }).id
            let pr2ID = try #require(await pr2.liveTasks().first { $0.title == "Talk" }).id
            await hs.addComment(hsID, text: "From HelpSpace", author: "Ann")
            try await h.cycle()
            #expect(await pr.comments(of: prID).map(\.body).count == 1)
            #expect(await pr2.comments(of: pr2ID).map(\.body).count == 1)
            #expect(await pr.comments(of: prID).first?.body.contains("From HelpSpace") == true)
            for _ in 0..<2 { try await h.cycle() }
            #expect(await pr.comments(of: prID).count == 1, "no echo")
            #expect(await pr2.comments(of: pr2ID).count == 1, "no echo")
            #expect(await hs.tasks[hsID]?.comments.count == 1)
        }
    }
}
