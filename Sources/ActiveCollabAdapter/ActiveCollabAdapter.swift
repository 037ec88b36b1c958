import AdapterSupport

/// ActiveCollab's legacy API (v3/v4): tasks of one project.
///
/// From the document (activecollab-tasks.txt) and NOTES.md:
/// - Every request goes to `api.php` with the command in `path_info` and
///   the token in `auth_api_token` (``ProviderAuth/queryToken(name:value:)``:
///   never logged, removed from every error). Answers are XML
///   (`format=xml`), read with a real parser (CDATA, entities); a body that
///   is not well formed, or is cut short, fails the provider for the cycle.
/// - Writes are POSTs of form fields `task[...]`/`subtask[...]`, each with
///   `submitted=submitted`.
/// - A task has two ids: `id` (global) and `task_id` (per project, the one
///   in paths). Its ``RemoteRef`` keeps both: `id/task_id`.
/// - `projects/:id/tasks` lists open and completed tasks that are not
///   archived; no paging, no changed-since filter. An archived task is only
///   in `tasks/archive`: missing from the list, it is read directly, and a
///   task that still answers is present. It is neither a deletion nor
///   re-created, and tasksync never archives or unarchives (no archive
///   command is documented).
/// - Priority -2..2 is the canonical five; `due_on` is a date; `body` is HTML.
/// - Status is `label_id` (mapped by the link); done is completion. No tags.
/// - Subtasks are listed per task (`.../subtasks`: one request per task),
///   so the task list leaves them out and the engine reads those of the
///   tasks that need them (``SubtasksListedPerTask``); added and edited
///   with `subtask[body]`.
/// Assumed where the document is silent (NOTES.md: "unconfirmed"):
/// - Completion and reopening are `.../complete` and `.../reopen`, for
///   tasks and subtasks; comments are `.../comments` (list) and
///   `.../comments/add` with `comment[body]`.
/// - The XML element names are the field names of "About Tasks", plus
///   `task_id`, `created_on`, `updated_on` (`Y-m-d H:i:s`, UTC) and
///   `completed_on` or `is_completed`.
/// - An edit changes only the fields it sends (the document's example sends one).
/// - No delete command is documented: not ``TaskDeleting``.
public struct ActiveCollabProvider: TaskWriting, SubtasksListedPerTask, CommentReading, CommentWriting {
    public struct Settings: Sendable {
        public var baseURL: String
        public var token: String
        public var projectID: String

        public init(baseURL: String, token: String, projectID: String) {
            self.baseURL = baseURL
            self.token = token
            self.projectID = projectID
        }
    }

    public let name: String
    public var kind: String { "activecollab" }
    let settings: Settings
    let client: APIClient

    public init(name: String, settings: Settings, transport: any HTTPTransport) {
        self.name = name
        self.settings = settings
        self.client = APIClient(
            baseURL: settings.baseURL, auth: .queryToken(name: "auth_api_token", value: settings.token), headers: [("Accept", "application/xml")],
            transport: transport)
    }

    public var fields: FieldSupport {
        let all: Set<Field> = [.title, .description, .status, .done, .priority, .dueDate]
        return FieldSupport(readable: all, writable: all, unclearable: [.status])
    }

    var project: String { "projects/\(settings.projectID)" }

    /// Runs one command; `form` makes it a POST with `submitted=submitted`.
    func command(_ path: String, form: [(String, String)]? = nil, retryable: Bool? = nil, what: String) async throws -> XMLAnswer.Element {
        let query = [("path_info", path), ("format", "xml")]
        let response: HTTPResponse
        if let form {
            response = try await client.call("POST", "", query: query, body: .form(form + [("submitted", "submitted")]), retryable: retryable)
        } else {
            response = try await client.call("GET", "", query: query)
        }
        return try response.xml(what: what)
    }

    func taskPath(_ ref: RemoteRef) -> String { "\(project)/tasks/\(ref.parts.count > 1 ? ref.parts[1] : ref.id)" }

    /// One request: the task list, without subtasks (``SubtasksListedPerTask``:
    /// the engine asks for those of the tasks that need them).
    public func listTasks(changedSince: Timestamp?) async throws -> TaskListing {
        let list = try await command("\(project)/tasks", what: "task list")
        var tasks: [RemoteTask] = []
        var problems: [String] = []
        for e in list.children("task") {
            do { tasks.append(try ACWire.task(e)) } catch let error as ProviderError where !error.isProviderWide {
                problems.append("\(error)")
            }
        }
        var listing = TaskListing(tasks: tasks, isComplete: problems.isEmpty, requestCount: 1)
        listing.problems = problems
        return listing
    }

    public func listSubtasks(task ref: RemoteRef) async throws -> [RemoteSubtask] {
        let list = try await command("\(taskPath(ref))/subtasks", what: "subtasks of task \(ref)")
        return try list.children("subtask").map { try ACWire.subtask($0, parent: ref) }
    }

