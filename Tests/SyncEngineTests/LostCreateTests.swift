import Foundation
import Mirror
import ProviderFakes
import SyncEngine
import Testing

/// Rule 4: a create whose answer was lost is re-found, never made twice,
/// even when someone changed the copy before tasksync came back.
@Suite("Creates whose answer was lost")
struct LostCreateTests {
    @Test("a crash after a create, then a rename of the copy before the restart: re-found by its other fields, no duplicate, the rename kept")
    func renamedAfterCrash() async throws {
        try await withHarness { h in
            await h.hs.seed(title: "Quarterly report", description: "<p>Numbers for Q3</p>", tags: ["finance"])
            let crashing = try h.engine(
                hooks: EngineHooks(afterRemoteWrite: { provider, operation in
                    if provider == "pr" && operation == "create-task" { throw SimulatedCrash() }
                }))
            await #expect(throws: SimulatedCrash.self) { try await crashing.runCycle() }
            let copy = try #require(await h.prTask("Quarterly report"), "the create reached Productive before the crash")
            await h.pr.edit(copy.id) { $0.title = "Q3 report (final)" }

            try await h.cycle()
            try await h.cycle()

            #expect(await h.pr.liveTasks().filter { $0.parentID == nil }.map(\.title) == ["Q3 report (final)"])
            #expect(await h.hs.liveTasks().map(\.title) == ["Q3 report (final)"], "the rename is not lost, nothing is copied back")
            let pending = try h.mirror().journal(limit: 1000).filter { $0.kind == "adopt" }
            #expect(pending.count == 1)
        }
    }

    @Test("a task someone else created on Productive at the same time, with nothing in common, is not taken for the lost copy")
    func unrelatedTaskIsNotAdopted() async throws {
        try await withHarness { h in
            await h.hs.seed(title: "Payroll", description: "<p>March payroll</p>", tags: ["hr"])
            let crashing = try h.engine(
                hooks: EngineHooks(afterRemoteWrite: { provider, operation in
                    if provider == "pr" && operation == "create-task" { throw SimulatedCrash() }
                }))
            await #expect(throws: SimulatedCrash.self) { try await crashing.runCycle() }
            let copy = try #require(await h.prTask("Payroll"))
            await h.pr.remove(copy.id)  // someone deletes the copy at once...
            await h.pr.seed(title: "Team lunch", description: "<p>Friday</p>", tags: ["fun"])  // ...and makes another task

            try await h.cycle()

            let titles = Set(await h.pr.liveTasks().filter { $0.parentID == nil }.map(\.title))
            #expect(titles == ["Payroll", "Team lunch"], "the lost create is made again; the other task stays itself")
            #expect(Set(await h.hs.liveTasks().map(\.title)) == ["Payroll", "Team lunch"])
        }
    }
}
