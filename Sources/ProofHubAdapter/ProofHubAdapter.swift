import AdapterSupport

/// ProofHub tasks (`v3/projects/{project}/todolists/{todolist}/tasks`),
/// scoped to one project and todolist (provider-docs/proofhub-tasks.txt and
/// the ProofHub section of NOTES.md).
///
/// From the documents:
/// - Every request sends `X-API-KEY` and a `User-Agent` naming the app and a
///   contact (`user_agent`; without it the API answers 400); POST and PUT
///   send `Content-Type: application/json` (else 415). The base URL is the
///   company's own, `https://<company>.proofhub.com/api/v3`.
/// - Lists are JSON arrays of at most 100 items, paged with `start` and
///   `limit=100`. There is no changed-since filter: every poll is a full
///   listing (no ``IncrementalListing``).
/// - Ids exceed 2^53: read as `Int64` or strings, never through `Double`;
///   a task's remote id is its `id` in decimal.
/// - A create answers 200 (older docs: 201); any 2xx is taken. A 2xx whose
///   body is `{"code":2033,...}` or `{"status":false,...}` is that item's
///   error (``ErrorEnvelope/proofHub``). 429 and `Retry-After` are the
///   transport's; the default rate limit is 25 requests per 10 s.
/// - Labels are global (`v3/labels`): tags map to labels by name; a tag with
///   no label gets one (`POST v3/labels`), once (``ProofHubLabels``).
/// - A task's subtasks are its `subtasks` list, a request per task, so the
///   task list leaves them out and the engine reads those of the tasks that
///   need them (``SubtasksListedPerTask``); a direct read carries them.
///   Comments are the task's `comments` list; they have no `updated_at` and
///   no author name.
/// - `sub_tasks` in a task: the document shows `"sub_tasks": 0` only in its
///   examples and never says what it holds; NOTES.md calls it a count. It is
///   used only to save requests, and only once it has shown itself a count
///   (``SubTaskCounts``): a server that leaves it at 0, or sends none, costs
///   requests, never a subtask.
/// - Delete is documented (`DELETE`, 204); archiving is not, so no
///   ``TaskArchiving``.
///
/// Assumptions where the documents are silent:
/// - Status is the task's workflow `stage` id, and it is read only. The
///   documented update ("Update task") names no `stage`; only "Copy task" and
///   "Move task" (into a different todolist) do, so no documented request
///   sets the stage of a task where it is. `done` is `completed`, written
///   with the document's "Complete task" PUT. Whether completing moves the
///   stage is unsaid; whatever stage the answer shows is read.
/// - "Update task" takes the create's parameters (`title`, `labels`, ...)
///   besides the ones its example shows ("will update the task from the
///   parameters passed"). An update sends only the fields it changes, so a
///   change of description, due date or completion never depends on this;
///   a server that refuses `title` or `labels` fails that item (and one that
///   ignores them shows it in its answer, which the engine notes as not kept).
/// - `completed` is sent in a PUT of its own, as "Complete task" shows it:
///   a reopen before the other fields, a completion after them. `completed`
///   is no create parameter: a task or subtask created done is created, then
///   completed; if that second request fails, the created item is answered as
///   it is (never an error after a create: that would create it twice).
/// - A subtask update reads the subtask first and sends only what differs
///   (the engine passes both fields).
/// - `due_date: null` clears a due date (the document never clears one).
///   Descriptions are HTML, as ProofHub's editor writes them.
/// - Tags match labels by exact name; of two labels with one name, the lower
///   id. A label id the label list does not know makes that task's tags
///   unknown (after one reload of the labels per cycle), never empty.
/// - "Get all tasks" may leave completed tasks out (it "will return task for
///   this todolist"); the engine then confirms each mapped one by a direct
///   read, which finds it completed. Its order is unsaid: a task listed twice
///   (pages shifted by a create) is taken once; one skipped is read directly.
/// - 403 means "invalid access". On the task listing it stops the provider
///   (the key or its rights); on one task, subtask or comment path it fails
///   that item alone and never makes a task gone, since a missing task may
///   answer 403 as well as 404. 404 and 410 on a direct read make it gone.
/// - No document says a new comment or subtask moves its task's
///   `updated_at`: no ``CommentsTouchTask``.
public struct ProofHubProvider: TaskWriting, TaskDeleting, SubtasksListedPerTask, CommentReading, CommentWriting {
    public struct Settings: Sendable {
        public var baseURL: String
        public var token: String
        public var projectID: Int64
        public var todolistID: Int64
        /// `AppName (ops@example.com)`.
        public var userAgent: String
        /// Listing pages in flight at once (`concurrency`).
        public var concurrency: Int

