import AdapterSupport
import Foundation
import GrowCRMAdapter
import HTTPTransport
import ProviderFakes
import ProviderKit
import Testing

@Suite("Grow CRM adapter against its fake")
struct GrowCRMAdapterTests {
    static let priorities = try! GrowCRMPriorities(parsing: "low=4, very low=4, medium=1, high=2, very high=3")

    static func start(_ options: FakeGrowCRM.Options = .init()) async throws -> (FakeGrowCRM, GrowCRMProvider) {
        let fake = FakeGrowCRM(options: options)
        let url = try await fake.start()
        let p = GrowCRMProvider(
            name: "crm", settings: .init(baseURL: url, token: fake.token, projectID: "7", newTaskStatusID: "1", priorities: priorities),
            transport: CurlTransport())
        return (fake, p)
    }

    /// Every field of the fake's task, as one line: what a full update must keep.
    static func everything(_ t: FakeGrowCRM.Task?) -> String {
        guard let t else { return "(none)" }
        return
            "\(t.description ?? "")|\(t.statusID)|\(t.priorityID)|\(t.milestoneID)|\(t.startDate ?? "")|\(t.dueDate ?? "")|\(t.clientVisible)|\(t.billable)|\(t.assigned)|\(t.tags)|\(t.archived)"
    }

    @Test(
        "a title change is a full update that sends every other field back as it was",
        arguments: [FakeGrowCRM.Options.MissingOnUpdate.cleared, .unchanged], [FakeGrowCRM.Options.Checkbox.onOnly, .otherMeansOff])
    func fullUpdateKeepsEverything(_ missing: FakeGrowCRM.Options.MissingOnUpdate, _ checkbox: FakeGrowCRM.Options.Checkbox) async throws {
        var options = FakeGrowCRM.Options()
        options.missingOnUpdate = missing
        options.checkbox = checkbox
        let (fake, p) = try await Self.start(options)
        defer { Task { await fake.stop() } }
        let id = await fake.seedTask(
            title: "Before", description: "<p>Body</p>", statusID: 3, priorityID: 2, milestoneID: 22, startDate: "2026-06-01", dueDate: "2026-06-30",
            clientVisible: true, billable: true, assigned: [53], tags: ["a", "b"])
        let before = Self.everything(await fake.task(id))
        var values = TaskFields(title: "After")
        values.title = "After"
        let answer = try await p.updateTask(RemoteRef(String(id)), TaskUpdate(fields: [.title], values: values))
        #expect(answer.fields.title == "After")
        #expect(await fake.task(id)?.title == "After")
        #expect(Self.everything(await fake.task(id)) == before)
    }

    @Test(
        "status goes through PUT /status and tags through one PUT /tags with the whole set; nothing else is sent",
        arguments: [FakeGrowCRM.Options.EmptySet.emptyItem, .bareKeyToo])
    func actionEndpoints(_ emptySet: FakeGrowCRM.Options.EmptySet) async throws {
        var options = FakeGrowCRM.Options()
        options.emptySet = emptySet
        let (fake, p) = try await Self.start(options)
        defer { Task { await fake.stop() } }
        let id = await fake.seedTask(title: "Acted on", statusID: 1, tags: ["a"])
        await fake.resetLedger()
        var values = TaskFields(title: "Acted on", status: "3", tags: ["b", "c"])
        values.status = "3"
        _ = try await p.updateTask(RemoteRef(String(id)), TaskUpdate(fields: [.status, .tags], values: values))
        let lines = await fake.ledger.lines
        #expect(lines.filter { $0.hasPrefix("PUT /api/tasks/\(id)/status") }.count == 1, "\(lines)")
        #expect(lines.filter { $0.hasPrefix("PUT /api/tasks/\(id)/tags") }.count == 1, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("PATCH") }, "\(lines)")
        #expect(await fake.task(id)?.statusID == 3)
        #expect(Set(await fake.task(id)?.tags ?? []) == ["b", "c"])
        _ = try await p.updateTask(RemoteRef(String(id)), TaskUpdate(fields: [.tags], values: TaskFields(title: "", tags: [])))
        #expect(await fake.task(id)?.tags == [], "an empty set clears")
    }

    @Test("a lossy priority reads back as the first level listed for its id, every time")
    func lossyPriority() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let created = try await p.createTask(TaskFields(title: "Lowest", priority: .veryLow))
        #expect(await fake.task(Int64(created.id)!)?.priorityID == 4)
        #expect(created.fields.priority == .low)
        guard case .present(let read) = try await p.readTask(RemoteRef(created.id)) else { throw ProviderError.malformed("gone") }
        #expect(read.fields.priority == .low)
    }

    @Test("a priority id the config does not name fails that task alone, saying which key to fix")
    func unknownPriority() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        await fake.seedTask(title: "Fine", priorityID: 1)
        let odd = await fake.seedTask(title: "Odd", priorityID: 1)
        await fake.edit(odd) { $0.priorityID = 99 }
        let listing = try await p.listTasks(changedSince: nil)
        #expect(listing.tasks.map(\.fields.title) == ["Fine"])
        #expect(!listing.isComplete)
        #expect(listing.problems.first?.contains("priority id 99") == true && listing.problems.first?.contains("priority_ids") == true)
    }

    @Test("a validation error names the field")
    func fieldErrors() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        do {
            _ = try await p.createTask(TaskFields(title: "   "))
            Issue.record("a blank title was accepted")
        } catch let error as ProviderError {
            guard case .rejected(422, let message) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(message.contains("title"), "\(message)")
        }
    }

    @Test("an archived task is gone as archived, and archive is PUT /archive")
    func archive() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let id = await fake.seedTask(title: "Old")
        try await p.archiveTask(RemoteRef(String(id)))
        #expect(await fake.task(id)?.archived == true)
        #expect(try await p.readTask(RemoteRef(String(id))) == .gone(reason: "archived"))
        #expect(try await p.listTasks(changedSince: nil).tasks.isEmpty)
    }

    @Test("priority_ids must name every level, as LEVEL=ID")
    func priorityConfig() {
        #expect(throws: SetupError.self) { try GrowCRMPriorities(parsing: "low=1, high=2") }
        #expect(throws: SetupError.self) { try GrowCRMPriorities(parsing: "low=1, very low=x, medium=1, high=2, very high=3") }
        #expect(throws: SetupError.self) { try GrowCRMPriorities(parsing: "lowish=1") }
    }

    @Test("dates.updated as a date alone says no time; as a date and time (UTC, no zone) it is read and moves with an edit")
    func updatedTimes() async throws {
        for form in [FakeGrowCRM.Options.Timestamps.dateOnly, .dateTime] {
            var options = FakeGrowCRM.Options()
            options.timestamps = form
            let (fake, p) = try await Self.start(options)
            let id = await fake.seedTask(title: "Timed")
            let before = try await p.listTasks(changedSince: nil).tasks.first?.updatedAt
            await fake.edit(id) { $0.title = "Timed again" }
            let after = try await p.listTasks(changedSince: nil).tasks.first?.updatedAt
            if form == .dateOnly {
                #expect(before == nil && after == nil)
            } else {
                #expect(before != nil)
                #expect(after.map { a in before.map { a >= $0 } ?? false } == true)
            }
            await fake.stop()
        }
    }
}
