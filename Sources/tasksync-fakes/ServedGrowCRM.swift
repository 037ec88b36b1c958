import FakesWire
import Foundation
import ProviderFakes

extension FakeGrowCRM: ServedFake {
    func seedDemo() -> [String: String] {
        let lead = seedTask(
            title: "Call back Acme about renewal", description: "Contract ends in January.", statusID: 3, priorityID: 2, dueDate: "2026-12-10",
            tags: ["sales"])
        seedComment(lead, text: "They asked for a quote first.")
        return ["lead": String(lead)]
    }

    func seedNumbered(_ count: Int) {
        let statusIDs = statuses.keys.sorted()
        for i in 0..<count {
            seedTask(title: "Task \(i)", description: "Body of task \(i)", statusID: statusIDs[i % statusIDs.count], tags: ["t\(i % 7)"])
        }
    }

    func apply(_ change: FakeEdit, to id: String) throws {
        guard let id = Int64(id), task(id) != nil else { throw ServedFakeError("growcrm has no task \(id)") }
        let statusID = try change.status.map { status in
            guard let value = Int64(status), statuses[value] != nil else { throw ServedFakeError("growcrm has no status \(status)") }
            return value
        }
        edit(id) { task in
            if let title = change.title { task.title = title }
            if let description = change.description { task.description = description }
            if let statusID { task.statusID = statusID }
            task.tags.append(contentsOf: change.addTags ?? [])
        }
    }

    func snapshot() -> [FakeTaskSnapshot] {
        allTasks().filter { !$0.archived }.map { t in
            FakeTaskSnapshot(
                id: String(t.id), title: t.title, status: String(t.statusID), tags: t.tags, subtasks: [], comments: comments(of: t.id).count)
        }
    }

    func ledgerCounts() -> FakeLedgerCounts { FakeLedgerCounts(ledger) }
}
