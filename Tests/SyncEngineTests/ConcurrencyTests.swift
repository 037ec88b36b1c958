import Foundation
import Mirror
import ProviderFakes
import SyncEngine
import Testing

/// `[[provider]] concurrency`: requests in flight at once per provider,
/// counted by the fakes (never timed).
@Suite("Requests in flight per provider")
struct ConcurrencyTests {
    @Test("by default four at a time: HelpSpace's pages and Productive's creates overlap, never beyond four")
    func defaultFour() async throws {
        try await withHarness { h in
            await h.hs.setLatency(0.05)
            await h.pr.setLatency(0.05)
            for i in 0..<12 { await h.hs.seed(title: "Task \(i)") }
            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(await h.pr.liveTasks().count == 12)
            let prMost = await h.pr.mostConcurrentRequests()
            let hsMost = await h.hs.mostConcurrentRequests()
            #expect((2...4).contains(prMost), "Productive saw \(prMost) at once")
            #expect((2...4).contains(hsMost), "HelpSpace saw \(hsMost) at once")
            // Every create landed once, with its mapping: an idle cycle writes nothing.
            await h.pr.resetLedger()
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync)
            #expect(await h.pr.ledger.writes == 0)
        }
    }

    @Test("concurrency = 1: one request at a time")
    func one() async throws {
        try await withHarness(providerOptions: "concurrency = 1") { h in
            await h.pr.setLatency(0.02)
            for i in 0..<6 { await h.hs.seed(title: "Task \(i)") }
            try await h.cycle()
            #expect(await h.pr.liveTasks().count == 6)
            #expect(await h.pr.mostConcurrentRequests() == 1)
        }
    }

    @Test("subtasks and comments wait for their task's copy: created in the same cycle, under the right parent")
    func childrenAfterParents() async throws {
        try await withHarness { h in
            for i in 0..<6 { await h.hs.seed(title: "Parent \(i)", subtasks: ["a \(i)", "b \(i)"]) }
            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            let tasks = await h.pr.liveTasks()
            for i in 0..<6 {
                let parent = try #require(tasks.first { $0.title == "Parent \(i)" })
                #expect(Set(tasks.filter { $0.parentID == parent.id }.map(\.title)) == ["a \(i)", "b \(i)"])
            }
        }
    }

    @Test("subtasks added on Productive under one task all reach HelpSpace, whose subtask writes each rewrite the task's whole list")
    func siblingsUnderOneTask() async throws {
        try await withHarness { h in
            let parent = await h.pr.seed(title: "Parent")
            try await h.cycle()
            for title in ["PR sub 62", "PR sub 86", "PR sub 90"] { await h.pr.seed(title: title, parent: parent) }
            let report = try await h.cycle()
            #expect(report.errors.isEmpty, "\(report.errors)")
            let copy = try #require(await h.hsTask("Parent"))
            #expect(copy.subtasks.map(\.title).sorted() == ["PR sub 62", "PR sub 86", "PR sub 90"])
            await h.hs.resetLedger()
            let idle = try await h.cycle()
            #expect(idle.outcome == .inSync, "\(idle.plans.flatMap(\.items))")
            #expect(await h.hs.ledger.writes == 0)
        }
    }
}

@Suite("What a dry run says a plan needs")
struct RequestEstimateTests {
    @Test("a dry run counts the writes each provider would take and the reads it made")
    func estimates() async throws {
        try await withHarness { h in
            for i in 0..<30 { await h.hs.seed(title: "Task \(i)") }
            let dry = try await h.cycle(dryRun: true)
            let pr = try #require(dry.requestEstimates["pr"])
            let hs = try #require(dry.requestEstimates["hs"])
            #expect(pr.writes == 30)
            #expect(pr.reads >= 1)
            #expect(pr.rateLimit == "none")
            #expect(pr.minimumSeconds == 0)
            #expect(hs.writes == 0)
            #expect(await h.pr.liveTasks().isEmpty, "a dry run writes nothing")
        }
    }
}

@Suite("Write progress")
struct WriteProgressHookTests {
    final class Seen: @unchecked Sendable {
        let lock = NSLock()
        var calls: [(String, Int, Int)] = []
        func add(_ c: (String, Int, Int)) {
            lock.lock()
            calls.append(c)
            lock.unlock()
        }
    }

    @Test("the writes hook counts each provider's settled writes up to its total")
    func counts() async throws {
        try await withHarness { h in
            for i in 0..<10 { await h.hs.seed(title: "Task \(i)") }
            let seen = Seen()
            let engine = try h.engine(hooks: EngineHooks(writes: { seen.add(($0, $1, $2)) }))
            _ = try await engine.runCycle()
            let pr = seen.calls.filter { $0.0 == "pr" }
            #expect(pr.last?.1 == 10 && pr.last?.2 == 10)
            #expect(zip(pr, pr.dropFirst()).allSatisfy { $0.1 <= $1.1 }, "settled never goes back")
            #expect(pr.count >= 3, "reported as it goes, not once at the end")
        }
    }
}
