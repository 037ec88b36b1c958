import Foundation

/// A local HelpSpace that follows provider-docs/helpspace-tasks.txt and
/// NOTES.md: Bearer token and `Hs-Client-Id` required, Laravel pagination
/// with `per-page` (1-50), PATCH answering 201, DELETE 200 with a JSON body,
/// statuses that belong to a board (422 otherwise), `archived` filter.
public actor FakeHelpSpace {
    public struct Subtask: Sendable {
        public var id: Int64
        public var title: String
        public var doneAt: Date?
        public var createdAt: Date
        public var updatedAt: Date
    }

    public struct Comment: Sendable {
        public var id: Int64
        public var text: String
        public var author: String
        public var createdAt: Date
    }

    public struct Task: Sendable {
        public var id: Int64
        public var title: String
        public var description: String?
        public var priority: String?
        public var statusID: Int64
        public var boardID: Int64
        public var tags: [String]
        public var subtasks: [Subtask]
        public var isArchived: Bool
        public var dueAt: String?
        public var doneAt: Date?
        public var createdAt: Date
        public var updatedAt: Date
        public var deletedAt: Date?
        public var comments: [Comment]
    }

    public nonisolated let token: String
    public nonisolated let clientID: String
    /// status id -> (board id, name)
    public private(set) var statuses: [Int64: (board: Int64, name: String)]
    public private(set) var tasks: [Int64: Task] = [:]
    public private(set) var ledger = RequestLedger()
    let clock: FakeClock
    var nextID: Int64 = 500
    var server: FakeHTTPServer?

    public init(
        token: String = "hs-token", clientID: String = "hs-client",
        statuses: [Int64: (board: Int64, name: String)] = [1: (1, "To do"), 2: (1, "Doing"), 3: (1, "Done")],
        clock: FakeClock = FakeClock()
    ) {
        self.token = token
        self.clientID = clientID
        self.statuses = statuses
        self.clock = clock
    }

    /// Starts serving on 127.0.0.1; returns the base URL.
    public func start() async throws -> String {
        let server = try await FakeHTTPServer { [self] request in
            let delay = await self.latency
            if delay > 0 { try? await _Concurrency.Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
            return await self.handle(request)
        }
        self.server = server
        return "http://127.0.0.1:\(await server.port)"
    }

    public func stop() async { await server?.stop() }

    public func inject(_ fault: Fault, times: Int = 1, method: String? = nil) {
        ledger.faults.append((fault, times, method))
    }

    public func resetLedger() { ledger = RequestLedger() }

    /// Seconds every answer waits before it is served: a slow provider.
    public private(set) var latency: Double = 0
    public func setLatency(_ seconds: Double) { latency = seconds }

    // MARK: what a person does in HelpSpace's own UI

    @discardableResult
    public func seed(
        title: String, description: String? = nil, statusID: Int64 = 1, boardID: Int64 = 1, tags: [String] = [],
        priority: String? = nil, subtasks: [String] = [], dueAt: String? = nil
    ) -> Int64 {
        let now = clock.tick()
        let id = newID()
        let subs = subtasks.map { Subtask(id: newID(), title: $0, doneAt: nil, createdAt: now, updatedAt: now) }
        tasks[id] = Task(
            id: id, title: title, description: description, priority: priority, statusID: statusID, boardID: boardID,
            tags: tags, subtasks: subs, isArchived: false, dueAt: dueAt, doneAt: nil, createdAt: now, updatedAt: now,
            deletedAt: nil, comments: [])
        return id
    }

    /// Edits a task as a user would; `updated_at` moves, unless
    /// `keepingTimestamp` (an edit within the same second as the last one:
    /// HelpSpace's timestamps have whole seconds).
    public func edit(_ id: Int64, keepingTimestamp: Bool = false, _ change: @Sendable (inout Task) -> Void) {
        guard var task = tasks[id] else { return }
        change(&task)
        if !keepingTimestamp { task.updatedAt = clock.tick() }
        tasks[id] = task
    }

    /// Adds a comment; it touches its task's `updated_at`, unless
    /// `keepingTimestamp` (a comment in the same second as the last change).
    public func addComment(_ taskID: Int64, text: String, author: String, keepingTimestamp: Bool = false) {
        let now = clock.tick()
        let id = newID()
        tasks[taskID]?.comments.append(Comment(id: id, text: text, author: author, createdAt: now))
        if !keepingTimestamp { tasks[taskID]?.updatedAt = now }
    }

    public func remove(_ id: Int64) { tasks[id] = nil }

    /// The visible state, for comparing before and after (a dry run changes nothing).
    public func stateDump() -> String {
        tasks.keys.sorted().map { id in
            let t = tasks[id]!
            return
                "\(id)|\(t.title)|\(t.description ?? "")|\(t.statusID)|\(t.tags)|\(t.subtasks.map { "\($0.id):\($0.title):\($0.doneAt != nil)" })|\(t.isArchived)|\(t.deletedAt != nil)|\(t.updatedAt.timeIntervalSince1970)|\(t.comments.count)"
        }.joined(separator: "\n")
    }

    public func liveTasks() -> [Task] {
        tasks.values.filter { $0.deletedAt == nil }.sorted { $0.id < $1.id }
    }

    func newID() -> Int64 {
        nextID += 1
        return nextID
    }

    // MARK: the API

    func handle(_ request: FakeRequest) -> FakeResponse {
        ledger.record(request)
        if let fault = ledger.nextFault(for: request.method) {
            switch fault {
            case .status(let code): return .json(code, ["message": "Server Error"])
            case .rateLimited(let seconds):
                var r = FakeResponse.json(429, ["message": "Too Many Attempts."])
                r.headers["Retry-After"] = String(seconds)
                return r
            case .malformedBody: return FakeResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data("{\"data\": [{\"id\": ".utf8))
            }
        }
        guard request.headers["authorization"] == "Bearer \(token)" else {
            return .json(401, ["message": "Unauthenticated."])
        }
        guard request.headers["hs-client-id"] == clientID else {
            return .json(401, ["message": "Unauthenticated. Hs-Client-Id is missing or wrong."])
        }
        let parts = request.path.split(separator: "/").map(String.init)
        // api v1 scrum tasks {id} comments
        guard parts.count >= 4, parts[0] == "api", parts[1] == "v1", parts[2] == "scrum", parts[3] == "tasks" || parts[3] == "task" else {
            return .json(404, ["message": "Not Found"])
        }
        if ["POST", "PATCH"].contains(request.method), request.json == nil {
            return .json(422, ["message": "The given data was invalid.", "errors": ["body": ["must be JSON"]]])
        }
        switch (request.method, parts.count) {
        case ("GET", 4): return list(request)
        case ("POST", 4): return create(request.json!)
        case ("GET", 5): return read(parts[4])
        case ("PATCH", 5): return update(parts[4], request.json!)
        case ("DELETE", 5): return delete(parts[4])
        case ("GET", 6) where parts[5] == "comments": return comments(parts[4], request)
        default: return .json(405, ["message": "Method Not Allowed"])
        }
    }

    func list(_ request: FakeRequest) -> FakeResponse {
        let perPage = Int(request.value("per-page") ?? "15") ?? 15
        guard (1...50).contains(perPage) else {
            return .json(422, ["message": "The per-page must be between 1 and 50.", "errors": ["per-page": ["between 1 and 50"]]])
        }
        let page = max(1, Int(request.value("page") ?? "1") ?? 1)
        let boards = Set(request.values("boards[]").compactMap(Int64.init))
        let archived = request.value("archived") ?? "with"
        let matching = tasks.values.filter { t in
            t.deletedAt == nil && (boards.isEmpty || boards.contains(t.boardID))
                && (archived == "with" || (archived == "only") == t.isArchived)
        }.sorted { $0.id < $1.id }
        let lastPage = max(1, (matching.count + perPage - 1) / perPage)
        let slice = matching.dropFirst((page - 1) * perPage).prefix(perPage)
        return .json(
            200,
            [
                "data": slice.map(json),
                "links": ["first": "?page=1", "last": "?page=\(lastPage)", "prev": NSNull(), "next": page < lastPage ? "?page=\(page + 1)" : NSNull()],
                "meta": ["current_page": page, "last_page": lastPage, "per_page": perPage, "total": matching.count],
            ])
    }

    func read(_ idText: String) -> FakeResponse {
        guard let id = Int64(idText), let task = tasks[id] else { return .json(404, ["message": "Not Found"]) }
        return .json(200, ["data": json(task)])
    }

    func create(_ body: [String: Any]) -> FakeResponse {
        guard let title = body["title"] as? String, !title.isEmpty else {
            return .json(422, ["message": "The title field is required.", "errors": ["title": ["The title field is required."]]])
        }
        let board = (body["board_id"] as? NSNumber)?.int64Value
        var status = (body["status_id"] as? NSNumber)?.int64Value
        if let s = status {
            guard let known = statuses[s], board == nil || known.board == board else {
                return .json(422, ["message": "The status does not belong to the board.", "errors": ["status_id": ["invalid"]]])
            }
        } else {
            guard let board, let backlog = statuses.filter({ $0.value.board == board }).keys.min() else {
                return .json(422, ["message": "A board_id or status_id is required.", "errors": ["board_id": ["required"]]])
            }
            status = backlog
        }
        let now = clock.tick()
        let id = newID()
        var task = Task(
            id: id, title: title, description: nil, priority: nil, statusID: status!, boardID: statuses[status!]!.board,
            tags: [], subtasks: [], isArchived: false, dueAt: nil, doneAt: nil, createdAt: now, updatedAt: now,
            deletedAt: nil, comments: [])
        if let error = apply(body, to: &task, now: now) { return error }
        tasks[id] = task
        return .json(201, ["data": json(task)])
    }

    func update(_ idText: String, _ body: [String: Any]) -> FakeResponse {
        guard let id = Int64(idText), var task = tasks[id], task.deletedAt == nil else { return .json(404, ["message": "Not Found"]) }
        let now = clock.tick()
        if let s = (body["status_id"] as? NSNumber)?.int64Value {
            guard let known = statuses[s], known.board == ((body["board_id"] as? NSNumber)?.int64Value ?? task.boardID) else {
                return .json(422, ["message": "The status does not belong to the board.", "errors": ["status_id": ["invalid"]]])
            }
            task.statusID = s
        }
        if let error = apply(body, to: &task, now: now) { return error }
        task.updatedAt = now
        tasks[id] = task
        return .json(201, ["data": json(task)])  // PATCH answers 201 (NOTES.md)
    }

    func apply(_ body: [String: Any], to task: inout Task, now: Date) -> FakeResponse? {
        if let t = body["title"] {
            guard let t = t as? String, !t.isEmpty else { return .json(422, ["message": "The title field is required.", "errors": ["title": ["required"]]]) }
            task.title = t
        }
        if body.keys.contains("description") { task.description = body["description"] as? String }
        if let p = body["priority"] {
            guard let p = p as? String, ["very low", "low", "medium", "high", "very high"].contains(p) else {
                return .json(422, ["message": "The selected priority is invalid.", "errors": ["priority": ["invalid"]]])
            }
            task.priority = p
        }
        if let tags = body["tags"] {
            guard let tags = tags as? [String] else { return .json(422, ["message": "tags must be strings", "errors": ["tags": ["array of strings"]]]) }
            task.tags = tags
        }
        if body.keys.contains("due_at") {
            let due = body["due_at"] as? String
            if let due, FakeTime.parse(due) == nil, due.count != 10 {
                return .json(422, ["message": "The due at is not a valid date.", "errors": ["due_at": ["date"]]])
            }
            task.dueAt = due
        }
        if body.keys.contains("done_at") { task.doneAt = (body["done_at"] as? String).map { FakeTime.parse($0) ?? now } }
        if let archived = body["is_archived"] as? Bool { task.isArchived = archived }
        if let subs = body["sub_tasks"] as? [[String: Any]] {
            for sub in subs {
                let title = sub["title"] as? String
                let done: Date?? = sub.keys.contains("done_at") ? .some((sub["done_at"] as? String).map { FakeTime.parse($0) ?? now }) : .none
                if let sid = (sub["id"] as? NSNumber)?.int64Value {
                    guard let index = task.subtasks.firstIndex(where: { $0.id == sid }) else {
                        return .json(422, ["message": "Unknown sub task \(sid).", "errors": ["sub_tasks": ["unknown id"]]])
                    }
                    if let title { task.subtasks[index].title = title }
                    if let done { task.subtasks[index].doneAt = done }
                    task.subtasks[index].updatedAt = now
                } else {
                    guard let title, !title.isEmpty else { return .json(422, ["message": "A sub task needs a title.", "errors": ["sub_tasks": ["title"]]]) }
                    task.subtasks.append(Subtask(id: newID(), title: title, doneAt: done ?? nil, createdAt: now, updatedAt: now))
                }
            }
        }
        return nil
    }

    func delete(_ idText: String) -> FakeResponse {
        guard let id = Int64(idText), tasks[id]?.deletedAt == nil, tasks[id] != nil else { return .json(404, ["message": "Not Found"]) }
        tasks[id]?.deletedAt = clock.tick()
        return .json(200, ["message": "Object deleted."])
    }

    func comments(_ idText: String, _ request: FakeRequest) -> FakeResponse {
        guard let id = Int64(idText), let task = tasks[id] else { return .json(404, ["message": "Not Found"]) }
        let perPage = 15
        let page = max(1, Int(request.value("page") ?? "1") ?? 1)
        let lastPage = max(1, (task.comments.count + perPage - 1) / perPage)
        let slice = task.comments.dropFirst((page - 1) * perPage).prefix(perPage)
        return .json(
            200,
            [
                "data": slice.map { c in
                    [
                        "id": c.id, "text": c.text, "parent_id": NSNull(),
                        "commentator": ["id": 91, "name": c.author, "email": "someone@example.com"],
                        "reactions": [], "attachments": [],
                        "created_at": FakeTime.iso(c.createdAt), "updated_at": FakeTime.iso(c.createdAt),
                    ] as [String: Any]
                },
                "links": ["first": "?page=1", "last": "?page=\(lastPage)", "prev": NSNull(), "next": NSNull()],
                "meta": ["current_page": page, "last_page": lastPage, "per_page": perPage, "total": task.comments.count],
            ])
    }

    func json(_ t: Task) -> [String: Any] {
        let status = statuses[t.statusID]
        return [
            "id": t.id, "number": String(t.id), "title": t.title, "description": t.description ?? NSNull(),
            "priority": t.priority ?? NSNull(),
            "creator": ["id": 3, "name": "Stefan", "email": "stefan@helpspace.com"], "assignee": NSNull(),
            "customer": NSNull(), "watchers": [], "tickets": [],
            "board": ["id": t.boardID, "name": "Development"],
            "status": ["id": t.statusID, "name": status?.name ?? "?", "color": NSNull(), "type": "none"],
            "sub_tasks": t.subtasks.map { s in
                [
                    "id": s.id, "title": s.title, "done_at": s.doneAt.map { FakeTime.iso($0) } ?? NSNull(),
                    "created_at": FakeTime.iso(s.createdAt), "updated_at": FakeTime.iso(s.updatedAt),
                ] as [String: Any]
            },
            "tags": t.tags.enumerated().map {
                ["id": $0.offset + 1, "name": $0.element, "slug": $0.element.lowercased(), "color": "#7761D4", "type": "tasks"] as [String: Any]
            },
            "attachments": [], "is_archived": t.isArchived, "is_overdue": false,
            "subtasks_count_total": t.subtasks.count, "subtasks_count_done": t.subtasks.filter { $0.doneAt != nil }.count,
            "attachments_count": 0, "tickets_count": 0,
            "due_at": t.dueAt ?? NSNull(), "done_at": t.doneAt.map { FakeTime.iso($0) } ?? NSNull(),
            "created_at": FakeTime.iso(t.createdAt), "updated_at": FakeTime.iso(t.updatedAt),
            "deleted_at": t.deletedAt.map { FakeTime.iso($0) } ?? NSNull(),
        ]
    }
}
