import Foundation
import ProviderFakes
import Testing

/// No document says that a new comment touches its task, so comments are
/// found by the rule of `comments_every`: a new or changed task's at once,
/// every other task's in rotating batches.
@Suite("Comments are found without trusting updated_at, in bounded batches")
struct CommentRuleTests {
    @Test("a comment that leaves its task's updated_at alone reaches Productive within comments_every cycles")
    func untouchedTaskComment() async throws {
        try await withHarness(syncOptions: "comments_every = 3") { h in
            let id = await h.hs.seed(title: "Quiet task")
            try await h.cycle()
            try await h.cycle()
            await h.hs.addComment(id, text: "<p>found anyway</p>", author: "Ana", keepingTimestamp: true)
            for _ in 0..<3 { try await h.cycle() }
            let pr = try #require(await h.prTask("Quiet task"))
            #expect(await h.pr.comments(of: pr.id).map(\.body).contains { $0.contains("found anyway") })
        }
    }

    @Test("idle cycles read each task's comments once per comments_every cycles, even with the providers' clocks 5 minutes ahead")
    func boundedRotation() async throws {
        // With the providers ahead of this machine, a rule that compares the local
        // clock with provider timestamps takes every task for recently changed.
        try await withHarness(syncOptions: "comments_every = 10", clockOffset: 300) { h in
            for i in 0..<60 { await h.hs.seed(title: "Task \(i)") }
            try await h.cycle()
            try await h.cycle()
            var perCycle: [Int] = []
            var seen: [String: Int] = [:]
            for _ in 0..<10 {
                await h.hs.resetLedger()
                await h.pr.resetLedger()
                try await h.cycle()
                let reads = await h.hs.ledger.lines.filter { $0.contains("/comments") }
                perCycle.append(reads.count)
                for r in reads { seen[String(r.split(separator: "?")[0]), default: 0] += 1 }
                #expect(await h.hs.ledger.writes == 0)
                #expect(await h.pr.ledger.writes == 0)
            }
            #expect(perCycle.allSatisfy { $0 <= 8 }, "a batch is about 60/10 tasks, not all of them: \(perCycle)")
            #expect(seen.count == 60, "every task's comments were read within 10 cycles")
            #expect(seen.values.allSatisfy { $0 == 1 })
        }
    }
}
