import AdapterSupport

/// HelpSpace tasks (`/api/v1/scrum/tasks`), scoped to one board.
///
/// Assumptions where the document is silent (see provider-docs/NOTES.md):
/// - Auth: `Authorization: Bearer` plus `Hs-Client-Id` on every request.
/// - Listing passes `archived=without` and the board filter explicitly;
///   an archived or soft-deleted task counts as gone once read directly.
/// - There is no changed-since filter: every poll is a full listing
///   (`per-page=50`, every page to `meta.last_page`).
/// - Comments are read from `/api/v1/scrum/tasks/{id}/comments` (the path the
///   example links use) and never written: writing is not documented.
/// - Subtasks are written through the task's PATCH, `sub_tasks: [{id?, title,
///   done_at}]`. The document does not say whether subtasks left out of the
///   list are kept or removed, so every such PATCH sends the whole list (read
///   just before), which is right either way. Such a read and its PATCH go
///   one task at a time (``subtaskWrites``): two at once under one task
///   would send the same stale list, and on a server that takes it as the
///   new whole the second would remove the first's subtask (or undo its
///   change). `done_at` on a subtask is assumed writable like the task's own.
/// - `priority` takes one of five values; clearing it is not documented, so
///   an empty priority is never written (``Capabilities/unclearableFields``).
/// - A due date is written date-only (`2025-09-15`), so no time zone can move it.
/// - No document says a new comment touches its task: comments are found by
///   the engine's rule (changed tasks at once, the rest in rotating batches).
public struct HelpSpaceProvider: TaskWriting, TaskDeleting, TaskArchiving, SubtaskSyncing, CommentReading {
    public struct Settings: Sendable {
        public var baseURL: String
        public var token: String
        public var clientID: String
        public var boardID: Int64
        public var pageSize: Int
        /// Listing pages in flight at once (`concurrency`).
        public var concurrency: Int

        public init(
            baseURL: String = "https://api.helpspace.com", token: String, clientID: String, boardID: Int64, pageSize: Int = 50,
            concurrency: Int = 1
        ) {
            self.concurrency = max(1, concurrency)
            self.baseURL = baseURL
            self.token = token
            self.clientID = clientID
            self.boardID = boardID
            self.pageSize = min(max(pageSize, 1), 50)
        }
    }

    public let name: String
    public var kind: String { "helpspace" }
    let settings: Settings
    let client: APIClient
    /// The pages of the last full listing, by the digest of their bytes.
    let pages = PageMemo<ListedPage>()
    /// Subtask writes, one at a time per parent task: each reads the task's
    /// subtasks and sends them all back.
    let subtaskWrites = SerialByKey()

    public init(name: String, settings: Settings, transport: any HTTPTransport) {
        self.name = name
        self.settings = settings
        self.client = APIClient(
            baseURL: settings.baseURL,
            headers: [
                ("Authorization", "Bearer \(settings.token)"), ("Hs-Client-Id", settings.clientID),
                ("Accept", "application/json"), ("Content-Type", "application/json; charset=utf-8"),
            ], transport: transport)
    }

    public var fields: FieldSupport {
        let all: Set<Field> = [.title, .description, .status, .done, .priority, .dueDate, .tags]
        return FieldSupport(readable: all, writable: all, unclearable: [.priority])
    }

    public func listTasks(changedSince: Timestamp?) async throws -> TaskListing {
        try await listTasks(changedSince: changedSince, sieve: .keepingAll())
    }

    /// Every page (there is no changed-since filter), each page's tasks
    /// through `sieve` (the memo keeps them all).
    public func listTasks(changedSince: Timestamp?, sieve: ListingSieve) async throws -> TaskListing {
        let (client, pages, settings) = (client, pages, settings)
        let read = try await fetchNumberedPagesConcurrently(concurrency: settings.concurrency) { page in
            let response = try await client.call(
                "GET", "/api/v1/scrum/tasks",
                query: [
                    ("boards[]", String(settings.boardID)), ("archived", "without"),
                    ("per-page", String(settings.pageSize)), ("page", String(page)),
                ])
            var listed = try pages.read(page: page, body: response.body) { body in
                let decoded: HSListPage
                do {
                    decoded = try HSListPage(body)
                } catch {
                    throw ProviderError.malformed("task list page \(page): \(error)")
                }
                var result = ListedPage(currentPage: decoded.currentPage, lastPage: decoded.lastPage, itemCount: decoded.tasks.count)
                for item in decoded.tasks {
                    do {
                        let raw = try item.get()
                        if !raw.isGone { result.tasks.append(try raw.remote()) }
                    } catch {
                        result.problems.append("task list page \(page): \(error)")
                    }
                }
                return result
            }
            listed.tasks = sieve.sift(listed.tasks)
            // A page with no items ends the listing whatever it says of the last page.
            return NumberedPage(items: listed.itemCount == 0 ? [] : [listed], currentPage: listed.currentPage, lastPage: listed.lastPage)
        }
        let problems = read.items.flatMap(\.problems)
        var listing = TaskListing(pages: read.items.map(\.tasks), isComplete: problems.isEmpty, requestCount: read.requestCount)
        listing.problems = problems
        return listing
    }

    public func readTask(_ ref: RemoteRef) async throws -> DirectRead {
        try await readOrGone {
            let response = try await client.call("GET", "/api/v1/scrum/tasks/\(ref.id)")
            let task = try response.decode(HSOne<HSTask>.self, what: "task \(ref.id)").data
            if task.deleted_at != nil { return .gone(reason: "deleted_at is set") }
            if task.is_archived == true { return .gone(reason: "archived") }
            return .present(try task.remote())
        }
    }