        public init(baseURL: String, token: String, projectID: Int64, todolistID: Int64, userAgent: String, concurrency: Int = 1) {
            self.concurrency = max(1, concurrency)
            self.baseURL = baseURL
            self.token = token
            self.projectID = projectID
            self.todolistID = todolistID
            self.userAgent = userAgent
        }
    }

    public let name: String
    public var kind: String { "proofhub" }
    let settings: Settings
    let client: APIClient
    let labels: ProofHubLabels
    /// What the last listing showed in `sub_tasks`, and whether it is a count.
    let subTaskCounts = SubTaskCounts()

    public init(name: String, settings: Settings, transport: any HTTPTransport) {
        self.name = name
        self.settings = settings
        self.client = APIClient(
            baseURL: settings.baseURL, auth: .headers([("X-API-KEY", settings.token)]),
            headers: [("User-Agent", settings.userAgent), ("Accept", "application/json")], envelope: .proofHub, transport: transport)
        self.labels = ProofHubLabels(client: client)
    }

    public var fields: FieldSupport {
        FieldSupport(
            readable: [.title, .description, .status, .done, .dueDate, .tags], writable: [.title, .description, .done, .dueDate, .tags])
    }

    var tasksPath: String { "/projects/\(settings.projectID)/todolists/\(settings.todolistID)/tasks" }

    public func prepare() async throws {
        try await labels.prepare()
    }

    // MARK: tasks

    public func listTasks(changedSince: Timestamp?) async throws -> TaskListing {
        let (client, tasksPath) = (self.client, self.tasksPath)
        let pages = try await fetchOffsetPagesConcurrently(
            limit: ProofHubValues.pageLimit, maxLimit: ProofHubValues.pageLimit, concurrency: settings.concurrency
        ) { start, limit in
            let response = try await client.call("GET", tasksPath, query: [("start", String(start)), ("limit", String(limit))])
            return try response.decode([Lenient<PHTask>].self, what: "task list from \(start)")
        }
        var requests = pages.requestCount
        var problems: [String] = []
        var listed: [PHTask] = []
        var seen: Set<String> = []
        for item in pages.items {
            switch item.value {
            case .success(let task): if seen.insert(task.id.value).inserted { listed.append(task) }
            case .failure(let error): problems.append("task list: \(error)")
            }
        }
        let names = try await labels.names(for: Set(listed.flatMap { $0.labelIDs ?? [] }))
        requests += await labels.takeRequestCount()
        // A task's subtasks are a listing of their own, which the engine asks for
        // the tasks that need them (``SubtasksListedPerTask``): none is read here.
        await subTaskCounts.listed(Dictionary(listed.compactMap { t in t.sub_tasks.map { (t.id.value, $0) } }) { first, _ in first })
        var tasks: [RemoteTask] = []
        for raw in listed {
            do { tasks.append(try raw.remote(labelNames: names)) } catch let error as ProviderError where error.isProviderWide {
                throw error
            } catch {
                problems.append("task \(raw.id.value): \(error)")
            }
        }
        var listing = TaskListing(tasks: tasks, isComplete: problems.isEmpty, requestCount: requests)
        listing.problems = problems
        return listing
    }

    public func readTask(_ ref: RemoteRef) async throws -> DirectRead {
        let id = try Self.number(ref)
        return try await readOrGone {
            let response = try await item { try await client.call("GET", "\(tasksPath)/\(id)") }
            let raw = try response.decode(PHTask.self, what: "task \(id)")
            var task = try raw.remote(labelNames: try await labels.names(for: Set(raw.labelIDs ?? [])))
            if raw.sub_tasks == 0, await subTaskCounts.trusted {
                task.subtasks = []
            } else {
                let subtasks = try await subtasks(of: task.id).0
                await subTaskCounts.compare(raw.sub_tasks, read: subtasks.count)
                task.subtasks = subtasks
            }
            return .present(task)
        }
    }

    public func createTask(_ fields: TaskFields) async throws -> RemoteTask {
        var body: [String: JSON] = ["title": .string(fields.title)]
        if !fields.description.isEmpty { body["description"] = .string(fields.description) }
        if let due = fields.dueDate { body["due_date"] = .string(due.description) }
        if !fields.tags.isEmpty { body["labels"] = try await labelIDs(fields.tags) }
        let response = try await item { try await client.call("POST", tasksPath, body: .json(.object(body))) }
        let created = try response.decode(PHTask.self, what: "created task")
        guard fields.done, let id = created.id.int64 else { return try await answered(created) }
        // Completed by "Complete task"; the task exists whatever this answers.
        guard let completed = try? await put("\(tasksPath)/\(id)", ["completed": .bool(true)], what: "task \(id)") else {
            return try await answered(created)
        }
        return try await answered(completed)
    }

