import AdapterSupport

/// Productive tasks (`/api/v2/tasks`, JSON:API), scoped to one project and task list.
///
/// From the document and NOTES.md:
/// - Headers `X-Auth-Token`, `X-Organization-Id`, and the JSON:API content
///   type on every request (anything else is answered 415).
/// - Ids are strings (a number is accepted too); timestamps carry
///   milliseconds and a daylight-saving offset, parsed to UTC.
/// - Subtasks are tasks with a `parent_task` relationship in the same list.
/// - The idle poll is one request: `filter[updated_at][gt_eq]` with
///   `X-Feature-Flags: filteringSkipDatetimeCastToDate` (without it the value
///   is cut to a date), the value in UTC with `+` sent as `%2B`.
/// - No priority field. DELETE archives the task on Productive's side, so
///   tasksync offers delete, not archive.
/// - Relationships carry their value only when the request names them in
///   `include=` (JSON:API); otherwise `{"meta":{"included":false}}`, which
///   says nothing. Every request that answers a task asks for
///   `include=workflow_status,parent_task`; an answer that still leaves the
///   status out has it unknown, and the engine reads the task back.
/// - `closed` is not among the writable attributes: closing follows the
///   workflow status. So a task's `done` is read, never written (its status
///   carries it), and a subtask is closed or reopened through its workflow
///   status only when the config names `closed_status_id` and
///   `open_status_id`; otherwise subtask completion is not written here.
/// Assumed where silent: `include=` is honoured on POST and PATCH answers
/// (if not, the read-back covers it).
public struct ProductiveProvider: TaskWriting, TaskDeleting, SubtaskSyncing, CommentReading, CommentWriting, IncrementalListing {
    public struct Settings: Sendable {
        public var baseURL: String
        public var token: String
        public var organizationID: String
        public var projectID: String
        public var taskListID: String
        public var pageSize: Int
        /// A workflow status in the Closed category, for closing a subtask.
        public var closedStatusID: String?
        /// A workflow status that is not closed, for reopening a subtask.
        public var openStatusID: String?
        /// Listing pages in flight at once (`concurrency`).
        public var concurrency: Int = 1

        public init(
            baseURL: String = "https://api.productive.io/api/v2", token: String, organizationID: String,
            projectID: String, taskListID: String, pageSize: Int = 200, closedStatusID: String? = nil, openStatusID: String? = nil,
            concurrency: Int = 1
        ) {
            self.concurrency = max(1, concurrency)
            self.closedStatusID = closedStatusID
            self.openStatusID = openStatusID
            self.baseURL = baseURL
            self.token = token
            self.organizationID = organizationID
            self.projectID = projectID
            self.taskListID = taskListID
            self.pageSize = min(max(pageSize, 1), 200)
        }
    }

    public let name: String
    public var kind: String { "productive" }
    let settings: Settings
    let client: APIClient

    public init(name: String, settings: Settings, transport: any HTTPTransport) {
        self.name = name
        self.settings = settings
        self.client = APIClient(
            baseURL: settings.baseURL,
            headers: [
                ("X-Auth-Token", settings.token), ("X-Organization-Id", settings.organizationID),
                ("Content-Type", "application/vnd.api+json"), ("Accept", "application/vnd.api+json"),
            ], transport: transport)
    }

    public var fields: FieldSupport {
        FieldSupport(readable: [.title, .description, .status, .done, .dueDate, .tags], writable: [.title, .description, .status, .dueDate, .tags])
    }

    public var subtaskWritableFields: Set<SubtaskField> {
        settings.closedStatusID != nil && settings.openStatusID != nil ? [.title, .done] : [.title]
    }

    public func listTasks(changedSince: Timestamp?) async throws -> TaskListing {
        try await listTasks(changedSince: changedSince, sieve: .keepingAll())
    }

