import Foundation
import ProviderFakes
import ProviderKit
import SyncEngine
import Testing

/// Rule 13: a listing that leaves a field out is not a complete read of that
/// task. It makes no diff and no shadow, and nothing is deleted because of it.
@Suite("A listing that leaves a field out")
struct UnknownFieldsTests {
    /// Productive as read through its adapter, except that one task's listed
    /// status comes back untold (as a relationship without `include=`).
    /// Productive's capabilities, each forwarded to the adapter.
    struct StatusLeftOut: TaskWriting, TaskDeleting, SubtaskSyncing, CommentReading, CommentWriting, IncrementalListing {
        let inner: any TaskProvider
        let title: String
        /// The field left out (status, unless a test says otherwise).
        var field: Field = .status
        var name: String { inner.name }
        var kind: String { inner.kind }
        var fields: FieldSupport { inner.fields }

        func listTasks(changedSince: Timestamp?) async throws -> TaskListing {
            var listing = try await inner.listTasks(changedSince: changedSince)
            for i in listing.tasks.indices where listing.tasks[i].fields.title == title {
                listing.tasks[i].fields.copy(field, from: TaskFields(title: title))
                listing.tasks[i].unknownFields = [field]
            }
            return listing
        }
        func readTask(_ ref: RemoteRef) async throws -> DirectRead { try await inner.readTask(ref) }
        func createTask(_ fields: TaskFields) async throws -> RemoteTask { try await (inner as! any TaskWriting).createTask(fields) }
        func updateTask(_ ref: RemoteRef, _ update: TaskUpdate) async throws -> RemoteTask {
            try await (inner as! any TaskWriting).updateTask(ref, update)
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

    @Test("a task whose status the listing left out is skipped, not taken for a status of none: no write, no deletion")
    func untoldStatusIsNotNone() async throws {
        try await withHarness(onDelete: "delete", maxDeleteShare: 1.0) { h in
            let id = await h.hs.seed(title: "Told", statusID: 2)
            await h.hs.seed(title: "Other")
            try await h.cycle()
            #expect(await h.prTask("Told")?.workflowStatusID == "2546")
            await h.hs.resetLedger()
            await h.pr.resetLedger()

            let engine = try h.engine(wrap: { $0.name == "pr" ? StatusLeftOut(inner: $0, title: "Told") : $0 })
            let report = try await engine.runCycle()

            #expect(report.plans[0].notes.contains { $0.contains("did not include status") }, "\(report.plans[0].notes)")
            #expect(await h.hs.ledger.writes == 0, "no status of none written to HelpSpace")
            #expect(await h.pr.ledger.writes == 0)
            #expect(await h.hs.tasks[id]?.statusID == 2)
            #expect(await h.hs.liveTasks().count == 2, "nothing deleted: the listing was not complete")
            // Told again, it is in sync: the untold read left no shadow behind.
            await h.hs.resetLedger()
            let next = try await h.cycle()
            #expect(next.outcome == .inSync)
            #expect(await h.hs.ledger.writes == 0)
        }
    }

    @Test(
        "a field left out whose empty value is what the mirror holds (no tags) still makes no complete read: the problem is noted, not passed over as unchanged"
    )
    func untoldEmptyFieldIsStillNoted() async throws {
        try await withHarness(onDelete: "delete", maxDeleteShare: 1.0) { h in
            await h.hs.seed(title: "Untagged")
            await h.hs.seed(title: "Other")
            try await h.cycle()
            await h.pr.resetLedger()

            let engine = try h.engine(wrap: { $0.name == "pr" ? StatusLeftOut(inner: $0, title: "Untagged", field: .tags) : $0 })
            let report = try await engine.runCycle()

            #expect(report.plans[0].notes.contains { $0.contains("did not include tags") }, "\(report.plans[0].notes)")
            #expect(await h.pr.ledger.writes == 0)
            #expect(await h.hs.liveTasks().count == 2)
        }
    }

    @Test("a Productive that never tells relationships on reads (include= ignored): nothing deleted, no status of none written, the problem visible")
    func includeIgnoredOnReads() async throws {
        try await withHarness(onDelete: "delete", maxDeleteShare: 1.0) { h in
            let hsID = await h.hs.seed(title: "Kept", statusID: 2)
            await h.pr.seed(title: "From Productive", status: "2547")
            try await h.cycle()
            var options = FakeProductive.Options()
            options.includeOnReads = .ignored
            await h.pr.setOptions(options)
            await h.hs.resetLedger()
            for _ in 0..<2 { try await h.cycle() }
            let hsWrites = await h.hs.ledger.lines.filter { !$0.hasPrefix("GET") }
            #expect(hsWrites.isEmpty, "\(hsWrites)")
            #expect(await h.hs.tasks[hsID]?.statusID == 2)
            #expect(await h.hs.liveTasks().count == 2)
            #expect(await h.pr.liveTasks().count == 2)
            let state = try h.mirror().providerStates().first { $0.provider == "pr" }
            #expect(state?.lastError?.contains("parent_task") == true, "\(state?.lastError ?? "-")")
        }
    }
}
