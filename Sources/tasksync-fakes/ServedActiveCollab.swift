import FakesWire
import Foundation
import ProviderFakes

extension FakeActiveCollab: ServedFake {
    func seedDemo() -> [String: String] {
        let renew = seedTask("Renew the TLS certificate", body: "<p>Expires on <strong>1 December</strong>.</p>", labelID: 52, priority: 1, dueOn: "2026-11-30")
        seedSubtask(renew, body: "Order the certificate")
        seedComment(renew, body: "<p>Ops has the CSR ready.</p>")
        return ["renew": String(renew)]
    }

    func seedNumbered(_ count: Int) {
        for i in 0..<count { seedTask("Task \(i)", body: "<p>Body of task \(i)</p>", labelID: [51, 52][i % 2]) }
    }

    /// Title, body and label (status); ActiveCollab tasks have no tags, so tags added by an edit are refused.
    func apply(_ change: FakeEdit, to id: String) throws {
        guard let id = Int64(id), task(id: id) != nil else { throw ServedFakeError("activecollab has no task \(id)") }
        if let tags = change.addTags, !tags.isEmpty { throw ServedFakeError("activecollab tasks have no tags") }
        let labelID = try change.status.map { status in
            guard let value = Int64(status), labelIDs.contains(value) else { throw ServedFakeError("activecollab has no label \(status)") }
            return value
        }
        edit(id) { task in
            if let title = change.title { task.name = title }
            if let description = change.description { task.body = description }
            if let labelID { task.labelID = labelID }
        }
    }

    func snapshot() -> [FakeTaskSnapshot] {
        allTasks().filter { !$0.archived }.map { t in
            FakeTaskSnapshot(
                id: String(t.id), title: t.name, status: t.labelID.map(String.init) ?? "", tags: [], subtasks: subtasks(of: t.id).map(\.body),
                comments: comments(of: t.id).count)
        }
    }

    func ledgerCounts() -> FakeLedgerCounts { FakeLedgerCounts(ledger) }
}
