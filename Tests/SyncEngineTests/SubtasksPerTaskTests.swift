import Foundation
import Mirror
import ProviderFakes
import Testing

/// ActiveCollab and ProofHub list each task's subtasks with a request of
/// its own: the engine reads them by the comment rule (new or changed tasks,
/// then a rotating batch of `comments_every`), not for every task on every poll.
@Suite("Subtasks read per task (ActiveCollab, ProofHub)")
struct SubtasksPerTaskTests {
    func withPair(
        _ syncOptions: String, options: FakeActiveCollab.Options = .init(), _ body: (LinkHarness, FakeHelpSpace, FakeActiveCollab) async throws -> Void
    ) async throws {
        let ac: @Sendable (FakeClock) -> FakeMember = { .activecollab(FakeActiveCollab(clock: $0, options: options)) }
        try await withLink([("hs", helpspace), ("ac", ac)], syncOptions: syncOptions) { h in
            guard case .helpspace(let hs) = h["hs"], case .activecollab(let ac) = h["ac"] else {
                Issue.record("members")
                return
            }
            try await body(h, hs, ac)
        }
    }

    /// Subtask listings ActiveCollab answered since the last reset.
    func subtaskReads(_ ac: FakeActiveCollab) async -> Int {
        await ac.ledger.lines.filter { $0.hasPrefix("GET ") && $0.contains("subtasks") }.count
    }

    @Test("an idle cycle reads the subtasks of one task in comments_every, not of every task")
    func idleReadsARotatingBatch() async throws {
        try await withPair("comments_every = 10") { h, hs, ac in
            for i in 1...40 { await hs.seed(title: "Task \(i)", subtasks: ["Step \(i)"]) }
            let first = try await h.cycle()
            #expect(first.errors.isEmpty, "\(first.errors)")
            #expect(await ac.subtasks.count == 40, "every subtask copied")
            for _ in 0..<2 { try await h.cycle() }  // the copies' own first reads settle
            var reads: [Int] = []
            for _ in 0..<10 {
                await ac.resetLedger()
                let idle = try await h.cycle()
                #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
                reads.append(await subtaskReads(ac))
            }
            #expect(reads.reduce(0, +) == 40, "each task's subtasks read once in ten cycles: \(reads)")
            #expect(reads.allSatisfy { $0 <= 8 }, "about a tenth each cycle: \(reads)")
        }
    }

    @Test(
        "a subtask added or completed on ActiveCollab, its task untouched, reaches HelpSpace within comments_every cycles (whether or not tasksync's subtask writes touch their task)",
        arguments: [false, true])
    func untouchedTaskCatchesUp(_ childTouchesTask: Bool) async throws {
        try await withPair("comments_every = 3", options: .init(childTouchesTask: childTouchesTask)) { h, hs, ac in
            let hsID = await hs.seed(title: "Parent", subtasks: ["First"])
            try await h.cycle()
            let acID = try #require(await ac.allTasks().first { $0.name == "Parent" }).id
            let before = try #require(await ac.task(id: acID)?.updatedOn)
            await ac.seedSubtask(acID, body: "Added on ActiveCollab")
            #expect(await ac.task(id: acID)?.updatedOn == before, "a subtask made in ActiveCollab's UI leaves its task alone")
            for _ in 0..<3 { try await h.cycle() }
            #expect(await hs.tasks[hsID]?.subtasks.map(\.title).sorted() == ["Added on ActiveCollab", "First"])
            await ac.resetLedger()
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            #expect(await ac.ledger.writes == 0, "no echo of tasksync's own subtask writes")
        }
    }

    @Test("a task changed on ActiveCollab has its subtasks read in the same cycle", arguments: [false, true])
    func changedTaskIsReadAtOnce(_ childTouchesTask: Bool) async throws {
        try await withPair("comments_every = 1000", options: .init(childTouchesTask: childTouchesTask)) { h, hs, ac in
            let hsID = await hs.seed(title: "Parent")
            try await h.cycle()
            try await h.cycle()
            let acID = try #require(await ac.allTasks().first { $0.name == "Parent" }).id
            await ac.seedSubtask(acID, body: "Step")
            await ac.edit(acID) { $0.name = "Parent renamed" }
            try await h.cycle()
            let task = try #require(await hs.tasks[hsID])
            #expect(task.title == "Parent renamed")
            #expect(task.subtasks.map(\.title) == ["Step"])
        }
    }

    @Test("ProofHub: a subtask added to a task nobody touched reaches HelpSpace within comments_every cycles; idle cycles read a rotating batch")
    func proofHubCatchesUp() async throws {
        try await withLink([("hs", helpspace), ("ph", proofhub)], syncOptions: "comments_every = 3") { h in
            guard case .helpspace(let hs) = h["hs"], case .proofhub(let ph) = h["ph"] else {
                Issue.record("members")
                return
            }
            let hsID = await hs.seed(title: "Parent", subtasks: ["First"])
            for i in 1...8 { await hs.seed(title: "Other \(i)", subtasks: ["Step \(i)"]) }
            try await h.cycle()
            try await h.cycle()
            let phID = try #require(await ph.allTasks().first { $0.title == "Parent" }).id
            await ph.seedSubtask(phID, title: "Added on ProofHub")
            for _ in 0..<3 { try await h.cycle() }
            #expect(await hs.tasks[hsID]?.subtasks.map(\.title).sorted() == ["Added on ProofHub", "First"])
            await ph.resetLedger()
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            let reads = await ph.ledger.lines.filter { $0.hasPrefix("GET ") && $0.contains("/subtasks") }.count
            #expect(reads <= 5, "subtask listings of a rotating batch (about a third), not of all nine tasks with subtasks: \(reads)")
        }
    }
    /// What the ProofHub document leaves open about `sub_tasks` (it shows
    /// `"sub_tasks": 0` only in examples): a count, a field left at 0, or
    /// no field at all. Subtasks flow either way under each.
    static let subTasksFields: [FakeProofHub.Options.SubTasksField] = [.count, .alwaysZero, .absent]

