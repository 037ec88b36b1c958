import AdapterSupport
import Foundation
import HTTPTransport
import ProofHubAdapter
import ProviderCatalog
import ProviderFakes
import ProviderKit
import SyncConfig
import Testing

@Suite("ProofHub adapter against its fake")
struct ProofHubAdapterTests {
    static let userAgent = "tasksync-tests (ops@example.com)"

    static func provider(_ fake: FakeProofHub, url: String, transport: any HTTPTransport = CurlTransport()) -> ProofHubProvider {
        ProofHubProvider(
            name: "ph",
            settings: .init(baseURL: url, token: fake.token, projectID: fake.projectID, todolistID: fake.todolistID, userAgent: userAgent),
            transport: transport)
    }

    /// A running fake with `options`, and an adapter for it.
    static func start(_ options: FakeProofHub.Options = .init()) async throws -> (FakeProofHub, ProofHubProvider) {
        let fake = FakeProofHub(options: options)
        let url = try await fake.start()
        return (fake, provider(fake, url: url))
    }

    static func present(_ read: DirectRead) throws -> RemoteTask {
        guard case .present(let task) = read else { throw ProviderError.malformed("expected the task, got \(read)") }
        return task
    }

    static let newStage = "6074498296"

    /// The fake's tasks path below `/api/v3`.
    static func tasksPath(_ fake: FakeProofHub) -> String { "/projects/\(fake.projectID)/todolists/\(fake.todolistID)/tasks" }
    static let lastStage = "6074498298"

