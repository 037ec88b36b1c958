import Foundation
import ProviderFakes
import ProviderKit
import SyncEngine
import Testing

/// The contract every adapter keeps, run against its strict fake (README,
/// "Adding a provider"): a new kind is done when it passes here.
@Suite("Adapter contract")
struct ContractTests {
    /// Values for every field, different from a new task's defaults, and a second set for the update.
    static func values(_ subject: ContractSubject, second: Bool) -> TaskFields {
        second
            ? TaskFields(
                title: "Contract: renamed ✓", description: "<p>Second <em>text</em></p>", status: subject.statusIDs[1], done: false,
                priority: .low, dueDate: LocalDate(year: 2026, month: 3, day: 2), tags: ["beta", "gamma"])
            : TaskFields(
                title: "Contract: first", description: "<p>Hello <strong>world</strong></p>", status: subject.statusIDs[0], done: false,
                priority: .high, dueDate: LocalDate(year: 2026, month: 3, day: 1), tags: ["alpha", "beta"])
    }

    /// The fields a round trip checks: those it both reads and writes.
    static func checked(_ p: any TaskProvider) -> [Field] {
        p.capabilities.writableFields.intersection(p.capabilities.readableFields).sorted()
    }

    @Test("a full listing reads every page, and is complete", arguments: ContractSubject.all)
    func listsEveryPage(_ subject: ContractSubject) async throws {
        try await withContract(subject, paging: true) { h in
            var seeded: Set<String> = []
            for i in 0..<subject.pagedCount { seeded.insert(await h.fakes[0].seed("Paged \(i)")) }
            let listing = try await h.provider().listTasks(changedSince: nil)
            #expect(Set(listing.tasks.map(\.id)) == seeded)
            #expect(listing.isComplete)
            #expect(listing.problems.isEmpty)
            #expect(listing.requestCount >= (subject.pages ? 2 : 1), "the listing should have taken more than one page")
        }
    }