    @Test(
        "ProofHub, sub_tasks a count, always 0 or absent: a subtask added to an untouched task that had none reaches HelpSpace within comments_every cycles, and HelpSpace's subtasks stay",
        arguments: subTasksFields)
    func proofHubSubTasksField(_ field: FakeProofHub.Options.SubTasksField) async throws {
        let ph: @Sendable (FakeClock) -> FakeMember = { .proofhub(FakeProofHub(clock: $0, options: .init(subTasksField: field))) }
        try await withLink([("hs", helpspace), ("ph", ph)], syncOptions: "comments_every = 3") { h in
            guard case .helpspace(let hs) = h["hs"], case .proofhub(let ph) = h["ph"] else {
                Issue.record("members")
                return
            }
            let hsID = await hs.seed(title: "Parent")
            let otherID = await hs.seed(title: "Other", subtasks: ["Step"])
            for _ in 0..<2 {
                let report = try await h.cycle()
                #expect(report.errors.isEmpty, "\(report.errors)")
            }
            let phID = try #require(await ph.allTasks().first { $0.title == "Parent" }).id
            let phOther = try #require(await ph.allTasks().first { $0.title == "Other" }).id
            #expect(await ph.subtasks(of: phOther).map(\.title) == ["Step"])
            let before = try #require(await ph.task(phID)?.updatedAt)
            await ph.seedSubtask(phID, title: "Added on ProofHub")
            #expect(await ph.task(phID)?.updatedAt == before, "the task itself is untouched")
            for _ in 0..<3 { try await h.cycle() }
            #expect(await hs.tasks[hsID]?.subtasks.map(\.title) == ["Added on ProofHub"], "\(field)")
            #expect(await hs.tasks[otherID]?.subtasks.map(\.title) == ["Step"], "\(field): a subtask ProofHub did not list is not gone")
            #expect(await ph.subtasks(of: phOther).map(\.title) == ["Step"], "\(field): copied once")
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(field): \(idle.plans.flatMap(\.items))")
        }
    }

    // MARK: rule 4 for subtasks listed per task

    /// A subtask made on Productive is created on `name`, the create's answer
    /// is lost (the connection drops once the server applied it), and the
    /// following cycles must find it (the Fetcher reads the subtasks of a
    /// task with a create pending under it) rather than create it again.
    func lostSubtaskCreate(
        _ name: String, _ member: @escaping @Sendable (FakeClock) -> FakeMember, subtasksOn: @escaping (FakeMember, String) async -> [String]
    ) async throws {
        try await withLink([("pr", productive), (name, member)], syncOptions: "comments_every = 1000") { h in
            guard case .productive(let pr) = h["pr"] else {
                Issue.record("members")
                return
            }
            let parent = await pr.seed(title: "Parent on Productive")
            for _ in 0..<2 { try await h.cycle() }
            await pr.seed(title: "late child", parent: parent)
            await h[name].inject(.dropAfterCreate, times: 1, method: "POST")
            let lost = try await h.cycle()
            #expect(lost.outcome == .partial, "the create's answer was lost")
            #expect(await subtasksOn(h[name], "Parent on Productive") == ["late child"], "the server applied it")
            for _ in 0..<2 { try await h.cycle() }
            #expect(await subtasksOn(h[name], "Parent on Productive") == ["late child"], "found again, not created twice")
            let rows = try h.mirror().mappingRows().filter { $0.kind == "subtask" }
            #expect(rows.count == 1 && rows.first?.remotes.keys.sorted() == [name, "pr"], "the mirror pairs it: \(rows)")
            await h[name].resetLedger()
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            #expect(await h[name].ledger().writes == 0)
        }
    }

    @Test("ActiveCollab: a subtask create whose answer was lost is found again, not made twice", arguments: [false, true])
    func lostSubtaskCreateOnActiveCollab(_ childTouchesTask: Bool) async throws {
        let ac: @Sendable (FakeClock) -> FakeMember = { .activecollab(FakeActiveCollab(clock: $0, options: .init(childTouchesTask: childTouchesTask))) }
        try await lostSubtaskCreate("ac", ac) { member, title in
            guard case .activecollab(let ac) = member, let task = await ac.allTasks().first(where: { $0.name == title }) else { return [] }
            return await ac.subtasks(of: task.id).map(\.body)
        }
    }

    @Test("ProofHub: a subtask create whose answer was lost is found again, not made twice (sub_tasks a count, always 0, or absent)", arguments: subTasksFields)
    func lostSubtaskCreateOnProofHub(_ field: FakeProofHub.Options.SubTasksField) async throws {
        let ph: @Sendable (FakeClock) -> FakeMember = { .proofhub(FakeProofHub(clock: $0, options: .init(subTasksField: field))) }
        try await lostSubtaskCreate("ph", ph) { member, title in
            guard case .proofhub(let ph) = member, let task = await ph.allTasks().first(where: { $0.title == title }) else { return [] }
            return await ph.subtasks(of: task.id).map(\.title)
        }
    }
}