    public func updateTask(_ ref: RemoteRef, _ update: TaskUpdate) async throws -> RemoteTask {
        let id = try Self.number(ref)
        let path = "\(tasksPath)/\(id)"
        let values = update.values
        var body: [String: JSON] = [:]
        for field in update.fields {
            switch field {
            case .title: body["title"] = .string(values.title)
            case .description: body["description"] = .string(values.description)
            case .dueDate: body["due_date"] = values.dueDate.map { .string($0.description) } ?? .null
            case .tags: body["labels"] = try await labelIDs(values.tags)
            case .done, .status, .priority: break  // done by its own PUT; status read only; no priority
            }
        }
        let completion = update.fields.contains(.done) ? values.done : nil
        var answer: PHTask?
        if completion == false { answer = try await put(path, ["completed": .bool(false)], what: "task \(id)") }
        if !body.isEmpty { answer = try await put(path, body, what: "task \(id)") }
        if completion == true { answer = try await put(path, ["completed": .bool(true)], what: "task \(id)") }
        if let answer { return try await answered(answer) }
        // Nothing ProofHub can write: what it holds now.
        let response = try await item { try await client.call("GET", path) }
        return try await answered(try response.decode(PHTask.self, what: "task \(id)"))
    }

    public func deleteTask(_ ref: RemoteRef) async throws {
        let id = try Self.number(ref)
        do {
            _ = try await item { try await client.call("DELETE", "\(tasksPath)/\(id)") }
        } catch let error as ProviderError where goneReason(error) != nil {
            return  // already gone
        }
    }

    // MARK: subtasks

    public func createSubtask(parent: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
        let parentID = try Self.number(parent)
        let path = "\(tasksPath)/\(parentID)/subtasks"
        let response = try await item { try await client.call("POST", path, body: .json(.object(["title": .string(fields.title)]))) }
        let created = try response.decode(PHSubtask.self, what: "created subtask").remote(parentID: String(parentID))
        guard fields.done else { return created }
        // Completed by "Complete subtask"; the subtask exists whatever this answers.
        guard let completed = try? await putSubtask("\(path)/\(created.id)", ["completed": .bool(true)], parentID: parentID) else {
            return created
        }
        return completed
    }

    public func updateSubtask(parent: RemoteRef, _ ref: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
        let (parentID, id) = (try Self.number(parent), try Self.number(ref))
        let path = "\(tasksPath)/\(parentID)/subtasks/\(id)"
        let response = try await item { try await client.call("GET", path) }
        var current = try response.decode(PHSubtask.self, what: "subtask \(id)").remote(parentID: String(parentID))
        if current.fields.done && !fields.done { current = try await putSubtask(path, ["completed": .bool(false)], parentID: parentID) }
        if current.fields.title != fields.title { current = try await putSubtask(path, ["title": .string(fields.title)], parentID: parentID) }
        if !current.fields.done && fields.done { current = try await putSubtask(path, ["completed": .bool(true)], parentID: parentID) }
        return current
    }

    /// A task the last listing showed with `sub_tasks` 0 has none, without a
    /// request, once `sub_tasks` has shown itself a count (``SubTaskCounts``).
    public func listSubtasks(task: RemoteRef) async throws -> [RemoteSubtask] {
        let id = String(try Self.number(task))
        if await subTaskCounts.skips(id) { return [] }
        let subtasks = try await subtasks(of: id).0
        await subTaskCounts.compare(subTaskCounts.count(of: id), read: subtasks.count)
        return subtasks
    }

    /// Whether a task's `sub_tasks` may stand in for reading its subtasks.
    /// Shared by the copies of the provider value, and lives as long as they do.
    ///
    /// The contract: a task's subtasks are answered "none" without a request
    /// only when its `sub_tasks` (in the last listing for ``listSubtasks(task:)``,
    /// in the task's own answer for ``readTask(_:)``) is present and 0, and
    /// `sub_tasks` is trusted. It is trusted once a task's subtasks, read, were
    /// as many (one or more) as its `sub_tasks` said, and never again once a
    /// read found another number. A field always 0 or absent is never
    /// trusted, so every subtask listing is requested. A subtask added or
    /// removed between a listing and its task's read also withdraws the
    /// trust: requests, never subtasks, are what a wrong guess costs.
    actor SubTaskCounts {
        /// `sub_tasks` by task id, where the last listing had it.
        private var counts: [String: Int] = [:]
        private(set) var trusted = false
        private var contradicted = false

        func listed(_ counts: [String: Int]) { self.counts = counts }

        func count(of id: String) -> Int? { counts[id] }

        func skips(_ id: String) -> Bool { trusted && counts[id] == 0 }

        /// Notes what a task's `sub_tasks` said against the subtasks read
        /// for it; 0 against 0 tells nothing.
        func compare(_ count: Int?, read: Int) {
            guard let count, count > 0 || read > 0 else { return }
            if count != read { contradicted = true }
            trusted = !contradicted
        }
    }

