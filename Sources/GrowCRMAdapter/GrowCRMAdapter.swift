import AdapterSupport

/// Grow CRM tasks (`/api/tasks`), scoped to one project.
///
/// From the document (growcrm-tasks.txt) and NOTES.md:
/// - `Authorization: Bearer <key>`; base URL `https://<your-domain>/api`
///   (no default: `base_url` is required). Answers are `{data, meta,
///   message}`; errors `{"message", "errors": {"field": [...]}}`, whose
///   field messages reach the error text.
/// - Writes send form fields, as the document's examples do.
/// - Listing: `project_id`, `limit` (at most 100) and `page`, sorted by
///   creation ascending so pages do not shift while new tasks arrive. No
///   changed-since filter: every poll is a full listing.
/// - An update (PATCH) is a full update: each field not sent would be
///   cleared. So every PATCH first reads the task and sends back every
///   editable field as it was (title, description, status, priority,
///   milestone, start and due dates, client visibility, billable), with the
///   changed ones replaced.
/// - Status changes through `PUT /status`, tags through `PUT /tags` (the
///   whole set, once per change); assignees are never touched. A PATCH is
///   sent only when a field it carries changed.
/// - Archive is `PUT /archive`, delete is `DELETE`. An archived task
///   (`active_state`) is gone for tasksync, as HelpSpace's archived tasks
///   are: the listing asks for `active_state=active`.
/// - Priorities are `taskpriority_id`s named in the config (``GrowCRMPriorities``).
/// - No subtasks (checklists are another API), so not ``SubtaskSyncing``.
///   No `done`: completion is a status.
/// - Dates are date-only, and stay so.
/// Assumed where the document is silent:
/// - The yes/no flags are written `on` when yes, and left out when no (a
///   form checkbox), as "task_billable: on to mark billable" reads.
/// - An empty tag set is sent as `tags[]=` (a form cannot send an empty array).
/// - `meta` names its pages as Laravel does (`current_page`, `last_page`);
///   without them a page with fewer than `limit` tasks is the last.
/// - `dates.updated` is read as ISO 8601 or `Y-m-d H:i:s` in UTC; a date
///   alone (the fake's default reading of "Dates are date-only") says no
///   time, and a task without one merges as the oldest side.
/// - The comment object is not shown; see ``GCComment``. New comments are
///   not said to touch their task: they are found by the engine's rule.
/// - Tags are written with a `PUT /tags` after the create; if that PUT
///   fails, the task exists without them, and the engine journals them as
///   not kept until they next change.
public struct GrowCRMProvider: TaskWriting, TaskDeleting, TaskArchiving, CommentReading, CommentWriting {
    public struct Settings: Sendable {
        public var baseURL: String
        public var token: String
        public var projectID: String
        public var newTaskStatusID: String
        public var priorities: GrowCRMPriorities
        public var pageSize: Int
        /// Listing pages in flight at once (`concurrency`).
        public var concurrency: Int

        public init(
            baseURL: String, token: String, projectID: String, newTaskStatusID: String, priorities: GrowCRMPriorities, pageSize: Int = 100,
            concurrency: Int = 1
        ) {
            self.concurrency = max(1, concurrency)
            self.baseURL = baseURL
            self.token = token
            self.projectID = projectID
            self.newTaskStatusID = newTaskStatusID
            self.priorities = priorities
            self.pageSize = min(max(pageSize, 1), 100)
        }
    }

    public let name: String
    public var kind: String { "growcrm" }
    let settings: Settings
    let client: APIClient

    public init(name: String, settings: Settings, transport: any HTTPTransport) {
        self.name = name
        self.settings = settings
        self.client = APIClient(
            baseURL: settings.baseURL, auth: .headers([("Authorization", "Bearer \(settings.token)")]),
            headers: [("Accept", "application/json")], transport: transport)
    }

    public var fields: FieldSupport {
        let all: Set<Field> = [.title, .description, .status, .priority, .dueDate, .tags]
        // A task always has a status and a priority: neither can be emptied.
        return FieldSupport(readable: all, writable: all, unclearable: [.status, .priority])
    }

    public func listTasks(changedSince: Timestamp?) async throws -> TaskListing {
        let (limit, client, projectID) = (settings.pageSize, client, settings.projectID)
        let pages = try await fetchNumberedPagesConcurrently(concurrency: settings.concurrency, pageSize: limit) { page in
            let response = try await client.call(
                "GET", "/tasks",
                query: [
                    ("project_id", projectID), ("active_state", "active"), ("sort", "task_created"), ("order", "asc"),
                    ("limit", String(limit)), ("page", String(page)),
                ])
            let decoded = try response.decode(GCEnvelope<[Lenient<GCTask>]>.self, what: "task list page \(page)")
            return NumberedPage(items: decoded.data, currentPage: decoded.meta?.current, lastPage: decoded.meta?.last)
        }
        var tasks: [RemoteTask] = []
        var problems: [String] = []
        let (items, failures) = pages.partitioned()
        problems += failures.map { "task list: \($0)" }
        for item in items where !item.isArchived {
            do { tasks.append(try item.remote(priorities: settings.priorities)) } catch { problems.append("\(error)") }
        }
        var listing = TaskListing(tasks: tasks, isComplete: problems.isEmpty, requestCount: pages.requestCount)
        listing.problems = problems
        return listing
    }

    public func readTask(_ ref: RemoteRef) async throws -> DirectRead {
        try await readOrGone {
            let task = try await read(ref.id)
            if task.isArchived { return .gone(reason: "archived") }
            return .present(try task.remote(priorities: settings.priorities))
        }
    }