    /// Each page's tasks through `sieve` as soon as it is parsed.
    public func listTasks(changedSince: Timestamp?, sieve: ListingSieve) async throws -> TaskListing {
        var query: [(String, String)] = [
            ("filter[project_id]", settings.projectID), ("filter[task_list_id]", settings.taskListID),
            ("include", "workflow_status,parent_task"), ("page[size]", String(settings.pageSize)),
        ]
        var extra: [(String, String)] = []
        if let changedSince {
            query.append(("filter[updated_at][gt_eq]", changedSince.iso8601(fractional: false).replacing("Z", with: "+00:00")))
            extra.append(("X-Feature-Flags", "filteringSkipDatetimeCastToDate"))
        }
        let (client, base, headers) = (client, query, extra)
        // Pages `concurrency` at a time once the first has said how many there are.
        let read = try await fetchNumberedPagesConcurrently(concurrency: settings.concurrency) { page in
            let response = try await client.call("GET", "/tasks", query: base + [("page[number]", String(page))], extraHeaders: headers)
            let decoded = try response.decode(PRList<PRTaskAttributes>.self, what: "task list page \(page)")
            var listed = PRListedPage()
            for entry in decoded.data {
                switch entry.value {
                case .success(let resource) where resource.isGone: break
                case .success(let resource):
                    do {
                        switch try resource.item() {
                        case .task(let t): listed.tasks.append(t)
                        case .subtask(let s): listed.subtasks.append(s)
                        }
                    } catch { listed.problems.append("\(error)") }
                case .failure(let error): listed.problems.append("\(error)")
                }
            }
            listed.tasks = sieve.sift(listed.tasks)
            // A page with no entries at all ends the listing.
            return NumberedPage(
                items: decoded.data.isEmpty ? [] : [listed], currentPage: decoded.meta?.current_page, lastPage: decoded.meta?.total_pages ?? 1)
        }
        let problems = read.items.flatMap(\.problems)
        let requests = read.requestCount
        var listing = TaskListing(
            pages: read.items.map(\.tasks), subtasks: read.items.flatMap(\.subtasks), isComplete: changedSince == nil && problems.isEmpty,
            requestCount: requests)
        listing.problems = problems
        return listing
    }

    public func readTask(_ ref: RemoteRef) async throws -> DirectRead {
        try await readOrGone {
            let response = try await client.call("GET", "/tasks/\(ref.id)", query: Self.include)
            let resource = try response.decode(PROne<PRTaskAttributes>.self, what: "task \(ref.id)").data
            if resource.isGone { return .gone(reason: "deleted_at is set") }
            guard case .task(let task) = try resource.item() else { return .gone(reason: "it is now a subtask") }
            return .present(task)
        }
    }

    public func createTask(_ fields: TaskFields) async throws -> RemoteTask {
        let body = document(attributes: Self.attributes(fields, only: Set(Field.allCases)), relationships: relationships(status: fields.status))
        let response = try await client.call("POST", "/tasks", query: Self.include, body: body)
        return try response.decode(PROne<PRTaskAttributes>.self, what: "created task").data.task()
    }

    /// What every request that answers a task asks to be told.
    static let include = [("include", "workflow_status,parent_task")]

    public func updateTask(_ ref: RemoteRef, _ update: TaskUpdate) async throws -> RemoteTask {
        let id = ref.id
        var relationships: [String: JSON] = [:]
        if update.fields.contains(.status), let status = update.values.status {
            relationships["workflow_status"] = Self.ref("workflow_statuses", status)
        }
        let body = document(attributes: Self.attributes(update.values, only: update.fields), relationships: relationships)
        let response = try await client.call("PATCH", "/tasks/\(id)", query: Self.include, body: body, retryable: true)
        return try response.decode(PROne<PRTaskAttributes>.self, what: "updated task \(id)").data.task()
    }

    public func deleteTask(_ ref: RemoteRef) async throws {
        _ = try await client.call("DELETE", "/tasks/\(ref.id)")
    }

    public func createSubtask(parent: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
        let parentID = parent.id
        var rel = relationships(status: fields.done ? settings.closedStatusID : nil)
        rel["parent_task"] = Self.ref("tasks", parentID)
        let body = document(attributes: ["title": .string(fields.title)], relationships: rel)
        let response = try await client.call("POST", "/tasks", query: Self.include, body: body)
        return try response.decode(PROne<PRTaskAttributes>.self, what: "created subtask").data.subtask(parent: parentID)
    }

    public func updateSubtask(parent: RemoteRef, _ ref: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
        let (parentID, id) = (parent.id, ref.id)
        var rel: [String: JSON] = [:]
        if let status = fields.done ? settings.closedStatusID : settings.openStatusID {
            rel["workflow_status"] = Self.ref("workflow_statuses", status)
        }
        let body = document(attributes: ["title": .string(fields.title)], relationships: rel)
        let response = try await client.call("PATCH", "/tasks/\(id)", query: Self.include, body: body, retryable: true)
        return try response.decode(PROne<PRTaskAttributes>.self, what: "updated subtask \(id)").data.subtask(parent: parentID)
    }

