import Foundation

/// A local Productive that follows provider-docs/productive-tasks.txt and
/// NOTES.md: `X-Auth-Token`, `X-Organization-Id` and the JSON:API content
/// type required (401 / 415), string ids, timestamps with milliseconds and
/// a Central European offset, `page[number]`/`page[size]` (max 200), filter
/// operators with the datetime cast to a date unless the feature flag is
/// sent, 400 on an unknown filter, subtasks as tasks with `parent_task`,
/// comments under `/comments`.
public actor FakeProductive {
    public struct Task: Sendable {
        public var id: Int
        public var title: String
        public var description: String?
        public var closed: Bool
        public var dueDate: String?
        public var tags: [String]
        public var workflowStatusID: String
        public var parentID: Int?
        public var projectID: String
        public var taskListID: String
        public var createdAt: Date
        public var updatedAt: Date
        public var deletedAt: Date?
    }

    public struct Comment: Sendable {
        public var id: Int
        public var taskID: Int
        public var body: String
        public var createdAt: Date
    }

    public nonisolated let token: String
    public nonisolated let organizationID: String
    public let workflowStatuses: [String: String]
    public private(set) var tasks: [Int: Task] = [:]
    public private(set) var comments: [Int: Comment] = [:]
    public private(set) var ledger = RequestLedger()
    let clock: FakeClock
    var nextID = 300
    var server: FakeHTTPServer?
    static let knownFilters: Set<String> = [
        "project_id", "task_list_id", "updated_at", "parent_task_id", "task_type", "status", "workflow_status_id", "task_id", "id",
    ]

    public init(
        token: String = "pr-token", organizationID: String = "1987",
        workflowStatuses: [String: String] = ["2545": "Not started", "2546": "In progress", "2547": "Done"],
        clock: FakeClock = FakeClock()
    ) {
        self.token = token
        self.organizationID = organizationID
        self.workflowStatuses = workflowStatuses
        self.clock = clock
    }

    public func start() async throws -> String {
        let server = try await FakeHTTPServer { [self] request in
            let delay = await self.latency
            if delay > 0 { try? await _Concurrency.Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
            return await self.handle(request)
        }
        self.server = server
        return "http://127.0.0.1:\(await server.port)/api/v2"
    }

    public func stop() async { await server?.stop() }

    public func inject(_ fault: Fault, times: Int = 1, method: String? = nil) {
        ledger.faults.append((fault, times, method))
    }

    public func resetLedger() { ledger = RequestLedger() }

    /// Seconds every answer waits before it is served: a slow provider.
    public private(set) var latency: Double = 0
    public func setLatency(_ seconds: Double) { latency = seconds }

    // MARK: what a person does in Productive's own UI

    @discardableResult
    public func seed(
        title: String, description: String? = nil, status: String = "2545", tags: [String] = [], parent: Int? = nil,
        projectID: String = "1911", taskListID: String = "361", dueDate: String? = nil
    ) -> Int {
        let now = clock.tick()
        let id = newID()
        tasks[id] = Task(
            id: id, title: title, description: description, closed: false, dueDate: dueDate, tags: tags,
            workflowStatusID: status, parentID: parent, projectID: projectID, taskListID: taskListID, createdAt: now,
            updatedAt: now, deletedAt: nil)
        return id
    }

    public func edit(_ id: Int, _ change: @Sendable (inout Task) -> Void) {
        guard var task = tasks[id] else { return }
        change(&task)
        task.updatedAt = clock.tick()
        tasks[id] = task
    }

    public func remove(_ id: Int) { tasks[id] = nil }

    public func stateDump() -> String {
        let t = tasks.keys.sorted().map { id in
            let t = tasks[id]!
            return
                "\(id)|\(t.title)|\(t.description ?? "")|\(t.closed)|\(t.workflowStatusID)|\(t.tags)|\(t.parentID ?? 0)|\(t.deletedAt != nil)|\(t.updatedAt.timeIntervalSince1970)"
        }
        let c = comments.keys.sorted().map { "c\($0)|\(comments[$0]!.taskID)|\(comments[$0]!.body)" }
        return (t + c).joined(separator: "\n")
    }

    public func liveTasks() -> [Task] {
        tasks.values.filter { $0.deletedAt == nil }.sorted { $0.id < $1.id }
    }

    public func comments(of taskID: Int) -> [Comment] {
        comments.values.filter { $0.taskID == taskID }.sorted { $0.id < $1.id }
    }

    func newID() -> Int {
        nextID += 1
        return nextID
    }

    // MARK: the API

    static func error(_ status: Int, _ title: String, _ detail: String? = nil, pointer: String? = nil) -> FakeResponse {
        var e: [String: Any] = ["status": status, "title": title]
        if let detail { e["detail"] = detail }
        if let pointer { e["source"] = ["pointer": pointer] }
        return .json(status, ["errors": [e]], contentType: "application/vnd.api+json; charset=utf-8")
    }

    func handle(_ request: FakeRequest) -> FakeResponse {
        ledger.record(request)
        if let fault = ledger.nextFault(for: request.method) {
            switch fault {
            case .status(let code): return Self.error(code, "Internal Server Error")
            case .rateLimited(let seconds):
                var r = Self.error(429, "Too many requests", "Rate limit exceeded")
                r.headers["X-RateLimit-Reset"] = String(seconds)
                return r
            case .malformedBody: return FakeResponse(status: 200, headers: ["Content-Type": "application/vnd.api+json"], body: Data("<html>oops".utf8))
            }
        }
        guard request.headers["x-auth-token"] == token else { return Self.error(401, "Unauthenticated") }
        guard request.headers["x-organization-id"] == organizationID else { return Self.error(403, "Access Denied") }
        guard request.headers["content-type"]?.hasPrefix("application/vnd.api+json") == true else {
            return Self.error(415, "Unsupported Media Type")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v2" else { return Self.error(404, "Record Not Found") }
        let resource = Array(parts.dropFirst(2))
        if ["POST", "PATCH"].contains(request.method), request.json == nil {
            return Self.error(400, "Bad Request", "the body is not JSON")
        }
        switch (request.method, resource.first, resource.count) {
        case ("GET", "tasks", 1): return list(request)
        case ("POST", "tasks", 1): return create(request.json!)
        case ("GET", "tasks", 2): return read(resource[1], request)
        case ("PATCH", "tasks", 2): return update(resource[1], request.json!)
        case ("DELETE", "tasks", 2): return delete(resource[1])
        case ("GET", "comments", 1): return listComments(request)
        case ("POST", "comments", 1): return createComment(request.json!)
        default: return Self.error(404, "Record Not Found")
        }
    }

    func filters(_ request: FakeRequest) -> Result<[(name: String, op: String, value: String)], FakeResponse> {
        var out: [(String, String, String)] = []
        for (key, value) in request.query where key.hasPrefix("filter[") {
            let names = key.dropFirst("filter".count).split(separator: "]").map { $0.replacing("[", with: "") }
            guard let name = names.first, Self.knownFilters.contains(String(name)) else {
                return .failure(Self.error(400, "Bad Request", "unknown filter \(key)"))
            }
            out.append((String(name), names.count > 1 ? String(names[1]) : "eq", value))
        }
        return .success(out)
    }

    func list(_ request: FakeRequest) -> FakeResponse {
        let size = Int(request.value("page[size]") ?? "30") ?? 30
        guard (1...200).contains(size) else { return Self.error(400, "Bad Request", "page[size] must be 1..200") }
        let number = max(1, Int(request.value("page[number]") ?? "1") ?? 1)
        let filters: [(name: String, op: String, value: String)]
        switch self.filters(request) {
        case .success(let f): filters = f
        case .failure(let r): return r
        }
        var matching = tasks.values.filter { $0.deletedAt == nil }
        for f in filters {
            switch f.name {
            case "project_id": matching = matching.filter { $0.projectID == f.value }
            case "task_list_id": matching = matching.filter { $0.taskListID == f.value }
            case "parent_task_id": matching = matching.filter { $0.parentID.map(String.init) == f.value }
            case "updated_at":
                // A literal '+' in the query reads as a space: the value no longer parses.
                guard let bound = FakeTime.parse(f.value) else {
                    return Self.error(400, "Bad Request", "invalid datetime \(f.value)", pointer: "filter/updated_at")
                }
                var limit = bound.timeIntervalSince1970.rounded(.down)
                if request.headers["x-feature-flags"]?.contains("filteringSkipDatetimeCastToDate") != true {
                    limit = (limit / 86400).rounded(.down) * 86400  // cast to the date (UTC midnight)
                }
                matching = matching.filter { t in
                    let u = t.updatedAt.timeIntervalSince1970.rounded(.down)
                    switch f.op {
                    case "gt_eq": return u >= limit
                    case "gt": return u > limit
                    case "lt": return u < limit
                    case "lt_eq": return u <= limit
                    default: return u == limit
                    }
                }
            default: break
            }
        }
        matching.sort { $0.id < $1.id }
        let include = Set((request.value("include") ?? "").split(separator: ",").map(String.init))
        let totalPages = max(1, (matching.count + size - 1) / size)
        let slice = matching.dropFirst((number - 1) * size).prefix(size)
        let children = childrenByParent()
        return .json(
            200,
            [
                "data": slice.map { json($0, include: include, children: children) },
                "links": ["first": "?page[number]=1", "last": "?page[number]=\(totalPages)"],
                "meta": ["current_page": number, "total_pages": totalPages, "total_count": matching.count, "page_size": size, "max_page_size": 200],
            ], contentType: "application/vnd.api+json; charset=utf-8")
    }

    func read(_ idText: String, _ request: FakeRequest) -> FakeResponse {
        guard let id = Int(idText), let task = tasks[id] else { return Self.error(404, "Record Not Found") }
        let include = Set((request.value("include") ?? "").split(separator: ",").map(String.init))
        return .json(200, ["data": json(task, include: include), "meta": [:]], contentType: "application/vnd.api+json; charset=utf-8")
    }

    static func relationshipID(_ data: [String: Any], _ name: String) -> String? {
        guard let rel = (data["relationships"] as? [String: Any])?[name] as? [String: Any], let d = rel["data"] as? [String: Any] else { return nil }
        return (d["id"] as? String) ?? (d["id"] as? NSNumber)?.stringValue
    }

    func create(_ body: [String: Any]) -> FakeResponse {
        guard let data = body["data"] as? [String: Any], data["type"] as? String == "tasks" else {
            return Self.error(400, "Bad Request", "data.type must be tasks")
        }
        let attributes = data["attributes"] as? [String: Any] ?? [:]
        var errors: [String] = []
        let title = attributes["title"] as? String ?? ""
        if title.isEmpty { errors.append("title") }
        let project = Self.relationshipID(data, "project")
        let list = Self.relationshipID(data, "task_list")
        if project == nil { errors.append("project") }
        if list == nil { errors.append("task_list") }
        guard errors.isEmpty else {
            return .json(
                422,
                [
                    "errors": errors.map {
                        [
                            "status": "422", "code": "invalid_attribute", "title": "Invalid Attribute", "detail": "can't be blank",
                            "source": ["pointer": "data/attributes/\($0)"],
                        ]
                    }
                ], contentType: "application/vnd.api+json")
        }
        let status = Self.relationshipID(data, "workflow_status") ?? workflowStatuses.keys.sorted().first!
        guard workflowStatuses[status] != nil else {
            return Self.error(422, "Invalid Attribute", "unknown workflow status", pointer: "data/attributes/workflow_status")
        }
        var parent: Int?
        if let p = Self.relationshipID(data, "parent_task") {
            guard let pid = Int(p), tasks[pid] != nil else {
                return Self.error(422, "Invalid Attribute", "unknown parent task", pointer: "data/attributes/parent_task")
            }
            parent = pid
        }
        let now = clock.tick()
        var task = Task(
            id: newID(), title: title, description: nil, closed: false, dueDate: nil, tags: [], workflowStatusID: status,
            parentID: parent, projectID: project!, taskListID: list!, createdAt: now, updatedAt: now, deletedAt: nil)
        apply(attributes, to: &task)
        tasks[task.id] = task
        return .json(
            201, ["data": json(task, include: ["workflow_status", "parent_task"]), "meta": [:]], contentType: "application/vnd.api+json; charset=utf-8")
    }

    func update(_ idText: String, _ body: [String: Any]) -> FakeResponse {
        guard let id = Int(idText), var task = tasks[id], task.deletedAt == nil else { return Self.error(404, "Record Not Found") }
        guard let data = body["data"] as? [String: Any] else { return Self.error(400, "Bad Request", "no data") }
        let attributes = data["attributes"] as? [String: Any] ?? [:]
        if let t = attributes["title"], (t as? String)?.isEmpty != false {
            return Self.error(422, "Invalid Attribute", "can't be blank", pointer: "data/attributes/title")
        }
        if let status = Self.relationshipID(data, "workflow_status") {
            guard workflowStatuses[status] != nil else {
                return Self.error(422, "Invalid Attribute", "unknown workflow status", pointer: "data/attributes/workflow_status")
            }
            task.workflowStatusID = status
        }
        apply(attributes, to: &task)
        task.updatedAt = clock.tick()
        tasks[id] = task
        return .json(
            200, ["data": json(task, include: ["workflow_status", "parent_task"]), "meta": [:]], contentType: "application/vnd.api+json; charset=utf-8")
    }

    func apply(_ a: [String: Any], to task: inout Task) {
        if let t = a["title"] as? String { task.title = t }
        if a.keys.contains("description") { task.description = a["description"] as? String }
        if let c = a["closed"] as? Bool { task.closed = c }
        if a.keys.contains("due_date") { task.dueDate = a["due_date"] as? String }
        if let tags = a["tag_list"] as? [String] { task.tags = tags }
    }

    func delete(_ idText: String) -> FakeResponse {
        guard let id = Int(idText), tasks[id]?.deletedAt == nil, tasks[id] != nil else { return Self.error(404, "Record Not Found") }
        tasks[id]?.deletedAt = clock.tick()  // "archives task and deletes comments"
        comments = comments.filter { $0.value.taskID != id }
        return FakeResponse(status: 204)
    }

    func listComments(_ request: FakeRequest) -> FakeResponse {
        let taskID = request.value("filter[task_id]").flatMap(Int.init)
        let size = Int(request.value("page[size]") ?? "30") ?? 30
        guard (1...200).contains(size) else { return Self.error(400, "Bad Request", "page[size] must be 1..200") }
        let number = max(1, Int(request.value("page[number]") ?? "1") ?? 1)
        let matching = comments.values.filter { taskID == nil || $0.taskID == taskID }.sorted { $0.id < $1.id }
        let totalPages = max(1, (matching.count + size - 1) / size)
        return .json(
            200,
            [
                "data": matching.dropFirst((number - 1) * size).prefix(size).map(json),
                "meta": ["current_page": number, "total_pages": totalPages, "total_count": matching.count],
            ], contentType: "application/vnd.api+json; charset=utf-8")
    }

    func createComment(_ body: [String: Any]) -> FakeResponse {
        guard let data = body["data"] as? [String: Any], data["type"] as? String == "comments" else {
            return Self.error(400, "Bad Request", "data.type must be comments")
        }
        let text = (data["attributes"] as? [String: Any])?["body"] as? String ?? ""
        guard !text.isEmpty else { return Self.error(422, "Invalid Attribute", "can't be blank", pointer: "data/attributes/body") }
        guard let t = Self.relationshipID(data, "task"), let taskID = Int(t), tasks[taskID]?.deletedAt == nil, tasks[taskID] != nil else {
            return Self.error(422, "Invalid Attribute", "task not found", pointer: "data/relationships/task")
        }
        let comment = Comment(id: newID(), taskID: taskID, body: text, createdAt: clock.tick())
        comments[comment.id] = comment
        return .json(201, ["data": json(comment)], contentType: "application/vnd.api+json; charset=utf-8")
    }

    func stamp(_ date: Date) -> String {
        FakeTime.iso(date, offsetHours: FakeTime.centralEuropeanOffset(date), milliseconds: true)
    }

    func json(_ c: Comment) -> [String: Any] {
        [
            "id": String(c.id), "type": "comments",
            "attributes": ["body": c.body, "created_at": stamp(c.createdAt), "updated_at": stamp(c.createdAt), "deleted_at": NSNull()],
            "relationships": ["task": ["data": ["type": "tasks", "id": String(c.taskID)]]],
        ]
    }

    func childrenByParent() -> [Int: [Task]] {
        Dictionary(grouping: tasks.values.filter { $0.parentID != nil && $0.deletedAt == nil }, by: { $0.parentID! })
    }

    func json(_ t: Task, include: Set<String>, children: [Int: [Task]]? = nil) -> [String: Any] {
        func rel(_ name: String, _ type: String, _ id: String?) -> [String: Any] {
            guard include.contains(name) else { return ["meta": ["included": false]] }
            return ["data": id.map { ["type": type, "id": $0] as Any } ?? NSNull()]
        }
        let subtasks = children.map { $0[t.id] ?? [] } ?? tasks.values.filter { $0.parentID == t.id && $0.deletedAt == nil }
        return [
            "id": String(t.id), "type": "tasks",
            "attributes": [
                "title": t.title, "description": t.description ?? NSNull(), "number": String(t.id), "task_number": String(t.id),
                "private": false, "due_date": t.dueDate ?? NSNull(), "start_date": NSNull(),
                "closed_at": t.closed ? stamp(t.updatedAt) : NSNull(),
                "created_at": stamp(t.createdAt), "updated_at": stamp(t.updatedAt),
                "subtask_count": subtasks.count, "open_subtask_count": subtasks.filter { !$0.closed }.count,
                "type_id": 1, "closed": t.closed, "due_time": NSNull(), "tag_list": t.tags,
                "last_activity_at": stamp(t.updatedAt), "deleted_at": t.deletedAt.map(stamp) ?? NSNull(),
            ] as [String: Any],
            "relationships": [
                "organization": ["data": ["type": "organizations", "id": organizationID]],
                "project": rel("project", "projects", t.projectID),
                "task_list": rel("task_list", "task_lists", t.taskListID),
                "parent_task": rel("parent_task", "tasks", t.parentID.map(String.init)),
                "workflow_status": rel("workflow_status", "workflow_statuses", t.workflowStatusID),
            ],
        ]
    }
}