    @Test("a sieve: the tasks it knows may be left out, each then named by the sieve with its subtasks; none lost, none twice", arguments: ContractSubject.all)
    func sieve(_ subject: ContractSubject) async throws {
        try await withContract(subject, paging: true) { h in
            let p = try h.provider()
            var seeded: [String: String] = [:]  // id -> title
            for i in 0..<subject.pagedCount { seeded[await h.fakes[0].seed("Sifted \(i)")] = "Sifted \(i)" }
            var subtask: RemoteSubtask?
            if let subs = p as? any SubtaskSyncing, let parent = seeded.first(where: { $0.value == "Sifted 0" })?.key {
                subtask = try await subs.createSubtask(parent: RemoteRef(key: parent), SubtaskFields(title: "Under a known task", done: false))
            }
            // Known: the even-numbered tasks, each by its number.
            let known = Dictionary(
                uniqueKeysWithValues: seeded.compactMap { id, title in
                    Int64(title.split(separator: " ").last!).flatMap { $0 % 2 == 0 ? (id, $0) : nil }
                })
            let sieve = ListingSieve { known[$0.id] }
            let listing = try await p.listTasks(changedSince: nil, sieve: sieve)
            let listed = Set(listing.tasks.map(\.id))
            let dropped = Set(known.filter { sieve.droppedKeys.contains($0.value) }.keys)
            #expect(dropped.count == sieve.droppedKeys.count, "the sieve holds only numbers it gave")
            #expect(listed.isDisjoint(with: dropped))
            #expect(listed.union(dropped) == Set(seeded.keys))
            #expect(listing.isComplete)
            if let subtask {
                let all = listing.subtasks + listing.tasks.flatMap { $0.subtasks ?? [] } + sieve.subtasksOfDropped
                if !(p is any SubtasksListedPerTask) { #expect(all.filter { $0.id == subtask.id }.count == 1) }
            }
        }
    }

    @Test("create, read back and update: every field it declares comes back as written", arguments: ContractSubject.all)
    func roundTrip(_ subject: ContractSubject) async throws {
        try await withContract(subject) { h in
            let p = try h.provider()
            let writer = try #require(p as? any TaskWriting, "\(subject.kind) writes no tasks")
            let first = Self.values(subject, second: false)
            let created = try await writer.createTask(first)
            guard case .present(let read) = try await p.readTask(RemoteRef(key: created.id)) else {
                Issue.record("the created task cannot be read")
                return
            }
            for f in Self.checked(p) {
                #expect(read.fields.value(of: f) == first.value(of: f), "\(f) after create")
            }
            let second = Self.values(subject, second: true)
            let fields = Set(Self.checked(p))
            let updated = try await writer.updateTask(RemoteRef(key: created.id), TaskUpdate(fields: fields, values: second))
            guard case .present(let reread) = try await p.readTask(RemoteRef(key: created.id)) else {
                Issue.record("the updated task cannot be read")
                return
            }
            for f in fields {
                #expect(updated.fields.value(of: f) == second.value(of: f) || updated.unknownFields.contains(f), "\(f) in the update's answer")
                #expect(reread.fields.value(of: f) == second.value(of: f), "\(f) after update")
            }
        }
    }

    @Test("an update changes the fields it names and leaves the others as they were", arguments: ContractSubject.all)
    func updateNamesItsFields(_ subject: ContractSubject) async throws {
        try await withContract(subject) { h in
            let p = try h.provider()
            let writer = try #require(p as? any TaskWriting)
            let first = Self.values(subject, second: false)
            let created = try await writer.createTask(first)
            var renamed = first
            renamed.title = "Only the title"
            _ = try await writer.updateTask(RemoteRef(key: created.id), TaskUpdate(fields: [.title], values: renamed))
            guard case .present(let read) = try await p.readTask(RemoteRef(key: created.id)) else {
                Issue.record("the task cannot be read")
                return
            }
            #expect(read.fields.title == "Only the title")
            for f in Self.checked(p) where f != .title {
                #expect(read.fields.value(of: f) == first.value(of: f), "\(f) was touched by a title update")
            }
        }
    }

    @Test("fields tasksync does not sync (assignee, watchers, ...) are untouched by its updates", arguments: ContractSubject.all)
    func foreignFieldsUntouched(_ subject: ContractSubject) async throws {
        try await withContract(subject) { h in
            let p = try h.provider()
            let writer = try #require(p as? any TaskWriting)
            let key = await h.fakes[0].seed("Has an assignee")
            await h.fakes[0].setForeign(key)
            let before = await h.fakes[0].foreign(key)
            let fields = Set(Self.checked(p))
            _ = try await writer.updateTask(RemoteRef(key: key), TaskUpdate(fields: fields, values: Self.values(subject, second: true)))
            #expect(await h.fakes[0].foreign(key) == before)
        }
    }

    @Test("a task that does not exist reads as gone, and an update to it fails that item alone", arguments: ContractSubject.all)
    func missingTask(_ subject: ContractSubject) async throws {
        try await withContract(subject) { h in
            let p = try h.provider()
            let read = try await p.readTask(RemoteRef("9999999"))
            guard case .gone = read else {
                Issue.record("read \(read)")
                return
            }
            if let writer = p as? any TaskWriting {
                do {
                    _ = try await writer.updateTask(RemoteRef("9999999"), TaskUpdate(fields: [.title], values: TaskFields(title: "x")))
                    Issue.record("an update to a missing task succeeded")
                } catch let error as ProviderError {
                    #expect(!error.isProviderWide, "\(error)")
                }
            }
        }
    }

    /// The errors a provider can answer, and what the engine must see.
    static let faults: [(Fault, @Sendable (ProviderError) -> Bool, String)] = [
        (.status(401), { if case .unauthorized(401, _) = $0 { true } else { false } }, "401 is unauthorized"),
        (.status(403), { if case .unauthorized(403, _) = $0 { true } else { false } }, "403 is unauthorized"),
        // Longer than [sync] retry_after_max (30 s): the provider is parked, not waited for.
        (.rateLimited(seconds: 120), { if case .rateLimited(let after, _) = $0 { (after ?? 0) >= 100 } else { false } }, "429 is rate limited"),
        (.status(500), { if case .server(500, _) = $0 { true } else { false } }, "500 is a server error"),
        (.status(503), { if case .server(503, _) = $0 { true } else { false } }, "503 is a server error"),
    ]

    @Test("401, 403, 429 and 5xx on a listing fail the provider as a whole, with the right error", arguments: ContractSubject.all)
    func providerWideErrors(_ subject: ContractSubject) async throws {
        try await withContract(subject) { h in
            _ = await h.fakes[0].seed("One")
            for (fault, matches, what) in Self.faults {
                await h.fakes[0].inject(fault, "GET")
                do {
                    // A fresh adapter each time: a long 429 parks the one that saw it.
                    _ = try await h.provider().listTasks(changedSince: nil)
                    Issue.record("\(what): the listing succeeded")
                } catch let error as ProviderError {
                    #expect(matches(error), "\(what): \(error)")
                    #expect(error.isProviderWide, "\(what)")
                }
            }
            let after = try await h.provider().listTasks(changedSince: nil)
            #expect(after.tasks.count == 1, "the provider reads again once the fault is gone")
        }
    }

    @Test("a 429 asking for a second is waited for within the cycle and the request sent again", arguments: ContractSubject.all)
    func shortRateLimitIsWaited(_ subject: ContractSubject) async throws {
        try await withContract(subject) { h in
            _ = await h.fakes[0].seed("One")
            await h.fakes[0].inject(.rateLimited(seconds: 1), "GET")
            let listing = try await h.provider().listTasks(changedSince: nil)
            #expect(listing.tasks.count == 1)
        }
    }

    @Test("a body that is not what the document says is malformed, never an empty listing", arguments: ContractSubject.all)
    func malformedBody(_ subject: ContractSubject) async throws {
        try await withContract(subject) { h in
            _ = await h.fakes[0].seed("One")
            await h.fakes[0].inject(.malformedBody, "GET")
            do {
                let listing = try await h.provider().listTasks(changedSince: nil)
                #expect(!listing.isComplete && !listing.problems.isEmpty, "a malformed page taken as \(listing.tasks.count) tasks")
            } catch let error as ProviderError {
                guard case .malformed = error else {
                    Issue.record("\(error)")
                    return
                }
            }
        }
    }

    @Test("two accounts of the kind linked: the first cycle copies, the second sends nothing", arguments: ContractSubject.all)
    func idleAfterSync(_ subject: ContractSubject) async throws {
        try await withContract(subject, count: 2) { h in
            for i in 0..<3 { _ = await h.fakes[0].seed("Linked \(i)") }
            let first = try await h.engine().runCycle()
            #expect(first.errors.isEmpty, "\(first.errors)")
            let before = await h.fakes[1].ledger().writes
            #expect(before >= 3, "the copies were not created")
            let second = try await h.engine().runCycle()
            #expect(second.outcome == .inSync, "\(second.plans.flatMap(\.items))")
            #expect(await h.fakes[0].ledger().writes == 0)
            #expect(await h.fakes[1].ledger().writes == before)
        }
    }

    @Test("subtasks: created under their task, listed with it (or per task), renamed and completed", arguments: ContractSubject.all)
    func subtasks(_ subject: ContractSubject) async throws {
        try await withContract(subject) { h in
            let p = try h.provider()
            guard let subs = p as? any SubtaskSyncing, let writer = p as? any TaskWriting else { return }
            let parent = try await writer.createTask(TaskFields(title: "Parent", status: subject.statusIDs[0]))
            let sub = try await subs.createSubtask(parent: RemoteRef(key: parent.id), SubtaskFields(title: "Child", done: false))
            #expect(sub.parentID == parent.id)
            let done = subs.subtaskWritableFields.contains(.done)
            let changed = try await subs.updateSubtask(
                parent: RemoteRef(key: parent.id), RemoteRef(key: sub.id), SubtaskFields(title: "Child renamed", done: done))
            #expect(changed.fields == SubtaskFields(title: "Child renamed", done: done))
            let listing = try await p.listTasks(changedSince: nil)
            var listed = listing.subtasks + listing.tasks.flatMap { $0.subtasks ?? [] }
            if let perTask = p as? any SubtasksListedPerTask {
                #expect(listed.isEmpty, "a provider that lists subtasks per task leaves them out of its task listing")
                listed = try await perTask.listSubtasks(task: RemoteRef(key: parent.id))
            }
            if p is any SubtasksListedPerTask {
                guard case .present(let read) = try await p.readTask(RemoteRef(key: parent.id)) else {
                    Issue.record("the parent reads as gone")
                    return
                }
                #expect(read.subtasks?.first { $0.id == sub.id }?.fields == changed.fields, "a direct read gives the task with its subtasks")
            }
            #expect(listed.first { $0.id == sub.id }?.fields == SubtaskFields(title: "Child renamed", done: done))
            #expect(!listing.tasks.contains { $0.id == sub.id }, "a subtask is not listed as a task")
        }
    }

    @Test("comments: one written is read back; one a person wrote is read", arguments: ContractSubject.all)
    func comments(_ subject: ContractSubject) async throws {
        try await withContract(subject) { h in
            let p = try h.provider()
            guard let reader = p as? any CommentReading else { return }
            let key = await h.fakes[0].seed("Commented")
            var expected: Set<String> = []
            if let seedComment = h.fakes[0].seedComment {
                await seedComment(key, "<p>From a person</p>")
                expected.insert(CommentFields(body: "<p>From a person</p>", author: nil).body)
            }
            if let writer = p as? any CommentWriting {
                let written = try await writer.createComment(task: RemoteRef(key: key), CommentFields(body: "<p>From tasksync</p>", author: nil))
                #expect(written.taskID == key)
                expected.insert(CommentFields(body: "<p>From tasksync</p>", author: nil).body)
            }
            let read = try await reader.listComments(task: RemoteRef(key: key))
            #expect(Set(read.map(\.fields.body)) == expected)
        }
    }
}
