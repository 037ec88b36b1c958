import ActiveCollabAdapter
import AdapterSupport
import Foundation
import HTTPTransport
import ProviderFakes
import ProviderKit
import Testing

@Suite("ActiveCollab adapter against its fake")
struct ActiveCollabAdapterTests {
    static func start(_ options: FakeActiveCollab.Options = .init()) async throws -> (FakeActiveCollab, ActiveCollabProvider) {
        let fake = FakeActiveCollab(options: options)
        let url = try await fake.start()
        let p = ActiveCollabProvider(name: "ac", settings: .init(baseURL: url, token: fake.token, projectID: "70"), transport: CurlTransport())
        return (fake, p)
    }

    static func ref(_ fake: FakeActiveCollab, _ id: Int64) async -> RemoteRef {
        RemoteRef(String(id), String(await fake.task(id: id)!.taskID))
    }

    @Test("a task is addressed by its task_id, not its id: an edit lands on the right task when the two differ")
    func taskIDNotID() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        // Global ids start at 1000, task_ids at 1: task_id 2 is not the task whose id is 2.
        let first = await fake.seedTask("First")
        let second = await fake.seedTask("Second")
        let ref = await Self.ref(fake, second)
        #expect(ref.parts[0] != ref.parts[1])
        let listed = try await p.listTasks(changedSince: nil)
        #expect(Set(listed.tasks.map(\.id)) == [await Self.ref(fake, first).key, ref.key])
        _ = try await p.updateTask(ref, TaskUpdate(fields: [.title], values: TaskFields(title: "Second, renamed")))
        #expect(await fake.task(id: second)?.name == "Second, renamed")
        #expect(await fake.task(id: first)?.name == "First")
    }

    @Test("HTML bodies and names round-trip through CDATA or entities unchanged", arguments: [FakeActiveCollab.Options.XMLText.cdata, .entities])
    func xmlText(_ form: FakeActiveCollab.Options.XMLText) async throws {
        var options = FakeActiveCollab.Options()
        options.xmlText = form
        let (fake, p) = try await Self.start(options)
        defer { Task { await fake.stop() } }
        let fields = TaskFields(title: "Tom & Jerry <3 ]]> café", description: "<p>A &amp; B <strong>bold</strong> ]]&gt; end</p>", priority: .veryHigh)
        let created = try await p.createTask(fields)
        guard case .present(let read) = try await p.readTask(RemoteRef(key: created.id)) else { throw ProviderError.malformed("gone") }
        #expect(read.fields.title == fields.title)
        #expect(read.fields.description == fields.description)
        #expect(read.fields.priority == .veryHigh)
    }

    @Test("the token rides in the query and never appears in an error")
    func tokenRedacted() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        await fake.inject(.status(500), method: "GET")
        do {
            _ = try await p.listTasks(changedSince: nil)
            Issue.record("the listing succeeded")
        } catch {
            #expect(!"\(error)".contains(fake.token), "\(error)")
        }
        #expect(await fake.ledger.lines.allSatisfy { $0.contains("auth_api_token=") })
    }

    @Test("truncated XML fails the listing as malformed, never as an empty list")
    func truncatedXML() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        await fake.seedTask("One")
        await fake.inject(.malformedBody, method: "GET")
        do {
            let listing = try await p.listTasks(changedSince: nil)
            Issue.record("read \(listing.tasks.count) tasks from a cut answer")
        } catch let error as ProviderError {
            guard case .malformed = error else {
                Issue.record("\(error)")
                return
            }
        }
    }

    @Test("an archived task is not in the list, and a direct read still finds it: not gone, so not a deletion")
    func archivedIsNotGone() async throws {
        let (fake, p) = try await Self.start()
        defer { Task { await fake.stop() } }
        let id = await fake.seedTask("Archived", archived: true)
        #expect(try await p.listTasks(changedSince: nil).tasks.isEmpty)
        guard case .present = try await p.readTask(await Self.ref(fake, id)) else {
            Issue.record("an archived task read as gone")
            return
        }
    }

    @Test(
        "completion and reopening, for tasks and subtasks, through the legacy commands", arguments: [FakeActiveCollab.Options.SubtaskText.asDocumented, .both])
    func completion(_ subtaskText: FakeActiveCollab.Options.SubtaskText) async throws {
        var options = FakeActiveCollab.Options()
        options.subtaskText = subtaskText
        let (fake, p) = try await Self.start(options)
        defer { Task { await fake.stop() } }
        let created = try await p.createTask(TaskFields(title: "Finish", done: true))
        let ref = RemoteRef(key: created.id)
        #expect(created.fields.done)
        let reopened = try await p.updateTask(ref, TaskUpdate(fields: [.done], values: TaskFields(title: "Finish", done: false)))
        #expect(!reopened.fields.done)
        let sub = try await p.createSubtask(parent: ref, SubtaskFields(title: "Step", done: false))
        #expect(sub.fields == SubtaskFields(title: "Step", done: false))
        let done = try await p.updateSubtask(parent: ref, RemoteRef(sub.id), SubtaskFields(title: "Step one", done: true))
        #expect(done.fields == SubtaskFields(title: "Step one", done: true))
        guard case .present(let read) = try await p.readTask(ref) else { throw ProviderError.malformed("gone") }
        #expect(read.subtasks?.map(\.fields) == [SubtaskFields(title: "Step one", done: true)])
    }

    @Test("base_url must be the api.php entry point")
    func baseURL() throws {
        let setup = ProviderSetup(name: "ac", baseURL: "https://ac.example.com/api", settings: ["project_id": "70"], token: "t", transport: CurlTransport())
        #expect(throws: SetupError.self) { try ActiveCollabProvider.descriptor.make(setup) }
    }
}
