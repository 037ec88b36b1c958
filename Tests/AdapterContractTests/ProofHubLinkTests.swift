import Foundation
import ProviderFakes
import ProviderKit
import SyncEngine
import Testing

/// Two ProofHub accounts linked through the engine, with every field the
/// adapter holds in play: labels (created on the copy's side), a date-only
/// due date, HTML text, subtasks, a comment, and a task completed after it
/// was linked (the fake's "Get all tasks" leaves completed tasks out, as the
/// document allows, so the engine follows it by direct reads).
@Suite("ProofHub linked to ProofHub")
struct ProofHubLinkTests {
    static let rich = ContractSubject(
        kind: "proofhub", statusIDs: ["6074498296", "6074498297"], pagedCount: 0, pagingTOML: "",
        start: {
            let fake = FakeProofHub()
            let url = try await fake.start()
            return ContractFake(
                url: url, token: fake.token,
                providerTOML: """
                    project_id = "\(fake.projectID)"
                    todolist_id = "\(fake.todolistID)"
                    user_agent = "tasksync-contract (ops@example.com)"
                    rate_limit = "none"
                    """,
                seed: { title in
                    let id = await fake.seedTask(
                        title: title, description: "<p>Rich <em>text</em></p>", labels: ["red", "blue"], dueDate: "2026-05-01",
                        completed: title.hasSuffix("(done)"))
                    await fake.seedSubtask(id, title: "Step 1")
                    await fake.seedSubtask(id, title: "Step 2", completed: true)
                    await fake.seedComment(id, text: "<p>Looks good</p>")
                    return String(id)
                },
                seedComment: nil,
                // Here: completes the task, as a person would in ProofHub.
                setForeign: { key in
                    await fake.edit(Int64(key)!) {
                        $0.completed = true
                        $0.completedAt = Date()
                        $0.completedBy = fake.colleagueID
                    }
                },
                foreign: { key in "\(await fake.task(Int64(key)!)?.completed ?? false)" },
                inject: { fault, method in await fake.inject(fault, method: method) },
                ledger: { await fake.ledger }, stop: { await fake.stop() })
        })

    @Test("the first cycle copies tasks, labels, subtasks and comments; a completion follows; then nothing is sent")
    func copiesThenIdles() async throws {
        try await withContract(Self.rich, count: 2) { h in
            _ = await h.fakes[0].seed("Open")
            let later = await h.fakes[0].seed("Completed later")
            // Completed before tasksync ever saw it: not in the listing, so never copied (see the adapter's notes).
            _ = await h.fakes[0].seed("Completed before (done)")
            let first = try await h.engine().runCycle()
            #expect(first.errors.isEmpty, "\(first.errors)")
            let copied = await h.fakes[1].ledger()
            #expect(copied.count("POST", pathPrefix: "/api/v3/labels") == 2, "red and blue, each created once")
            #expect(copied.count("POST", pathPrefix: "/api/v3/projects") == 2 + 4 + 2, "two tasks, their subtasks and comments")
            await h.fakes[0].setForeign(later)
            let completion = try await h.engine().runCycle()
            #expect(completion.errors.isEmpty, "\(completion.errors)")
            let copiedAll = await h.fakes[1].ledger()
            let puts = copiedAll.count("PUT", pathPrefix: "/api/v3/projects") - copied.count("PUT", pathPrefix: "/api/v3/projects")
            #expect(puts == 1 && copiedAll.writes == copied.writes + 1, "the copy is completed, and nothing else is written")
            for _ in 0..<2 {
                let next = try await h.engine().runCycle()
                #expect(next.errors.isEmpty, "\(next.errors)")
                #expect(next.outcome == .inSync, "\(next.plans.flatMap(\.items))")
            }
            #expect(await h.fakes[0].ledger().writes == 0)
            #expect(await h.fakes[1].ledger().writes == copiedAll.writes)
        }
    }
}
