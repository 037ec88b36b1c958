import Foundation
import ProviderFakes
import Testing

/// Rule 2 and 13 together: after any sequence of outside edits, once the
/// link has converged, an idle cycle sends no write to any member, with
/// priorities set on HelpSpace and none on Productive.
@Suite("Idle after any edits")
struct IdleAfterEditsTests {
    static let seeds: [UInt64] = [1, 7, 42, 2026]

    @Test("random edits on both sides, then idle cycles: zero writes", arguments: seeds)
    func idleAfterRandomEdits(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        // Comments that leave their task alone are found within comments_every cycles.
        try await withHarness(syncOptions: "comments_every = 2") { h in
            let priorities = ["very low", "low", "medium", "high", "very high"]
            var hsIDs: [Int64] = []
            var prIDs: [Int] = []
            for i in 0..<6 {
                hsIDs.append(
                    await h.hs.seed(
                        title: "HS \(i)", description: "<p>d\(i)</p>", statusID: Int64.random(in: 1...3, using: &rng), tags: ["t\(i)"],
                        priority: priorities.randomElement(using: &rng), subtasks: i % 2 == 0 ? ["sub \(i)"] : []))
                prIDs.append(await h.pr.seed(title: "PR \(i)", status: ["2545", "2546", "2547"].randomElement(using: &rng)!, tags: ["p\(i)"]))
            }
            try await h.cycle()
            for round in 0..<4 {
                for _ in 0..<6 {
                    switch Int.random(in: 0..<9, using: &rng) {
                    case 0: await h.hs.edit(hsIDs.randomElement(using: &rng)!) { $0.title += " r\(round)" }
                    case 1:
                        let s = Int64.random(in: 1...3, using: &rng)
                        await h.hs.edit(hsIDs.randomElement(using: &rng)!) { $0.statusID = s }
                    case 2:
                        let p = priorities.randomElement(using: &rng)
                        await h.hs.edit(hsIDs.randomElement(using: &rng)!) { $0.priority = p }
                    case 3: await h.hs.edit(hsIDs.randomElement(using: &rng)!) { $0.tags.append("x\(round)") }
                    case 4:
                        let done = Bool.random(using: &rng)
                        await h.hs.edit(hsIDs.randomElement(using: &rng)!) { $0.doneAt = done ? Date() : nil }
                    case 5:
                        let s = ["2545", "2546", "2547"].randomElement(using: &rng)!
                        await h.pr.edit(prIDs.randomElement(using: &rng)!) { $0.workflowStatusID = s }
                    case 6: await h.pr.edit(prIDs.randomElement(using: &rng)!) { $0.description = "<p>edited \(round)</p>" }
                    case 7: await h.hs.addComment(hsIDs.randomElement(using: &rng)!, text: "<p>c\(round)</p>", author: "Ana")
                    default:
                        let d = "2026-0\(Int.random(in: 1...9, using: &rng))-1\(Int.random(in: 0...9, using: &rng))"
                        await h.pr.edit(prIDs.randomElement(using: &rng)!) { $0.dueDate = d }
                    }
                }
                try await h.cycle()
            }
            // Converge (comments within comments_every cycles), then idle.
            for _ in 0..<3 { try await h.cycle() }
            for _ in 0..<3 {
                await h.hs.resetLedger()
                await h.pr.resetLedger()
                let report = try await h.cycle()
                #expect(await h.hs.ledger.writes == 0, "seed \(seed): \(report.plans.map { $0.rendered() })")
                #expect(await h.pr.ledger.writes == 0, "seed \(seed): \(report.plans.map { $0.rendered() })")
            }
            #expect(await h.hs.liveTasks().count == 12, "seed \(seed)")
            #expect(await h.pr.liveTasks().filter { $0.parentID == nil }.count == 12, "seed \(seed)")
        }
    }
}