    public func listComments(task: RemoteRef) async throws -> [RemoteComment] {
        let taskID = task.id
        let pages = try await fetchNumberedPages { page in
            let response = try await client.call(
                "GET", "/comments", query: [("filter[task_id]", taskID), ("page[number]", String(page)), ("page[size]", "200")])
            let decoded = try response.decode(PRList<PRCommentAttributes>.self, what: "comments of task \(taskID)")
            return NumberedPage(items: decoded.data, currentPage: decoded.meta?.current_page, lastPage: decoded.meta?.total_pages ?? 1)
        }
        return pages.partitioned().values.filter { $0.attributes.deleted_at == nil }.map { Self.comment($0, taskID: taskID) }
    }

    public func createComment(task: RemoteRef, _ fields: CommentFields) async throws -> RemoteComment {
        let taskID = task.id
        let body = document(
            type: "comments", attributes: ["body": .string(fields.body)], relationships: ["task": Self.ref("tasks", taskID)])
        let response = try await client.call("POST", "/comments", body: body)
        return Self.comment(try response.decode(PROne<PRCommentAttributes>.self, what: "created comment").data, taskID: taskID)
    }

    // MARK: documents

    func relationships(status: String?) -> [String: JSON] {
        var rel: [String: JSON] = [
            "project": Self.ref("projects", settings.projectID), "task_list": Self.ref("task_lists", settings.taskListID),
        ]
        if let status { rel["workflow_status"] = Self.ref("workflow_statuses", status) }
        return rel
    }

    func document(type: String = "tasks", attributes: [String: JSON], relationships: [String: JSON]) -> [UInt8] {
        var data: [String: JSON] = ["type": .string(type), "attributes": .object(attributes)]
        if !relationships.isEmpty { data["relationships"] = .object(relationships) }
        return jsonBody(JSON.object(["data": .object(data)]))
    }

    static func ref(_ type: String, _ id: String) -> JSON {
        .object(["data": .object(["type": .string(type), "id": .string(id)])])
    }

    static func attributes(_ f: TaskFields, only fields: Set<Field>) -> [String: JSON] {
        var a: [String: JSON] = [:]
        for field in fields {
            switch field {
            case .title: a["title"] = .string(f.title)
            case .description: a["description"] = .string(f.description)
            case .dueDate: a["due_date"] = f.dueDate.map { .string($0.description) } ?? .null
            case .tags: a["tag_list"] = .array(f.tags.map(JSON.string))
            case .status, .priority, .done: break  // status is a relationship; no priority; closing follows the status
            }
        }
        return a
    }

    static func comment(_ c: PRResource<PRCommentAttributes>, taskID: String) -> RemoteComment {
        RemoteComment(
            id: c.id.value, taskID: taskID, fields: CommentFields(body: c.attributes.body ?? "", author: nil),
            createdAt: c.attributes.created_at.flatMap(Timestamp.init(parsing:)))
    }
}

extension ProductiveProvider {
    /// The config keys, their checks, and how the adapter is built from them.
    public static let descriptor = ProviderDescriptor(
        schema: ProviderSchema(
            kind: "productive", displayName: "Productive", defaultBaseURL: "https://api.productive.io/api/v2",
            settings: [
                SettingSpec("organization_id", required: true, .id(.digits), help: "the X-Organization-Id header value"),
                SettingSpec("project_id", required: true, .id(.digits), help: "the project whose tasks are synced"),
                SettingSpec("task_list_id", required: true, .id(.digits), help: "the task list new tasks go to, and the scope"),
                SettingSpec("page_size", required: false, .integer(1...200), help: "tasks per listing page (default 200)"),
                SettingSpec(
                    "closed_status_id", required: false, .id(.digits), help: "a workflow status in the Closed category, to close a subtask"),
                SettingSpec("open_status_id", required: false, .id(.digits), help: "a workflow status that is not closed, to reopen a subtask"),
            ],
            // 100 requests per 10 s per token, 4,000 per 30 min per organisation.
            defaultRateLimit: "100/10s, 4000/30m", statusID: .digits),
        make: { setup in
            ProductiveProvider(
                name: setup.name,
                settings: .init(
                    baseURL: setup.baseURL, token: setup.token, organizationID: try setup.required("organization_id"),
                    projectID: try setup.required("project_id"), taskListID: try setup.required("task_list_id"),
                    pageSize: setup.int("page_size", default: 200), closedStatusID: setup.settings["closed_status_id"],
                    openStatusID: setup.settings["open_status_id"], concurrency: setup.concurrency),
                transport: setup.transport)
        })
}