    func read(_ id: String) async throws -> GCTask {
        try await client.call("GET", "/tasks/\(id)").decode(GCEnvelope<GCTask>.self, what: "task \(id)").data
    }

    public func createTask(_ fields: TaskFields) async throws -> RemoteTask {
        var form: [(String, String)] = [
            ("task_projectid", settings.projectID), ("task_title", fields.title),
            ("task_status", fields.status ?? settings.newTaskStatusID),
            ("task_priority", settings.priorities.id(of: fields.priority ?? .medium)),
        ]
        if !fields.description.isEmpty { form.append(("task_description", fields.description)) }
        if let due = fields.dueDate { form.append(("task_date_due", due.description)) }
        let response = try await client.call("POST", "/tasks", body: .form(form))
        var task = try response.decode(GCEnvelope<GCTask>.self, what: "created task").data
        if !fields.tags.isEmpty, let tagged = try? await putTags(task.id.value, fields.tags) { task = tagged }
        return try task.remote(priorities: settings.priorities)
    }

    public func updateTask(_ ref: RemoteRef, _ update: TaskUpdate) async throws -> RemoteTask {
        let id = ref.id
        var latest: GCTask?
        let patched: Set<Field> = [.title, .description, .priority, .dueDate]
        if !update.fields.isDisjoint(with: patched) {
            let current = try await read(id)
            latest = try await client.call("PATCH", "/tasks/\(id)", body: .form(fullUpdate(current, update)), retryable: true)
                .decode(GCEnvelope<GCTask>.self, what: "updated task \(id)").data
        }
        if update.fields.contains(.status), let status = update.values.status {
            latest = try await client.call("PUT", "/tasks/\(id)/status", body: .form([("status", status)]))
                .decode(GCEnvelope<GCTask>.self, what: "task \(id) status").data
        }
        if update.fields.contains(.tags) { latest = try await putTags(id, update.values.tags) }
        if let latest { return try latest.remote(priorities: settings.priorities) }
        return try await read(id).remote(priorities: settings.priorities)
    }

    /// Every editable field as the task has it, with the update's values in place.
    func fullUpdate(_ current: GCTask, _ update: TaskUpdate) -> [(String, String)] {
        let v = update.values
        func changed(_ f: Field) -> Bool { update.fields.contains(f) }
        var form: [(String, String)] = [
            ("task_title", changed(.title) ? v.title : current.title),
            ("task_status", current.status?.id.value ?? settings.newTaskStatusID),
            (
                "task_priority",
                changed(.priority) ? settings.priorities.id(of: v.priority ?? .medium) : current.priority?.id.value ?? settings.priorities.id(of: .medium)
            ),
        ]
        if let milestone = current.milestone?.id.value { form.append(("task_milestoneid", milestone)) }
        if let start = current.dates?.start, !start.isEmpty { form.append(("task_date_start", start)) }
        let due = changed(.dueDate) ? v.dueDate?.description : current.dates?.due
        if let due, !due.isEmpty { form.append(("task_date_due", due)) }
        let description = changed(.description) ? v.description : current.description ?? ""
        if !description.isEmpty { form.append(("task_description", description)) }
        if current.client_visibility == "yes" { form.append(("task_client_visibility", "on")) }
        if current.billable == "yes" { form.append(("task_billable", "on")) }
        return form
    }

    func putTags(_ id: String, _ tags: [String]) async throws -> GCTask {
        // An empty set as one empty item, the form of PHP's empty array.
        let form = tags.isEmpty ? [("tags[]", "")] : tags.map { ("tags[]", $0) }
        return try await client.call("PUT", "/tasks/\(id)/tags", body: .form(form)).decode(GCEnvelope<GCTask>.self, what: "task \(id) tags").data
    }

    public func deleteTask(_ ref: RemoteRef) async throws {
        _ = try await client.call("DELETE", "/tasks/\(ref.id)")
    }

    public func archiveTask(_ ref: RemoteRef) async throws {
        // "No body": an empty form, so the PUT carries a Content-Length of 0.
        _ = try await client.call("PUT", "/tasks/\(ref.id)/archive", body: .form([]))
    }

    public func listComments(task: RemoteRef) async throws -> [RemoteComment] {
        let pages = try await fetchNumberedPages { page in
            let response = try await client.call("GET", "/tasks/\(task.id)/comments", query: [("page", String(page))])
            let decoded = try response.decode(GCEnvelope<[Lenient<GCComment>]>.self, what: "comments of task \(task.id)")
            return NumberedPage(items: decoded.data, currentPage: decoded.meta?.current, lastPage: decoded.meta?.last ?? 1)
        }
        return pages.partitioned().values.map { c in
            RemoteComment(
                id: c.id.value, taskID: task.key, fields: CommentFields(body: c.text, author: c.author),
                createdAt: ProviderTime.timestamp(c.createdAt))
        }
    }

    public func createComment(task: RemoteRef, _ fields: CommentFields) async throws -> RemoteComment {
        let response = try await client.call("POST", "/tasks/\(task.id)/comments", body: .form([("comment", fields.body)]))
        let c = try response.decode(GCEnvelope<GCComment>.self, what: "created comment").data
        return RemoteComment(
            id: c.id.value, taskID: task.key, fields: CommentFields(body: c.text, author: c.author), createdAt: ProviderTime.timestamp(c.createdAt))
    }
}
