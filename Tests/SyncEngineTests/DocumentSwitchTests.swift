import Foundation
import Mirror
import ProviderFakes
import SyncEngine
import Testing

/// Where a document is silent, the fakes offer each plausible behaviour as a
/// switch; the whole link runs against every one of them. Each variant
/// below turns some switches the other way from the fakes' defaults, so
/// that every value of every switch is met at least once.
@Suite("Both sides of every switch where a document is silent")
struct DocumentSwitchTests {
    struct Variant: Sendable, CustomStringConvertible {
        var description: String
        var hs: FakeHelpSpace.Options
        var pr: FakeProductive.Options
    }

    static let variants: [Variant] = [
        Variant(description: "defaults (strict)", hs: .init(), pr: .init()),
        Variant(
            description: "include honoured, sub_tasks merged, no default priority, Z timestamps",
            hs: .init(defaultPriority: nil, subTasks: .merge, timestamps: .zulu),
            pr: .init(includeOnWrites: .honoured)),
        Variant(
            description: "comments touch their task, +00:00 timestamps, unknown fields ignored, read-only attributes rejected",
            hs: .init(commentTouchesTask: true, timestamps: .offset, unknownFields: .ignore),
            pr: .init(readOnlyAttributes: .reject, commentTouchesUpdatedAt: true)),
        Variant(
            description: "connections closed after each answer, PATCH answering 200",
            hs: .init(patchStatus: 200, connection: .close), pr: .init(numericRelationshipIDs: [], connection: .close)),
        Variant(
            description: "plain list with archived tasks, links keeping the query, every relationship id a number, comments leaving last_activity_at",
            hs: .init(plainListArchived: .with, linksKeepQuery: true),
            pr: .init(
                commentTouchesLastActivity: false,
                numericRelationshipIDs: ["organization", "project", "task_list", "parent_task", "workflow_status", "task"])),
    ]

    @Test("create both ways, edit both ways, no phantom change, no reverted edit, idle with zero writes", arguments: variants)
    func wholeLink(_ v: Variant) async throws {
        try await withHarness(syncOptions: "comments_every = 2") { h in
            await h.hs.setOptions(v.hs)
            await h.pr.setOptions(v.pr)
            let hsID = await h.hs.seed(
                title: "From HelpSpace", description: "<p>hs</p>", statusID: 1, tags: ["a"], priority: "high", subtasks: ["one", "two"],
                dueAt: "2026-05-04")
            let prParent = await h.pr.seed(title: "From Productive", description: "<p>pr</p>", status: "2546", tags: ["b"], dueDate: "2026-06-01")
            await h.pr.seed(title: "child", parent: prParent)
            var report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(v): \(report.errors)")
            try await h.cycle()

            let prCopy = try #require(await h.prTask("From HelpSpace"), "\(v)")
            #expect(prCopy.workflowStatusID == "2545", "\(v)")
            #expect(Set(await h.pr.liveTasks().filter { $0.parentID == prCopy.id }.map(\.title)) == ["one", "two"], "\(v)")
            let hsCopy = try #require(await h.hsTask("From Productive"), "\(v)")
            #expect(hsCopy.statusID == 2 && hsCopy.dueAt?.hasPrefix("2026-06-01") == true, "\(v)")
            #expect(hsCopy.subtasks.map(\.title) == ["child"], "\(v)")

            // A status written to Productive is not read back as a change there (no phantom change)...
            await h.hs.edit(hsID) { $0.statusID = 2 }
            try await h.cycle()
            #expect(await h.prTask("From HelpSpace")?.workflowStatusID == "2546", "\(v)")
            report = try await h.cycle()
            let phantom = try h.mirror().journal(limit: 10_000).filter { $0.cycleID == report.cycle && $0.kind == "change" }
            #expect(phantom.isEmpty, "\(v): \(phantom.map { "\($0.provider ?? "") \($0.field ?? "") \($0.oldValue ?? "") -> \($0.newValue ?? "")" })")
            // ...so a later edit of the same field on HelpSpace is not reverted as a conflict.
            await h.hs.edit(hsID) { $0.statusID = 3 }
            try await h.cycle()
            #expect(await h.hs.tasks[hsID]?.statusID == 3, "\(v): the HelpSpace edit stands")
            #expect(await h.prTask("From HelpSpace")?.workflowStatusID == "2547", "\(v)")
            #expect(try h.mirror().conflicts().isEmpty, "\(v)")

            // Subtasks both ways, a title from Productive, a comment from HelpSpace.
            await h.hs.edit(hsID) { $0.subtasks[0].doneAt = Date() }
            await h.pr.seed(title: "grandchild", parent: prParent)
            await h.pr.edit(prParent) { $0.title = "From Productive, renamed" }
            await h.hs.addComment(hsID, text: "<p>note</p>", author: "Ana")
            for _ in 0..<3 { try await h.cycle() }
            let prSubs = await h.pr.liveTasks().filter { $0.parentID == prCopy.id }
            #expect(prSubs.first { $0.title == "one" }?.closed == true, "\(v)")
            #expect(prSubs.count == 2, "\(v): no subtask lost or doubled")
            #expect(Set(await h.hs.tasks[hsID]?.subtasks.map(\.title) ?? []) == ["one", "two"], "\(v): sub_tasks kept whole")
            #expect(Set(await h.hsTask("From Productive, renamed")?.subtasks.map(\.title) ?? []) == ["child", "grandchild"], "\(v)")
            #expect(await h.pr.comments(of: prCopy.id).count == 1, "\(v)")
            #expect(await h.hs.tasks[hsID]?.priority == "high", "\(v)")

            await h.hs.resetLedger()
            await h.pr.resetLedger()
            for _ in 0..<3 { try await h.cycle() }
            let hsWrites = await h.hs.ledger.lines.filter { !$0.hasPrefix("GET") }
            let prWrites = await h.pr.ledger.lines.filter { !$0.hasPrefix("GET") }
            #expect(hsWrites.isEmpty, "\(v): \(hsWrites)")
            #expect(prWrites.isEmpty, "\(v): \(prWrites)")
        }
    }