    /// Every subtask of a task, and the requests that took. A subtask that
    /// does not parse fails its task (the task's subtasks are then unknown).
    func subtasks(of taskID: String) async throws -> ([RemoteSubtask], Int) {
        let pages = try await item {
            try await fetchOffsetPages(limit: ProofHubValues.pageLimit, maxLimit: ProofHubValues.pageLimit) { start, limit in
                let response = try await client.call(
                    "GET", "\(tasksPath)/\(taskID)/subtasks", query: [("start", String(start)), ("limit", String(limit))])
                return try response.decode([Lenient<PHSubtask>].self, what: "subtasks of task \(taskID) from \(start)")
            }
        }
        let (values, problems) = pages.partitioned()
        if let problem = problems.first { throw problem }
        return (try values.map { try $0.remote(parentID: taskID) }, pages.requestCount)
    }

    // MARK: comments

    public func listComments(task: RemoteRef) async throws -> [RemoteComment] {
        let taskID = try Self.number(task)
        let pages = try await item {
            try await fetchOffsetPages(limit: ProofHubValues.pageLimit, maxLimit: ProofHubValues.pageLimit) { start, limit in
                let response = try await client.call(
                    "GET", "\(tasksPath)/\(taskID)/comments", query: [("start", String(start)), ("limit", String(limit))])
                return try response.decode([Lenient<PHComment>].self, what: "comments of task \(taskID) from \(start)")
            }
        }
        return pages.partitioned().values.compactMap { try? $0.remote(taskID: String(taskID)) }
    }

    public func createComment(task: RemoteRef, _ fields: CommentFields) async throws -> RemoteComment {
        let taskID = try Self.number(task)
        let response = try await item {
            try await client.call("POST", "\(tasksPath)/\(taskID)/comments", body: .json(.object(["description": .string(fields.body)])))
        }
        return try response.decode(PHComment.self, what: "created comment").remote(taskID: String(taskID))
    }

    // MARK: requests

    /// A PUT of `body` to a task; it only sets values, so the transport may send it again.
    func put(_ path: String, _ body: [String: JSON], what: String) async throws -> PHTask {
        let response = try await item { try await client.call("PUT", path, body: .json(.object(body)), retryable: true) }
        return try response.decode(PHTask.self, what: "updated \(what)")
    }

    func putSubtask(_ path: String, _ body: [String: JSON], parentID: Int64) async throws -> RemoteSubtask {
        let response = try await item { try await client.call("PUT", path, body: .json(.object(body)), retryable: true) }
        return try response.decode(PHSubtask.self, what: "updated subtask").remote(parentID: String(parentID))
    }

    /// A write's answer in canonical form. Its label ids are normally known
    /// (the write used them); if resolving them fails, the tags are unknown
    /// and the engine reads the task back, rather than the write failing.
    func answered(_ raw: PHTask) async throws -> RemoteTask {
        let ids = Set(raw.labelIDs ?? [])
        let names: [Int64: String]
        if let resolved = try? await labels.names(for: ids) { names = resolved } else { names = await labels.known() }
        return try raw.remote(labelNames: names)
    }

    /// The `labels` value for tags: label ids, created where missing.
    func labelIDs(_ tags: [String]) async throws -> JSON {
        .array(try await item { try await labels.ids(for: tags) }.map(JSON.number))
    }

    /// A request on one task, subtask or comment: its 403 ("invalid access")
    /// fails that item alone, as any 4xx does; 401 still stops the provider.
    func item<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch ProviderError.unauthorized(403, let message) {
            throw ProviderError.rejected(status: 403, message: message)
        }
    }

    /// The ProofHub id of a reference: digits, an `Int64`.
    static func number(_ ref: RemoteRef) throws -> Int64 {
        guard let n = Int64(ref.id), n > 0 else { throw ProviderError.rejected(status: 0, message: "'\(ref.id)' is not a ProofHub id") }
        return n
    }
}
