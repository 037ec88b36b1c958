import FakesWire
import Foundation
import ProviderFakes

extension FakeProofHub: ServedFake {
    func seedDemo() -> [String: String] {
        let report = seedTask(
            title: "Quarterly report", description: "<p>Numbers for Q3.</p>", stage: "In progress", labels: ["finance"], dueDate: "2026-12-15")
        seedSubtask(report, title: "Collect invoices")
        seedComment(report, text: "<p>Draft is in the shared folder.</p>")
        return ["report": String(report)]
    }

    func seedNumbered(_ count: Int) {
        let stages = Self.basicWorkflow.stages.map(\.name)
        for i in 0..<count {
            seedTask(title: "Task \(i)", description: "<p>Body of task \(i)</p>", stage: stages[i % stages.count], labels: ["t\(i % 7)"])
        }
    }

    func apply(_ change: FakeEdit, to id: String) throws {
        guard let id = Int64(id), task(id) != nil else { throw ServedFakeError("proofhub has no task \(id)") }
        let stages = todolists[todolistID]?.workflow?.stages ?? []
        let stageID = try change.status.map { status in
            guard let value = Int64(status), stages.contains(where: { $0.id == value }) else { throw ServedFakeError("proofhub has no stage \(status)") }
            return value
        }
        let added = (change.addTags ?? []).map { seedLabel($0) }
        edit(id) { task in
            if let title = change.title { task.title = title }
            if let description = change.description { task.description = description }
            if let stageID { task.stageID = stageID }
            task.labelIDs.append(contentsOf: added)
        }
    }

    func snapshot() -> [FakeTaskSnapshot] {
        allTasks().map { t in
            FakeTaskSnapshot(
                id: String(t.id), title: t.title, status: t.stageID.map(String.init) ?? "", tags: t.labelIDs.compactMap { labels[$0]?.name },
                subtasks: subtasks(of: t.id).map(\.title), comments: comments(of: t.id).count)
        }
    }

    func ledgerCounts() -> FakeLedgerCounts { FakeLedgerCounts(ledger) }
}