    public func createTask(_ fields: TaskFields) async throws -> RemoteTask {
        var body = Self.body(for: fields, only: Set(Field.allCases))
        body["board_id"] = .number(settings.boardID)
        let response = try await client.call("POST", "/api/v1/scrum/tasks", body: jsonBody(JSON.object(body)))
        return try response.decode(HSOne<HSTask>.self, what: "created task").data.remote()
    }

    public func updateTask(_ ref: RemoteRef, _ update: TaskUpdate) async throws -> RemoteTask {
        let body = Self.body(for: update.values, only: update.fields)
        return try await patch(ref.id, body)
    }

    public func deleteTask(_ ref: RemoteRef) async throws {
        _ = try await client.call("DELETE", "/api/v1/scrum/tasks/\(ref.id)")
    }

    public func archiveTask(_ ref: RemoteRef) async throws {
        _ = try await patch(ref.id, ["is_archived": .bool(true)])
    }

    public func createSubtask(parent: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
        let parentID = parent.id
        return try await subtaskWrites.run(parentID) {
            let before = try await siblings(parentID)
            let task = try await patch(
                parentID,
                ["sub_tasks": .array(before.map { Self.subtaskBody(id: $0.id, title: $0.fields.title) } + [Self.subtaskBody(id: nil, fields)])],
                creates: true)
            // The answer lists every subtask; the new one is the one that was not there before.
            let known = Set(before.map(\.id))
            guard let created = (task.subtasks ?? []).filter({ !known.contains($0.id) && $0.fields.title == fields.title }).last else {
                throw ProviderError.malformed("task \(parentID): the answer does not hold the new subtask")
            }
            return created
        }
    }

    public func updateSubtask(parent: RemoteRef, _ ref: RemoteRef, _ fields: SubtaskFields) async throws -> RemoteSubtask {
        let (parentID, id) = (parent.id, ref.id)
        return try await subtaskWrites.run(parentID) {
            let before = try await siblings(parentID)
            let list = before.map { $0.id == id ? Self.subtaskBody(id: id, fields) : Self.subtaskBody(id: $0.id, title: $0.fields.title) }
            let task = try await patch(parentID, ["sub_tasks": .array(list)])
            guard let updated = task.subtasks?.first(where: { $0.id == id }) else {
                throw ProviderError.malformed("task \(parentID): the answer does not hold subtask \(id)")
            }
            return updated
        }
    }

    /// The subtasks a task holds now, to send back with a change.
    func siblings(_ parentID: String) async throws -> [RemoteSubtask] {
        switch try await readTask(RemoteRef(parentID)) {
        case .present(let task): return task.subtasks ?? []
        case .gone(let reason): throw ProviderError.rejected(status: 404, message: "task \(parentID) is gone (\(reason))")
        }
    }

    public func listComments(task: RemoteRef) async throws -> [RemoteComment] {
        let taskID = task.id
        let pages = try await fetchNumberedPages { page in
            let response = try await client.call("GET", "/api/v1/scrum/tasks/\(taskID)/comments", query: [("page", String(page))])
            let decoded = try response.decode(HSPage<HSComment>.self, what: "comments of task \(taskID)")
            return NumberedPage(items: decoded.data, currentPage: decoded.meta?.current_page, lastPage: decoded.meta?.last_page ?? 1)
        }
        return pages.partitioned().values.map { c in
            RemoteComment(
                id: String(c.id), taskID: taskID, fields: CommentFields(body: c.text ?? "", author: c.commentator?.name),
                createdAt: c.created_at.flatMap(Timestamp.init(parsing:)))
        }
    }

    // MARK: request bodies

    /// `creates`: the PATCH adds a subtask, so it is sent once and never
    /// again by the transport (rule 15); other PATCHes set values and may be.
    func patch(_ id: String, _ body: [String: JSON], creates: Bool = false) async throws -> RemoteTask {
        // PATCH answers 201 on the real API (NOTES.md), 200 in the excerpt: both are 2xx.
        let response = try await client.call("PATCH", "/api/v1/scrum/tasks/\(id)", body: jsonBody(JSON.object(body)), retryable: !creates)
        return try response.decode(HSOne<HSTask>.self, what: "updated task \(id)").data.remote()
    }

    static func body(for f: TaskFields, only fields: Set<Field>) -> [String: JSON] {
        var body: [String: JSON] = [:]
        for field in fields {
            switch field {
            case .title: body["title"] = .string(f.title)
            case .description: body["description"] = .string(f.description)
            case .status: if let s = f.status, let id = Int64(s) { body["status_id"] = .number(id) }
            case .done: body["done_at"] = f.done ? .string(Timestamp.now.iso8601(fractional: false)) : .null
            case .priority: if let p = f.priority { body["priority"] = .string(HelpSpaceValues.wire(p)) }
            case .dueDate: body["due_at"] = f.dueDate.map { .string($0.description) } ?? .null
            case .tags: body["tags"] = .array(f.tags.map(JSON.string))
            }
        }
        return body
    }

    /// One entry of `sub_tasks`, with the values to set.
    static func subtaskBody(id: String?, _ fields: SubtaskFields) -> JSON {
        var o: [String: JSON] = [
            "title": .string(fields.title),
            "done_at": fields.done ? .string(Timestamp.now.iso8601(fractional: false)) : .null,
        ]
        if let id, let n = Int64(id) { o["id"] = .number(n) }
        return .object(o)
    }

    /// An existing subtask sent back as it is: its id and title, its done_at untouched.
    static func subtaskBody(id: String, title: String) -> JSON {
        var o: [String: JSON] = ["title": .string(title)]
        if let n = Int64(id) { o["id"] = .number(n) }
        return .object(o)
    }
}