    @Test("a task from Productive gets HelpSpace's default priority: reported once as not kept, never written again")
    func defaultPriorityIsNotFoughtOver() async throws {
        try await withHarness { h in
            await h.hs.setOptions(.init(defaultPriority: "medium"))
            await h.pr.seed(title: "No priority here")
            try await h.cycle()
            #expect(await h.hsTask("No priority here")?.priority == "medium", "the server put its default in")
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            for _ in 0..<3 { try await h.cycle() }
            let hsWrites = await h.hs.ledger.lines.filter { !$0.hasPrefix("GET") }
            #expect(hsWrites.isEmpty, "no PATCH {} or priority write every cycle: \(hsWrites)")
            #expect(await h.pr.ledger.writes == 0)
            let notKept = try h.mirror().journal(limit: 1000).filter { $0.kind == "not-kept" }
            #expect(notKept.count <= 1, "said once at most: \(notKept)")
        }
    }

    @Test("a create whose connection drops after the server applied it is not sent twice, and is linked on the next cycle")
    func droppedCreate() async throws {
        try await withHarness { h in
            await h.hs.seed(title: "Dropped answer", description: "<p>once</p>")
            await h.pr.inject(.dropAfterCreate, times: 1, method: "POST")
            let first = try await h.cycle()
            #expect(first.outcome == .partial)
            #expect(await h.pr.liveTasks().filter { $0.title == "Dropped answer" }.count == 1, "the create was applied once")
            try await h.cycle()
            try await h.cycle()
            #expect(await h.pr.liveTasks().filter { $0.title == "Dropped answer" }.count == 1, "re-found, not created again")
            #expect(await h.hs.liveTasks().count == 1)
            let rows = try h.mirror().mappingRows()
            #expect(rows.count == 1 && rows[0].remotes.count == 2)
        }
    }
}

extension DocumentSwitchTests {
    @Test("a HelpSpace PATCH that adds a subtask and loses its answer is not sent twice; the subtask is linked next cycle")
    func droppedSubtaskCreate() async throws {
        try await withHarness { h in
            let parent = await h.pr.seed(title: "Parent on Productive")
            try await h.cycle()
            await h.pr.seed(title: "late child", parent: parent)
            await h.hs.inject(.dropAfterCreate, times: 1, method: "PATCH")
            let first = try await h.cycle()
            #expect(first.outcome == .partial)
            for _ in 0..<2 { try await h.cycle() }
            let subs = await h.hsTask("Parent on Productive")?.subtasks.map(\.title) ?? []
            #expect(subs == ["late child"], "applied once, linked, not added again: \(subs)")
            await h.hs.resetLedger()
            try await h.cycle()
            #expect(await h.hs.ledger.writes == 0)
        }
    }
}
