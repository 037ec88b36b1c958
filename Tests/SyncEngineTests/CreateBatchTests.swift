import Foundation
import ProviderFakes
import SyncEngine
import Testing

/// Issue 11: a first sync of a large project goes in batches of
/// `create_batch` new tasks per member and cycle, so that one cycle never
/// plans (and holds in memory) the whole project; `run` and `sync` start the
/// next batch at once.
@Suite("A first sync goes in batches of create_batch")
struct CreateBatchTests {
    @Test("10 new tasks with comments, create_batch = 3: 3, 3, 3, 1 copied, each once with its comment; only a batch's comments are read")
    func batches() async throws {
        try await withHarness(syncOptions: "create_batch = 3") { h in
            for i in 0..<10 {
                let id = await h.hs.seed(title: "Task \(i)")
                await h.hs.addComment(id, text: "<p>note \(i)</p>", author: "Ana")
            }
            let preview = try await h.cycle(dryRun: true)
            #expect(preview.waiting == 7)
            #expect(preview.requestEstimates["pr"]?.writes ?? 0 >= 10, "the dry run counts the creates of every batch")
            var copied: [Int] = []
            var waiting: [Int] = []
            var commentReads: [Int] = []
            var atOnce: [Bool] = []
            for _ in 0..<4 {
                await h.hs.resetLedger()
                let before = await h.pr.tasks.count
                let report = try await h.cycle()
                copied.append(await h.pr.tasks.count - before)
                waiting.append(report.waiting)
                atOnce.append(report.continuesAtOnce)
                commentReads.append(await h.hs.ledger.lines.filter { $0.contains("/comments") }.count)
            }
            #expect(copied == [3, 3, 3, 1])
            #expect(waiting == [7, 4, 1, 0])
            #expect(atOnce == [true, true, true, false])
            // Each cycle reads the comments of its own batch (and the rotation's share of those copied before), never all ten.
            #expect(commentReads.allSatisfy { $0 <= 6 }, "\(commentReads)")
            for i in 0..<10 {
                let task = try #require(await h.prTask("Task \(i)"), "Task \(i)")
                #expect(await h.pr.comments(of: task.id).filter { $0.body.contains("note \(i)") }.count == 1, "Task \(i)")
            }
            #expect(await h.pr.tasks.count == 10)
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync)
            #expect(idle.waiting == 0)
        }
    }

    @Test("a task that waits is still paired by title with the other member's copy, not copied again")
    func waitingTaskPairs() async throws {
        try await withHarness(syncOptions: "create_batch = 1") { h in
            await h.hs.seed(title: "Alpha")
            await h.hs.seed(title: "Beta")
            await h.pr.seed(title: "Beta")
            for _ in 0..<3 { _ = try await h.cycle() }
            #expect(await h.pr.tasks.values.filter { $0.title == "Beta" }.count == 1)
            #expect(await h.pr.tasks.values.filter { $0.title == "Alpha" }.count == 1)
            #expect(await h.hs.liveTasks().filter { $0.title == "Beta" }.count == 1)
            #expect(try await h.cycle().outcome == .inSync)
        }
    }

    @Test("tasks waiting on a member listed changed-since are not passed by its cursor (rule 12): the next cycle still lists them")
    func cursorWaits() async throws {
        try await withHarness(syncOptions: "create_batch = 1") { h in
            let first = await h.pr.seed(title: "First")
            await h.pr.seed(title: "Second")
            h.clock.advance(seconds: 120)
            await h.pr.edit(first) { $0.title = "First, edited" }  // the newest change is now the first task's
            let one = try await h.cycle()
            #expect(one.waiting == 1)
            #expect(one.continuesAtOnce)
            _ = try await h.cycle()
            #expect(await h.hs.liveTasks().map(\.title).sorted() == ["First, edited", "Second"])
        }
    }
}