    public func readTask(_ ref: RemoteRef) async throws -> DirectRead {
        try await readOrGone {
            var task = try ACWire.task(try await command(taskPath(ref), what: "task \(ref)"))
            task.subtasks = try await listSubtasks(task: ref)
            return .present(task)
        }
    }

    static func form(_ f: TaskFields, only fields: Set<Field>) -> [(String, String)] {
        var form: [(String, String)] = []
        for field in fields.sorted() {
            switch field {
            case .title: form.append(("task[name]", f.title))
            case .description: form.append(("task[body]", f.description))
            case .status: if let label = f.status { form.append(("task[label_id]", label)) }
            case .priority: form.append(("task[priority]", String(ActiveCollabValues.wire(f.priority ?? .medium))))
            case .dueDate: form.append(("task[due_on]", f.dueDate?.description ?? ""))
            case .done, .tags: break  // completion through its own command; no tags
            }
        }
        return form
    }

    public func createTask(_ fields: TaskFields) async throws -> RemoteTask {
        var only: Set<Field> = [.title, .description, .status, .dueDate]
        if fields.priority != nil { only.insert(.priority) }
        let created = try ACWire.task(try await command("\(project)/tasks/add", form: Self.form(fields, only: only), what: "created task"))
        guard fields.done else { return created }
        // Created, then completed: if the completion fails, the task exists; the next cycle completes it.
        return (try? await setCompleted(RemoteRef(key: created.id), true)) ?? created
    }

    public func updateTask(_ ref: RemoteRef, _ update: TaskUpdate) async throws -> RemoteTask {
        var latest: RemoteTask?
        // Reopen before an edit, complete after it.
        if update.fields.contains(.done), !update.values.done { latest = try await setCompleted(ref, false) }
        let form = Self.form(update.values, only: update.fields)
        if !form.isEmpty {
            latest = try ACWire.task(try await command("\(taskPath(ref))/edit", form: form, retryable: true, what: "edited task \(ref)"))
        }
        if update.fields.contains(.done), update.values.done { latest = try await setCompleted(ref, true) }
        if let latest { return latest }
        return try ACWire.task(try await command(taskPath(ref), what: "task \(ref)"))
    }

    func setCompleted(_ ref: RemoteRef, _ done: Bool) async throws -> RemoteTask {
        try ACWire.task(try await command("\(taskPath(ref))/\(done ? "complete" : "reopen")", form: [], retryable: true, what: "task \(ref)"))
    }

    public func createSubtask(parent: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
        let added = try ACWire.subtask(
            try await command("\(taskPath(parent))/subtasks/add", form: [("subtask[body]", fields.title)], what: "created subtask"), parent: parent)
        guard fields.done else { return added }
        return (try? await setSubtaskCompleted(parent, added.id, true)) ?? added
    }

    public func updateSubtask(parent: RemoteRef, _ ref: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
        let path = "\(taskPath(parent))/subtasks/\(ref.id)"
        let current = try ACWire.subtask(try await command(path, what: "subtask \(ref)"), parent: parent)
        var latest = current
        if current.fields.title != fields.title {
            latest = try ACWire.subtask(
                try await command("\(path)/edit", form: [("subtask[body]", fields.title)], retryable: true, what: "edited subtask \(ref)"), parent: parent)
        }
        if current.fields.done != fields.done { latest = try await setSubtaskCompleted(parent, ref.id, fields.done) }
        return latest
    }

    func setSubtaskCompleted(_ parent: RemoteRef, _ id: String, _ done: Bool) async throws -> RemoteSubtask {
        try ACWire.subtask(
            try await command(
                "\(taskPath(parent))/subtasks/\(id)/\(done ? "complete" : "reopen")", form: [], retryable: true, what: "subtask \(id)"),
            parent: parent)
    }

    public func listComments(task: RemoteRef) async throws -> [RemoteComment] {
        let list = try await command("\(taskPath(task))/comments", what: "comments of task \(task)")
        return list.children("comment").compactMap { e in
            guard let id = ACWire.number(e, "id") else { return nil }
            let author = e.child("created_by")?["name"] ?? e["created_by_name"]
            return RemoteComment(
                id: id, taskID: task.key, fields: CommentFields(body: e["body"] ?? "", author: author),
                createdAt: ProviderTime.timestamp(e["created_on"]))
        }
    }

    public func createComment(task: RemoteRef, _ fields: CommentFields) async throws -> RemoteComment {
        let e = try await command("\(taskPath(task))/comments/add", form: [("comment[body]", fields.body)], what: "created comment")
        guard let id = ACWire.number(e, "id") else { throw ProviderError.malformed("created comment: no id") }
        return RemoteComment(
            id: id, taskID: task.key, fields: CommentFields(body: e["body"] ?? fields.body, author: nil), createdAt: ProviderTime.timestamp(e["created_on"]))
    }
}
