import Foundation
import Mirror
import ProviderFakes
import ProviderKit
import SyncEngine
import Testing

/// Rules 2 and 3 after a crash: an update that reached its target but whose
/// answer was never stored is tasksync's own write. The next cycle must not
/// read it back as an edit on the target, nor let it beat a real edit made
/// meanwhile on another member (what the randomised kill test found: the
/// user's edit lost to tasksync's stale write on updated_at).
@Suite("Updates whose answer was lost")
struct LostUpdateTests {
    /// Stops the process (as a kill would) right after `operation` reached `provider`, before its answer is stored.
    static func crashing(after operation: String, on provider: String) -> EngineHooks {
        EngineHooks(afterRemoteWrite: { p, op in
            if p == provider && op == operation { throw SimulatedCrash() }
        })
    }

    @Test("a crash after an update to Productive, then a second edit of the field on HelpSpace: the edit wins everywhere, no conflict")
    func taskUpdateAnswerLost() async throws {
        try await withHarness { h in
            let hsID = await h.hs.seed(title: "Plan", tags: ["q1"])
            try await h.cycle()
            let prID = try #require(await h.prTask("Plan")).id
            await h.hs.edit(hsID) { $0.title = "Plan A" }
            await #expect(throws: SimulatedCrash.self) { try await h.engine(hooks: Self.crashing(after: "update-task", on: "pr")).runCycle() }
            #expect(await h.pr.tasks[prID]?.title == "Plan A", "the update reached Productive before the crash")
            // The user edits the same field again on HelpSpace. Its whole-second
            // updated_at does not move past Productive's (as in the kill test, where
            // the edit fell in the same second): only the shadow can tell the two apart.
            await h.hs.edit(hsID, keepingTimestamp: true) { $0.title = "Plan B" }

            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(await h.hs.tasks[hsID]?.title == "Plan B", "the user's edit is not lost")
            #expect(await h.pr.tasks[prID]?.title == "Plan B")
            #expect(try h.mirror().conflicts().isEmpty, "tasksync's own write is no side of a conflict")
            let echoes = try h.mirror().journal(limit: 1000).filter { $0.kind == "change" && $0.provider == "pr" }
            #expect(echoes.isEmpty, "the write is not read back as an edit on Productive (rule 2): \(echoes)")
            #expect(try h.mirror().pendingOutbox().isEmpty)

            await h.hs.resetLedger()
            await h.pr.resetLedger()
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            #expect(await h.hs.ledger.writes == 0)
            #expect(await h.pr.ledger.writes == 0)
        }
    }

    @Test("a crash after an update, and nothing else: the next cycle sees no edit and writes nothing")
    func taskUpdateAnswerLostThenIdle() async throws {
        try await withHarness { h in
            let hsID = await h.hs.seed(title: "Plan", tags: ["q1"])
            try await h.cycle()
            let prID = try #require(await h.prTask("Plan")).id
            await h.hs.edit(hsID) { $0.tags = ["q1", "q2"] }
            await #expect(throws: SimulatedCrash.self) { try await h.engine(hooks: Self.crashing(after: "update-task", on: "pr")).runCycle() }
            await h.hs.resetLedger()
            await h.pr.resetLedger()

            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(await h.hs.ledger.writes == 0)
            #expect(await h.pr.ledger.writes == 0)
            #expect(Set(await h.pr.tasks[prID]?.tags ?? []) == ["q1", "q2"])
            let echoes = try h.mirror().journal(limit: 1000).filter { $0.kind == "change" && $0.provider == "pr" }
            #expect(echoes.isEmpty, "\(echoes)")
        }
    }

    @Test("a crash after an update that someone then changed on the target: what the target shows is the truth")
    func taskUpdateChangedSince() async throws {
        try await withHarness { h in
            let hsID = await h.hs.seed(title: "Plan")
            try await h.cycle()
            let prID = try #require(await h.prTask("Plan")).id
            await h.hs.edit(hsID) { $0.title = "Plan A" }
            await #expect(throws: SimulatedCrash.self) { try await h.engine(hooks: Self.crashing(after: "update-task", on: "pr")).runCycle() }
            await h.pr.edit(prID) { $0.title = "Plan C" }

            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(await h.hs.tasks[hsID]?.title == "Plan C", "the edit on Productive flows")
            #expect(await h.pr.tasks[prID]?.title == "Plan C")
            #expect(try h.mirror().conflicts().isEmpty)
        }
    }