    @Test("ids beyond 2^53 stay exact: read, in a PUT path, as a label id, compared as text")
    func bigIDs() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let taskID = await fake.seedTask(title: "Big")
        let labelID = await fake.seedLabel("exact")
        #expect(String(taskID) == "9007199254740993")
        #expect(String(labelID) == "9007199254740995")
        let listing = try await p.listTasks(changedSince: nil)
        #expect(listing.tasks.map(\.id) == ["9007199254740993"])
        var values = listing.tasks[0].fields
        values.title = "Big, renamed"
        values.tags = ["exact"]
        let updated = try await p.updateTask(RemoteRef("9007199254740993"), TaskUpdate(fields: [.title, .tags], values: values))
        #expect(updated.id == "9007199254740993")
        #expect(updated.fields.tags == ["exact"])
        let lines = await fake.ledger.lines
        #expect(lines.contains { $0 == "PUT /api/v3/projects/4469983073/todolists/169808767259/tasks/9007199254740993" }, "\(lines)")
        #expect(await fake.task(taskID)?.labelIDs.map(String.init) == ["9007199254740995"])
        #expect(try Self.present(await p.readTask(RemoteRef("9007199254740993"))).fields.title == "Big, renamed")
    }

    @Test("the bytes sent and read: a 64-bit label id goes out digit for digit, and an id past 2^53 comes back as written")
    func bigIDsOnTheWire() async throws {
        let task = """
            {"id":9007199254740993,"title":"T","description":null,"due_date":null,"completed":false,"labels":[9007199254740995],
             "stage":{"id":9007199254740997,"name":"New"},"sub_tasks":0,"updated_at":"2021-03-22T13:13:46+00:00","created_at":"2021-03-22T13:13:46+00:00"}
            """
        let transport = ScriptedTransport(
            HTTPResponse(status: 200, body: Array(##"[{"id":9007199254740995,"name":"exact","color":"#FBB008"}]"##.utf8)),
            HTTPResponse(status: 200, body: Array(task.utf8)))
        let p = ProofHubProvider(
            name: "ph", settings: .init(baseURL: "https://acme.proofhub.com/api/v3", token: "key", projectID: 1, todolistID: 2, userAgent: Self.userAgent),
            transport: transport)
        let updated = try await p.updateTask(RemoteRef("9007199254740993"), TaskUpdate(fields: [.tags], values: TaskFields(title: "T", tags: ["exact"])))
        #expect(updated.id == "9007199254740993")
        #expect(updated.fields.status == "9007199254740997")
        #expect(updated.fields.tags == ["exact"])
        let put = try #require(transport.requests.last)
        #expect(put.method == "PUT")
        #expect(put.url == "https://acme.proofhub.com/api/v3/projects/1/todolists/2/tasks/9007199254740993")
        #expect(String(decoding: put.body ?? [], as: UTF8.self) == #"{"labels":[9007199254740995]}"#)
        let headers = Dictionary(put.headers, uniquingKeysWith: { a, _ in a })
        #expect(headers["X-API-KEY"] == "key")
        #expect(headers["User-Agent"] == Self.userAgent)
        #expect(headers["Content-Type"] == "application/json")
    }

    @Test("a 200 whose body is {\"code\":2033,...} fails that item only")
    func errorBodyFailsTheItem() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let kept = await fake.seedTask(title: "Kept")
        await fake.injectErrorBody(method: "POST", pathContaining: "/tasks")
        await #expect {
            _ = try await p.createTask(TaskFields(title: "Refused"))
        } throws: { error in
            guard let e = error as? ProviderError, case .rejected(200, let message) = e else { return false }
            return message.contains("2033") && !e.isProviderWide
        }
        let second = try await p.createTask(TaskFields(title: "Accepted"))
        #expect(second.fields.title == "Accepted")
        await fake.injectErrorBody(method: "PUT", pathContaining: "/tasks/\(kept)")
        await #expect {
            _ = try await p.updateTask(RemoteRef(String(kept)), TaskUpdate(fields: [.title], values: TaskFields(title: "Not this")))
        } throws: { error in
            guard let e = error as? ProviderError, case .rejected(200, _) = e else { return false }
            return !e.isProviderWide
        }
        let listing = try await p.listTasks(changedSince: nil)
        #expect(Set(listing.tasks.map(\.fields.title)) == ["Kept", "Accepted"])
        #expect(listing.isComplete)
    }

    @Test("a tag with no label creates the label once; the next task reuses it, and an existing label is never created")
    func labelsCreatedOnce() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let medium = await fake.seedLabel("Medium")
        try await p.prepare()
        let a = try await p.createTask(TaskFields(title: "A", tags: ["fresh"]))
        let b = try await p.createTask(TaskFields(title: "B", tags: ["fresh", "Medium"]))
        #expect(await fake.requestCount("POST", pathPrefix: "/api/v3/labels") == 1)
        let fresh = try #require(await fake.label(named: "fresh")).id
        #expect(await fake.task(Int64(a.id)!)?.labelIDs == [fresh])
        #expect(Set(await fake.task(Int64(b.id)!)?.labelIDs ?? []) == [fresh, medium])
        #expect(a.fields.tags == ["fresh"])
        #expect(b.fields.tags == ["Medium", "fresh"])
        // The next cycle loads the labels again and still creates none.
        try await p.prepare()
        _ = try await p.updateTask(RemoteRef(a.id), TaskUpdate(fields: [.tags], values: TaskFields(title: "A", tags: ["Medium", "fresh"])))
        #expect(await fake.requestCount("POST", pathPrefix: "/api/v3/labels") == 1)
    }

    @Test("an unknown label id reloads the labels once; still unknown, that task's tags are unknown, not empty")
    func unknownLabelIDs() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let labelGets = { await fake.requestCount("GET", pathPrefix: "/api/v3/labels") }
        try await p.prepare()
        #expect(await labelGets() == 1)
        // A label someone made after the cycle's load: one reload finds it.
        let later = await fake.seedTask(title: "Later label", labels: ["later"])
        var listing = try await p.listTasks(changedSince: nil)
        #expect(await labelGets() == 2)
        #expect(listing.tasks.first { $0.id == String(later) }?.fields.tags == ["later"])
        #expect(listing.tasks.allSatisfy { $0.unknownFields.isEmpty })
        // An id the label list does not have: no second reload this cycle, and the tags are unknown.
        let odd = await fake.seedTask(title: "Odd label", labels: ["known"])
        await fake.edit(odd) { $0.labelIDs.append(12_345) }
        listing = try await p.listTasks(changedSince: nil)
        #expect(await labelGets() == 2)
        let task = try #require(listing.tasks.first { $0.id == String(odd) })
        #expect(task.unknownFields == [.tags])
        #expect(listing.tasks.first { $0.id == String(later) }?.unknownFields.isEmpty == true)
        // Next cycle: one reload, still unknown, on a listing and on a direct read.
        try await p.prepare()
        listing = try await p.listTasks(changedSince: nil)
        #expect(await labelGets() == 4)
        #expect(listing.tasks.first { $0.id == String(odd) }?.unknownFields == [.tags])
        #expect(try Self.present(await p.readTask(RemoteRef(String(odd)))).unknownFields == [.tags])
        #expect(await labelGets() == 4)
    }

    @Test("a date-only due date is written and read as the same day, and cleared with null")
    func dueDates() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let seeded = await fake.seedTask(title: "Seeded", dueDate: "2016-11-10")
        #expect(try Self.present(await p.readTask(RemoteRef(String(seeded)))).fields.dueDate == LocalDate(year: 2016, month: 11, day: 10))
        let created = try await p.createTask(TaskFields(title: "Due", dueDate: LocalDate(year: 2026, month: 3, day: 1)))
        #expect(await fake.task(Int64(created.id)!)?.dueDate == "2026-03-01")
        #expect(created.fields.dueDate == LocalDate(year: 2026, month: 3, day: 1))
        let moved = try await p.updateTask(
            RemoteRef(created.id), TaskUpdate(fields: [.dueDate], values: TaskFields(title: "Due", dueDate: LocalDate(year: 2026, month: 12, day: 31))))
        #expect(moved.fields.dueDate == LocalDate(year: 2026, month: 12, day: 31))
        #expect(await fake.task(Int64(created.id)!)?.dueDate == "2026-12-31")
        let cleared = try await p.updateTask(RemoteRef(created.id), TaskUpdate(fields: [.dueDate], values: TaskFields(title: "Due")))
        #expect(cleared.fields.dueDate == nil)
        #expect(await fake.task(Int64(created.id)!)?.dueDate == nil)
    }

    @Test("user_agent missing from the config is a config error naming the key; one without a contact is refused")
    func userAgentRequired() throws {
        let table = """
            [sync]
            mirror = "/tmp/tasksync-ph-test/mirror.sqlite"

            [[provider]]
            name = "ph"
            kind = "proofhub"
            base_url = "https://acme.proofhub.com/api/v3"
            project_id = "4469983073"
            todolist_id = "169808767259"
            token_file = "/tmp/tasksync-ph-test/ph.token"
            """
        #expect {
            _ = try ConfigLoader.parse(table, source: "tasksync.toml")
        } throws: { error in
            "\(error)".contains("(ph).user_agent: is required")
        }
        let setup = ProviderSetup(
            name: "ph", baseURL: "https://acme.proofhub.com/api/v3", settings: ["project_id": "1", "todolist_id": "2"], token: "key",
            transport: CurlTransport())
        #expect {
            _ = try ProofHubProvider.descriptor.make(setup)
        } throws: { error in
            (error as? SetupError)?.message.contains("user_agent") == true
        }
        var noContact = setup
        noContact.settings["user_agent"] = "tasksync"
        #expect {
            _ = try ProofHubProvider.descriptor.make(noContact)
        } throws: { error in
            (error as? SetupError)?.message.contains("user_agent") == true
        }
        var good = setup
        good.settings["user_agent"] = Self.userAgent
        #expect(try ProofHubProvider.descriptor.make(good).kind == "proofhub")
        let schema = try #require(ProviderCatalog.schemas.first { $0.kind == "proofhub" })
        #expect(schema.defaultBaseURL == nil)
        #expect(schema.defaultRateLimit == "25/10s")
    }

    @Test("capabilities: status read only; no archive, no changed-since listing, comments do not touch their task")
    func capabilities() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let c = p.capabilities
        #expect(c.readableFields == [.title, .description, .status, .done, .dueDate, .tags])
        #expect(c.writableFields == [.title, .description, .done, .dueDate, .tags])
        #expect(c.subtasks && c.commentsRead && c.commentsWrite && c.delete)
        #expect(!c.archive && !c.incrementalListing && !c.commentsTouchTask)
    }

    @Test("done: a task created done is completed by its own PUT; one completed drops out of the listing and reads as done")
    func completion() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let created = try await p.createTask(TaskFields(title: "Done at birth", done: true))
        #expect(created.fields.done)
        #expect(await fake.task(Int64(created.id)!)?.completed == true)
        #expect(created.fields.status == Self.newStage)
        let listing = try await p.listTasks(changedSince: nil)
        #expect(!listing.tasks.contains { $0.id == created.id })
        let read = try Self.present(await p.readTask(RemoteRef(created.id)))
        #expect(read.fields.done)
        let reopened = try await p.updateTask(
            RemoteRef(created.id), TaskUpdate(fields: [.done, .title], values: TaskFields(title: "Reopened", done: false)))
        #expect(!reopened.fields.done && reopened.fields.title == "Reopened")
        #expect(try await p.listTasks(changedSince: nil).tasks.contains { $0.id == created.id })
        try await p.deleteTask(RemoteRef(created.id))
        guard case .gone = try await p.readTask(RemoteRef(created.id)) else {
            Issue.record("a deleted task still reads")
            return
        }
        try await p.deleteTask(RemoteRef(created.id))  // already gone: done
    }

    @Test("subtasks and comments through their own endpoints, paged past 100")
    func subtasksAndComments() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let parent = await fake.seedTask(title: "Parent")
        for i in 0..<105 { await fake.seedSubtask(parent, title: "Sub \(i)", completed: i == 0) }
        for i in 0..<103 { await fake.seedComment(parent, text: "Comment \(i)") }
        _ = await fake.seedTask(title: "No subtasks")
        let listing = try await p.listTasks(changedSince: nil)
        #expect(listing.tasks.allSatisfy { $0.subtasks == nil }, "the listing leaves subtasks to the engine's per-task reads")
        let subs = try await p.listSubtasks(task: RemoteRef(String(parent)))
        #expect(subs.count == 105)
        #expect(subs.filter(\.fields.done).count == 1)
        let other = try #require(listing.tasks.first { $0.fields.title == "No subtasks" })
        let before = await fake.ledger.count("GET")
        #expect(try await p.listSubtasks(task: RemoteRef(other.id)) == [])
        #expect(await fake.ledger.count("GET") == before, "the listing said it has none (sub_tasks 0): no request")
        #expect(try Self.present(try await p.readTask(RemoteRef(String(parent)))).subtasks?.count == 105, "a direct read carries them")
        let made = try await p.createSubtask(parent: RemoteRef(String(parent)), SubtaskFields(title: "Made done", done: true))
        #expect(made.fields == SubtaskFields(title: "Made done", done: true))
        #expect(await fake.task(Int64(made.id)!)?.completed == true)
        let comments = try await p.listComments(task: RemoteRef(String(parent)))
        #expect(comments.count == 103)
        let written = try await p.createComment(task: RemoteRef(String(parent)), CommentFields(body: "<p>From tasksync</p>", author: nil))
        #expect(written.fields.body == CommentFields(body: "<p>From tasksync</p>", author: nil).body)
        #expect(try await p.listComments(task: RemoteRef(String(parent))).count == 104)
    }

    @Test(
        "sub_tasks a count, always 0 or absent: listSubtasks and a direct read return a subtask whatever the field says",
        arguments: [FakeProofHub.Options.SubTasksField.count, .alwaysZero, .absent])
    func subTasksField(_ field: FakeProofHub.Options.SubTasksField) async throws {
        let (fake, p) = try await Self.start(.init(subTasksField: field))
        defer { Task { await fake.stop() } }
        let counted = await fake.seedTask(title: "Counted")
        await fake.seedSubtask(counted, title: "One")
        let parent = await fake.seedTask(title: "Parent")
        let empty = await fake.seedTask(title: "Empty")
        _ = try await p.listTasks(changedSince: nil)
        // A subtask added after the listing, its task untouched: read directly, it is there.
        await fake.seedSubtask(parent, title: "Added")
        let read = try Self.present(try await p.readTask(RemoteRef(String(parent))))
        #expect(read.subtasks?.map(\.fields.title) == ["Added"], "\(field)")
        // Listed with it: the per-task read returns it, before and after a task with subtasks was read.
        _ = try await p.listTasks(changedSince: nil)
        #expect(try await p.listSubtasks(task: RemoteRef(String(parent))).map(\.fields.title) == ["Added"], "\(field)")
        #expect(try await p.listSubtasks(task: RemoteRef(String(counted))).map(\.fields.title) == ["One"], "\(field)")
        await fake.seedSubtask(empty, title: "Late")
        _ = try await p.listTasks(changedSince: nil)
        #expect(try await p.listSubtasks(task: RemoteRef(String(empty))).map(\.fields.title) == ["Late"], "\(field)")
        #expect(try Self.present(try await p.readTask(RemoteRef(String(empty)))).subtasks?.map(\.fields.title) == ["Late"], "\(field)")
        // A task with none: no request only where sub_tasks has shown itself a count.
        let none = await fake.seedTask(title: "None")
        _ = try await p.listTasks(changedSince: nil)
        _ = try await p.listSubtasks(task: RemoteRef(String(counted)))
        let before = await fake.requestCount("GET", pathPrefix: "/api/v3\(Self.tasksPath(fake))/\(none)/subtasks")
        #expect(try await p.listSubtasks(task: RemoteRef(String(none))) == [])
        let asked = await fake.requestCount("GET", pathPrefix: "/api/v3\(Self.tasksPath(fake))/\(none)/subtasks") - before
        #expect(asked == (field == .count ? 0 : 1), "\(field): \(asked) subtask listings of a task with none")
    }

    @Test("sub_tasks that once disagreed with a task's subtasks is not trusted again: a task it shows with 0 is read")
    func subTasksContradicted() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let counted = await fake.seedTask(title: "Counted")
        await fake.seedSubtask(counted, title: "One")
        let none = await fake.seedTask(title: "None")
        let subtaskGets = { await fake.requestCount("GET", pathPrefix: "/api/v3\(Self.tasksPath(fake))/\(none)/subtasks") }
        _ = try await p.listTasks(changedSince: nil)
        _ = try await p.listSubtasks(task: RemoteRef(String(counted)))  // 1 and 1: trusted
        _ = try await p.listSubtasks(task: RemoteRef(String(none)))
        #expect(await subtaskGets() == 0)
        // Listed with 1, read with 2 (or a server whose count is something else).
        await fake.seedSubtask(counted, title: "Two")
        #expect(try await p.listSubtasks(task: RemoteRef(String(counted))).count == 2)
        _ = try await p.listTasks(changedSince: nil)
        _ = try await p.listSubtasks(task: RemoteRef(String(counted)))  // 2 and 2: still not trusted
        _ = try await p.listSubtasks(task: RemoteRef(String(none)))
        #expect(await subtaskGets() == 1)
    }

    @Test("concurrency 4: listing pages overlap, never beyond four; every task once, in order", arguments: [1, 4])
    func concurrentListing(_ concurrency: Int) async throws {
        let fake = FakeProofHub()
        let url = try await fake.start()
        defer { Task { await fake.stop() } }
        await fake.setLatency(0.01)
        var seeded: [String] = []
        for i in 0..<350 {
            let id = await fake.seedTask(title: "Task \(i)")
            seeded.append(String(id))
        }
        let p = ProofHubProvider(
            name: "ph",
            settings: .init(
                baseURL: url, token: fake.token, projectID: fake.projectID, todolistID: fake.todolistID, userAgent: Self.userAgent,
                concurrency: concurrency),
            transport: CurlTransport())
        let listing = try await p.listTasks(changedSince: nil)
        #expect(listing.isComplete)
        let ids = listing.tasks.map(\.id)
        #expect(ids == Array(seeded.reversed()), "in the fake's order (newest first), each once: \(ids.count) listed")
        #expect(listing.requestCount >= 4, "four pages of at most 100")
        let most = await fake.mostConcurrentRequests()
        #expect(concurrency == 1 ? most == 1 : (2...4).contains(most), "\(most) in flight")
    }

    @Test("the switches the document leaves open, turned: a create, list and update round trip still holds")
    func otherReadings() async throws {
        let options = FakeProofHub.Options(
            createStatus: 201, unknownFields: .ignore, invalidBodyStatus: 200, unknownLabels: .ignore, overLimit: .reject, defaultLimit: 7,
            taskListOrder: .oldestFirst, completedInTaskLists: true, userAgentRule: .present, updatableFields: .updateExample,
            completeMovesToLastStage: true, childTouchesTask: true, emptyStringClearsDate: true, missingStatus: 403)
        let (fake, p) = try await Self.start(options)
        defer { Task { await fake.stop() } }
        for i in 0..<120 { await fake.seedTask(title: "Filler \(i)") }
        try await p.prepare()
        let first = TaskFields(
            title: "Round trip", description: "<p>Hello <strong>world</strong></p>", done: true, dueDate: LocalDate(year: 2026, month: 3, day: 1),
            tags: ["alpha", "beta"])
        let created = try await p.createTask(first)
        #expect(created.fields.done && created.fields.tags == ["alpha", "beta"])
        #expect(created.fields.status == Self.lastStage, "completing moved the stage; it is read as it is")
        let listing = try await p.listTasks(changedSince: nil)
        #expect(listing.isComplete && listing.tasks.count == 121)
        let listed = try #require(listing.tasks.first { $0.id == created.id })
        for f in [Field.title, .description, .done, .dueDate, .tags] { #expect(listed.fields.value(of: f) == first.value(of: f), "\(f)") }
        // The update example's fields: description, due date, completion.
        var second = first
        second.description = "<p>Second</p>"
        second.dueDate = LocalDate(year: 2026, month: 3, day: 2)
        second.done = false
        let updated = try await p.updateTask(RemoteRef(created.id), TaskUpdate(fields: [.description, .dueDate, .done], values: second))
        let read = try Self.present(await p.readTask(RemoteRef(created.id)))
        for f in [Field.title, .description, .done, .dueDate, .tags] {
            #expect(updated.fields.value(of: f) == second.value(of: f), "\(f) in the answer")
            #expect(read.fields.value(of: f) == second.value(of: f), "\(f) read back")
        }
        // A title this server ignores comes back unchanged: the answer says so, the engine notes it as not kept.
        second.title = "Ignored"
        let ignored = try await p.updateTask(RemoteRef(created.id), TaskUpdate(fields: [.title], values: second))
        #expect(ignored.fields.title == "Round trip")
        // Subtasks: created (201), then completed alone, as the update example allows.
        let sub = try await p.createSubtask(parent: RemoteRef(created.id), SubtaskFields(title: "Child", done: false))
        let done = try await p.updateSubtask(parent: RemoteRef(created.id), RemoteRef(sub.id), SubtaskFields(title: "Child", done: true))
        #expect(done.fields == SubtaskFields(title: "Child", done: true))
        let comment = try await p.createComment(task: RemoteRef(created.id), CommentFields(body: "<p>Note</p>", author: nil))
        #expect(try await p.listComments(task: RemoteRef(created.id)).map(\.id) == [comment.id])
        // A missing task answered 403: that item's failure, never gone, never the whole provider.
        await #expect {
            _ = try await p.readTask(RemoteRef("9999999"))
        } throws: { error in
            guard let e = error as? ProviderError, case .rejected(403, _) = e else { return false }
            return !e.isProviderWide
        }
    }

    @Test("a server that refuses fields beyond the update example fails that item, and still takes the documented ones")
    func strictUpdateExample() async throws {
        let (fake, p) = try await Self.start(FakeProofHub.Options(updatableFields: .updateExample))
        defer { Task { await fake.stop() } }
        let created = try await p.createTask(TaskFields(title: "Strict"))
        await #expect {
            _ = try await p.updateTask(RemoteRef(created.id), TaskUpdate(fields: [.title], values: TaskFields(title: "Renamed")))
        } throws: { error in
            guard let e = error as? ProviderError, case .rejected(400, _) = e else { return false }
            return !e.isProviderWide
        }
        let done = try await p.updateTask(
            RemoteRef(created.id), TaskUpdate(fields: [.done, .description], values: TaskFields(title: "Renamed", description: "<p>x</p>", done: true)))
        #expect(done.fields.done && done.fields.description == "<p>x</p>" && done.fields.title == "Strict")
        let sub = try await p.createSubtask(parent: RemoteRef(created.id), SubtaskFields(title: "Child", done: true))
        #expect(sub.fields.done)
        let reopened = try await p.updateSubtask(parent: RemoteRef(created.id), RemoteRef(sub.id), SubtaskFields(title: "Child", done: false))
        #expect(reopened.fields == SubtaskFields(title: "Child", done: false))
    }
}