    @Test("a crash after a subtask update to Productive, then a second edit of the subtask on HelpSpace: the edit wins, no conflict")
    func subtaskUpdateAnswerLost() async throws {
        try await withHarness { h in
            let hsID = await h.hs.seed(title: "Release", subtasks: ["write notes"])
            try await h.cycle()
            let prParent = try #require(await h.prTask("Release")).id
            func prSubtitles() async -> [String] { await h.pr.liveTasks().filter { $0.parentID == prParent }.map(\.title) }
            #expect(await prSubtitles() == ["write notes"])
            await h.hs.edit(hsID) { $0.subtasks[0].title = "write the notes" }
            await #expect(throws: SimulatedCrash.self) { try await h.engine(hooks: Self.crashing(after: "update-subtask", on: "pr")).runCycle() }
            #expect(await prSubtitles() == ["write the notes"], "the update reached Productive before the crash")
            // The subtask's own updated_at stays (HelpSpace moves it only on its own
            // writes): Productive's copy looks newer, as tasksync's stale write did.
            await h.hs.edit(hsID, keepingTimestamp: true) { $0.subtasks[0].title = "write and send the notes" }

            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(await h.hs.tasks[hsID]?.subtasks.map(\.title) == ["write and send the notes"], "the user's edit is not lost")
            #expect(await prSubtitles() == ["write and send the notes"])
            #expect(try h.mirror().conflicts().isEmpty, "tasksync's own write is no side of a conflict")
            #expect(try h.mirror().pendingOutbox().isEmpty)
        }
    }
}

extension LostUpdateTests {
    /// Productive whose task updates are carried out but whose answers never
    /// arrive: the connection drops after the server applied the PATCH.
    struct UpdateAnswerLost: TaskWriting, TaskDeleting, SubtaskSyncing, CommentReading, CommentWriting, IncrementalListing {
        let inner: any TaskProvider
        var name: String { inner.name }
        var kind: String { inner.kind }
        var fields: FieldSupport { inner.fields }

        func listTasks(changedSince: Timestamp?) async throws -> TaskListing { try await inner.listTasks(changedSince: changedSince) }
        func readTask(_ ref: RemoteRef) async throws -> DirectRead { try await inner.readTask(ref) }
        func createTask(_ fields: TaskFields) async throws -> RemoteTask { try await (inner as! any TaskWriting).createTask(fields) }
        func updateTask(_ ref: RemoteRef, _ update: TaskUpdate) async throws -> RemoteTask {
            _ = try await (inner as! any TaskWriting).updateTask(ref, update)
            throw ProviderError.transport("connection reset by peer")
        }
        func deleteTask(_ ref: RemoteRef) async throws { try await (inner as! any TaskDeleting).deleteTask(ref) }
        var subtaskWritableFields: Set<SubtaskField> { (inner as! any SubtaskSyncing).subtaskWritableFields }
        func createSubtask(parent: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
            try await (inner as! any SubtaskSyncing).createSubtask(parent: parent, fields)
        }
        func updateSubtask(parent: RemoteRef, _ ref: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
            try await (inner as! any SubtaskSyncing).updateSubtask(parent: parent, ref, fields)
        }
        func listComments(task: RemoteRef) async throws -> [RemoteComment] { try await (inner as! any CommentReading).listComments(task: task) }
        func createComment(task: RemoteRef, _ fields: CommentFields) async throws -> RemoteComment {
            try await (inner as! any CommentWriting).createComment(task: task, fields)
        }
    }

    @Test("an update to Productive applied but its answer lost to a dropped connection, then a second edit on HelpSpace: the edit wins, no conflict")
    func taskUpdateConnectionDropped() async throws {
        try await withHarness { h in
            let hsID = await h.hs.seed(title: "Plan")
            try await h.cycle()
            let prID = try #require(await h.prTask("Plan")).id
            await h.hs.edit(hsID) { $0.title = "Plan A" }
            let dropped = try await h.engine(wrap: { $0.name == "pr" ? UpdateAnswerLost(inner: $0) : $0 }).runCycle()
            #expect(dropped.outcome == .partial)
            #expect(await h.pr.tasks[prID]?.title == "Plan A", "the server applied the update")
            await h.hs.edit(hsID, keepingTimestamp: true) { $0.title = "Plan B" }

            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(await h.hs.tasks[hsID]?.title == "Plan B", "the user's edit is not lost")
            #expect(await h.pr.tasks[prID]?.title == "Plan B")
            #expect(try h.mirror().conflicts().isEmpty, "tasksync's own write is no side of a conflict")
            #expect(try h.mirror().pendingOutbox().isEmpty)
        }
    }
}
