import Foundation

/// A local Productive that follows provider-docs/productive-tasks.txt and
/// NOTES.md: `X-Auth-Token`, `X-Organization-Id` and the JSON:API content
/// type required (401 / 403 / 415), string ids, timestamps with milliseconds
/// and a Central European offset, `page[number]`/`page[size]` (max 200) and
/// the `page[after]` cursor, filter operators with the datetime cast to a date
/// unless the feature flag is sent, 400 on an unknown filter, relationships
/// with `data` only when named in `include=`, read-only attributes, `closed`
/// following the workflow status's category, subtasks as tasks with
/// `parent_task`, comments under `/comments`.
///
/// Where the documents are silent the fake takes a side, and ``Options``
/// can turn it.
public actor FakeProductive {
    /// The switches for what the documents do not settle. Each names the
    /// document line it stands for.
    public struct Options: Sendable, Equatable {
        public enum IncludeOnWrites: Sendable, Equatable {
            /// POST and PATCH answers give `data` for the relationships named in `include=`, as GET does.
            case honoured
            /// POST and PATCH answers never give relationship `data` (only `organization`), whatever `include=` says.
            case ignored
        }

        public enum ReadOnlyAttributes: Sendable, Equatable {
            /// Silently dropped, as real APIs do.
            case ignore
            /// 422 `invalid_attribute` with `source.pointer` `data/attributes/NAME`.
            case reject
        }

        /// Whether `include=` is honoured on POST and PATCH. The document
        /// silent: its POST and PATCH examples (productive-tasks.txt,
        /// "Create a task", "Update a task") send no `include=` and answer every
        /// relationship as `{"meta":{"included":false}}`. Default `.ignored`,
        /// the stricter side: a client must not count on a write's answer for
        /// relationships.
        public var includeOnWrites: IncludeOnWrites
        /// Whether `include=` is honoured on GET (lists and direct reads). The
        /// document is silent too: no example sends `include=`, every answer
        /// shows relationships as `{"meta":{"included":false}}`. JSON:API, whose
        /// shape the answers follow, has servers honour it, so the default is
        /// `.honoured`; `.ignored` is the server that never tells a task's
        /// status or parent.
        public var includeOnReads: IncludeOnWrites = .honoured
        /// What a write of an attribute the document does not list as
        /// writable does (`closed`, `closed_at`, `created_at`, `number`, ...).
        /// Writable are the "Create a task" parameters (title, description,
        /// due_date, start_date, private, initial_estimate, assignee_id,
        /// workflow_status_id, project_id, task_list_id), what the examples
        /// write (remaining_time, type_id, tag_list), and the relationships
        /// project, task_list, workflow_status, assignee, parent_task (NOTES.md:
        /// subtasks) and subscribers. The document is silent on the rest; real
        /// APIs ignore them: default `.ignore`.
        public var readOnlyAttributes: ReadOnlyAttributes
        /// Whether a new comment moves its task's `updated_at`. No document
        /// says it does (NOTES.md "Comments"): default false.
        public var commentTouchesUpdatedAt: Bool
        /// Whether a new comment moves its task's `last_activity_at`. The
        /// document is silent; a comment is activity: default true. (Its PATCH
        /// example leaves `last_activity_at` where it was while `updated_at`
        /// moves, task 346: so a PATCH never moves it here.)
        public var commentTouchesLastActivity: Bool
        /// Enforce NOTES.md "Rate limits: 100 requests per 10 s per token,
        /// 4,000 per 30 min per organisation" with real 429s. A sliding window
        /// (every request counted at its arrival, refused ones not counted);
        /// NOTES.md does not say which kind the real API keeps. Default off.
        public var enforceRateLimits: Bool
        /// Requests per window per `X-Auth-Token` (NOTES.md: 100 per 10 s).
        public var tokenLimitRequests = 100
        public var tokenLimitSeconds = 10.0
        /// Requests per window per `X-Organization-Id` (NOTES.md: 4,000 per 30 min).
        public var organizationLimitRequests = 4000
        public var organizationLimitSeconds = 1800.0
        /// Relationships whose `data.id` is answered as a JSON number, not a
        /// string. NOTES.md: "Ids are strings (an occasional relationship id
        /// arrives as a number)", without saying which. Default
        /// `["parent_task"]`: a client must read both.
        public var numericRelationshipIDs: Set<String>
        /// Keep connections open or close each after its answer. The
        /// documents are silent.
        public var connection: ConnectionPolicy

        public init(
            includeOnWrites: IncludeOnWrites = .ignored, readOnlyAttributes: ReadOnlyAttributes = .ignore, commentTouchesUpdatedAt: Bool = false,
            commentTouchesLastActivity: Bool = true, enforceRateLimits: Bool = false, numericRelationshipIDs: Set<String> = ["parent_task"],
            connection: ConnectionPolicy = .keepAlive
        ) {
            self.numericRelationshipIDs = numericRelationshipIDs
            self.includeOnWrites = includeOnWrites
            self.readOnlyAttributes = readOnlyAttributes
            self.commentTouchesUpdatedAt = commentTouchesUpdatedAt
            self.commentTouchesLastActivity = commentTouchesLastActivity
            self.enforceRateLimits = enforceRateLimits
            self.connection = connection
        }
    }

    public struct Task: Sendable {
        public var id: Int
        public var title: String
        public var description: String?
        /// Follows the workflow status's category (3 closed): set it in
        /// ``FakeProductive/edit(_:_:)`` and the task moves to a closed (or a
        /// not-started) status, as in Productive's own UI.
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
        public var closedAt: Date?
        public var startDate: String?
        public var isPrivate = false
        public var initialEstimate: Int?
        public var remainingTime: Int?
        public var typeID = 1
        public var assigneeID: String?
        public var subscriberIDs: [String] = []
        public var number = 0
        public var creatorID = FakeProductive.uiPersonID
        public var lastActorID = FakeProductive.uiPersonID
        public var lastActivityAt = Date.distantPast
    }

    public struct Comment: Sendable {
        public var id: Int
        public var taskID: Int
        public var body: String
        public var createdAt: Date
    }

    /// The person behind the token (API writes) and someone in the UI (seeds, edits).
    public static let apiPersonID = "7957"
    public static let uiPersonID = "7958"

    public nonisolated let token: String
    public nonisolated let organizationID: String
    /// Workflow status id -> name.
    public let workflowStatuses: [String: String]
    /// Workflow status id -> category (productive-tasks.txt,
    /// `workflow_status_category_id`: 1 not started, 2 started, 3 closed).
    public let workflowStatusCategories: [String: Int]
    public private(set) var tasks: [Int: Task] = [:] {
        didSet { generation &+= 1 }
    }
    public private(set) var comments: [Int: Comment] = [:] {
        didSet { generation &+= 1 }
    }
    public private(set) var ledger = RequestLedger()
    public private(set) var options: Options
    let clock: FakeClock
    var nextID = 300
    var server: FakeHTTPServer?
    var baseURL = ""
    var generation = 0
    var cache = PageCache()
    var tokenWindows: [String: SlidingWindow] = [:]
    var organizationWindows: [String: SlidingWindow] = [:]
    var numbers: [String: Int] = [:]
    var listing = ListingMemo<Int>()
    var children: (generation: Int, byParent: [Int: [Task]]) = (-1, [:])

    public init(
        token: String = "pr-token", organizationID: String = "1987",
        workflowStatuses: [String: String] = ["2545": "Not started", "2546": "In progress", "2547": "Done"],
        workflowStatusCategories: [String: Int] = ["2545": 1, "2546": 2, "2547": 3], clock: FakeClock = FakeClock(), options: Options = Options()
    ) {
        self.token = token
        self.organizationID = organizationID
        self.workflowStatuses = workflowStatuses
        self.workflowStatusCategories = workflowStatusCategories
        self.clock = clock
        self.options = options
    }

    public func start() async throws -> String {
        let server = try await FakeHTTPServer { [self] request in
            let delay = await self.latency
            if delay > 0 { try? await _Concurrency.Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
            return await self.handle(request)
        }
        self.server = server
        baseURL = "http://127.0.0.1:\(server.port)"
        return baseURL + "/api/v2"
    }

    public func stop() async { await server?.stop() }

    /// Stops answering and refuses connections on the same port (a provider that
    /// is down), which no other fake can take meanwhile.
    public func refuseConnections() async { await server?.refuse() }

    public func setOptions(_ options: Options) {
        self.options = options
        generation &+= 1
    }

    public func inject(_ fault: Fault, times: Int = 1, method: String? = nil) {
        ledger.faults.append((fault, times, method))
    }

    public func resetLedger() { ledger = RequestLedger() }

    /// The most requests this fake was ever answering at once: how many the client had in flight.
    public func mostConcurrentRequests() -> Int { server?.inFlight.most ?? 0 }

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
        var task = Task(
            id: id, title: title, description: description, closed: false, dueDate: dueDate, tags: tags,
            workflowStatusID: status, parentID: parent, projectID: projectID, taskListID: taskListID, createdAt: now,
            updatedAt: now, deletedAt: nil)
        task.number = nextNumber(projectID)
        task.lastActivityAt = FakeTime.wholeSeconds(now)
        settle(&task, now: now)
        tasks[id] = task
        return id
    }

    /// Edits a task as a user would in the UI; `updated_at` moves. Setting
    /// `closed` without a status moves the task to the first closed (or
    /// not-started) status; `closed` and `closed_at` then follow the status.
    public func edit(_ id: Int, _ change: @Sendable (inout Task) -> Void) {
        guard var task = tasks[id] else { return }
        let before = task
        change(&task)
        if task.closed != before.closed, task.workflowStatusID == before.workflowStatusID {
            let wanted = task.closed ? 3 : 1
            if let status = workflowStatuses.keys.sorted().first(where: { category($0) == wanted }) { task.workflowStatusID = status }
        }
        task.closed = before.closed
        let now = clock.tick()
        settle(&task, now: now)
        task.updatedAt = now
        task.lastActorID = Self.uiPersonID
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

    /// `number` and `task_number` count per project ("1", "2", ... in the document).
    func nextNumber(_ project: String) -> Int {
        numbers[project, default: 0] += 1
        return numbers[project]!
    }

    func category(_ status: String) -> Int { workflowStatusCategories[status] ?? 1 }

    /// `closed` and `closed_at` follow the status's category; `closed_at` has
    /// whole seconds (`"closed_at": "2025-09-03T06:19:47.000+02:00"`).
    func settle(_ task: inout Task, now: Date) {
        let closed = category(task.workflowStatusID) == 3
        if closed {
            if !task.closed || task.closedAt == nil { task.closedAt = FakeTime.wholeSeconds(now) }
        } else {
            task.closedAt = nil
        }
        task.closed = closed
    }

    // MARK: the API

    static let contentType = "application/vnd.api+json; charset=utf-8"

    static func error(_ status: Int, _ title: String, _ detail: String? = nil, pointer: String? = nil) -> FakeResponse {
        var e: [String: Any] = ["status": status, "title": title]
        if let detail { e["detail"] = detail }
        if let pointer { e["source"] = ["pointer": pointer] }
        return .json(status, ["errors": [e]], contentType: contentType)
    }

    /// The document's 422 item: `status` a string, `code`, `source.pointer`.
    static func invalid(_ name: String, _ detail: String) -> [String: Any] {
        [
            "status": "422", "code": "invalid_attribute", "title": "Invalid Attribute", "detail": detail,
            "source": ["pointer": "data/attributes/\(name)"],
        ]
    }

    static func unprocessable(_ errors: [[String: Any]]) -> FakeResponse {
        .json(422, ["errors": errors], contentType: contentType)
    }

    func handle(_ request: FakeRequest) -> FakeResponse {
        var answer = serve(request)
        ledger.answered(answer.status)
        if options.connection == .close { answer.closesConnection = true }
        return answer
    }

    func serve(_ request: FakeRequest) -> FakeResponse {
        ledger.record(request)
        if let fault = ledger.nextFault(for: request.method, isCreate: request.method == "POST") {
            switch fault {
            case .status(let code): return Self.error(code, FakeHTTPConnection.reason(code))
            case .rateLimited(let seconds): return Self.tooManyRequests(seconds)
            case .malformedBody: return FakeResponse(status: 200, headers: ["Content-Type": Self.contentType], body: Data("<html>oops".utf8))
            case .dropAfterCreate:
                var answer = route(request)
                answer.dropsConnection = true
                return answer
            }
        }
        return route(request)
    }

    /// NOTES.md: "A 429 carries `X-RateLimit-Reset` (seconds); errors are
    /// `{"errors":[{"status":429,"title":"Too many requests","detail":...}]}`".
    static func tooManyRequests(_ seconds: Int) -> FakeResponse {
        var r = error(429, "Too many requests", "Rate limit exceeded, retry in \(seconds) seconds")
        r.headers["X-RateLimit-Reset"] = String(seconds)
        return r
    }

    /// Counts the request against NOTES.md's limits; the seconds to wait when it is over one.
    func admit(_ request: FakeRequest) -> Int? {
        let now = clock.now().timeIntervalSince1970
        let tokenKey = request.headers["x-auth-token"] ?? ""
        let organizationKey = request.headers["x-organization-id"] ?? ""
        var byToken = tokenWindows[tokenKey] ?? SlidingWindow()
        var byOrganization = organizationWindows[organizationKey] ?? SlidingWindow()
        let o = options
        let wait =
            byToken.wait(now: now, requests: o.tokenLimitRequests, seconds: o.tokenLimitSeconds)
            ?? byOrganization.wait(now: now, requests: o.organizationLimitRequests, seconds: o.organizationLimitSeconds)
        if wait == nil {
            byToken.record(now)
            byOrganization.record(now)
        }
        tokenWindows[tokenKey] = byToken
        organizationWindows[organizationKey] = byOrganization
        return wait
    }

    func route(_ request: FakeRequest) -> FakeResponse {
        if options.enforceRateLimits, let wait = admit(request) { return Self.tooManyRequests(wait) }
        guard request.headers["x-auth-token"] == token else { return Self.error(401, "Unauthenticated") }
        guard request.headers["x-organization-id"] == organizationID else { return Self.error(403, "Access Denied") }
        // NOTES.md: "Content-Type: application/vnd.api+json (anything else gets
        // 415)"; JSON:API allows no media type parameters but ext and profile.
        guard Self.isJSONAPI(request.headers["content-type"]) else { return Self.error(415, "Unsupported Media Type") }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v2" else { return Self.error(404, "Record Not Found") }
        let resource = Array(parts.dropFirst(2))
        if request.method == "GET" {
            let key = request.path + "?" + request.rawQuery + "|" + (request.headers["x-feature-flags"] ?? "")
            let now = clock.now().timeIntervalSince1970
            if let page = cache.page(key, generation: generation, now: now) { return page }
            let page = get(resource, request)
            if page.status == 200 { cache.keep(page, for: key) }
            return page
        }
        if ["POST", "PATCH"].contains(request.method), request.json == nil {
            return Self.error(400, "Bad Request", "the body is not JSON")
        }
        switch (request.method, resource.first, resource.count) {
        case ("POST", "tasks", 1): return create(request.json!, request)
        case ("PATCH", "tasks", 2): return update(resource[1], request.json!, request)
        case ("DELETE", "tasks", 2): return delete(resource[1])
        case ("POST", "tasks", 2) where resource[1] == "copy", ("PATCH", "tasks", 3) where resource[2] == "reposition":
            return Self.error(501, "Not Implemented", "the fake does not implement \(request.method) \(request.path)")
        case ("POST", "comments", 1): return createComment(request.json!, request)
        default: return Self.error(404, "Record Not Found")
        }
    }

    func get(_ resource: [String], _ request: FakeRequest) -> FakeResponse {
        switch (resource.first, resource.count) {
        case ("tasks", 1): return list(request)
        case ("tasks", 2): return read(resource[1], request)
        case ("comments", 1): return listComments(request)
        default: return Self.error(404, "Record Not Found")
        }
    }

    static func isJSONAPI(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "application/vnd.api+json" else { return false }
        return parts.dropFirst().allSatisfy { $0.lowercased().hasPrefix("ext=") || $0.lowercased().hasPrefix("profile=") }
    }

    // MARK: include

    /// The task relationships, as every answer in the document lists them.
    static let relationshipNames: Set<String> = [
        "organization", "project", "creator", "assignee", "last_actor", "task_list", "parent_task", "workflow_status", "repeated_task",
        "attachments", "custom_field_people", "custom_field_attachments",
    ]
    static let commentRelationshipNames: Set<String> = ["organization", "task", "creator"]

    /// `include=a,b.c`: the first step of each path; 400 on a name the resource has not.
    func includes(_ request: FakeRequest, names: Set<String>, writing: Bool = false) -> Result<Set<String>, FakeResponse> {
        if writing, options.includeOnWrites == .ignored { return .success([]) }
        if !writing, options.includeOnReads == .ignored { return .success([]) }
        guard let text = request.value("include"), !text.isEmpty else { return .success([]) }
        var out = Set<String>()
        for path in text.split(separator: ",") {
            let first = String(path.split(separator: ".").first ?? "")
            guard names.contains(first) else { return .failure(Self.error(400, "Bad Request", "invalid include \(path)")) }
            out.insert(first)
        }
        return .success(out)
    }

    // MARK: tasks

    /// Every filter the document lists ("Supported filter params").
    static let documentedFilters: Set<String> = [
        "after", "assignee_id", "before", "billable_time", "board_id", "board_name", "board_status", "closed_after", "closed_at", "closed_before",
        "company_id", "created_at", "creator_id", "custom_fields", "date_range", "dependency_type", "description", "due_date", "due_date_after",
        "due_date_before", "due_date_on", "id", "initial_estimate", "last_actor_id", "last_activity", "last_activity_after", "last_activity_before",
        "overdue_status", "parent_task_id", "person_type", "project_id", "project_manager_id", "project_type", "public_access", "query",
        "remaining_time", "repeating", "start_date", "start_date_after", "start_date_before", "status", "subscriber_id", "tags", "task_list_id",
        "task_list_name", "task_list_status", "task_number", "task_type", "title", "updated_at", "worked_time", "workflow_id",
        "workflow_status_category_id", "workflow_status_id",
    ]
    /// Every sort the document lists ("Supported sort params").
    static let documentedSorts: Set<String> = [
        "assignee_name", "billable_time", "board_name", "board_position", "closed_at", "company_name", "created_at", "creator_name", "custom_fields",
        "due_date", "placement", "id", "initial_estimate", "last_activity", "last_activity_at", "last_actor_name", "number", "project_name",
        "remaining_time", "start_date", "task_list_name", "task_list_position", "task_number", "title", "updated_at", "worked_time",
        "workflow_status_name", "workflow_status_position",
    ]

    typealias Filter = (name: String, op: String, value: String)

    /// `filter[name]=v` and `filter[name][op]=v`.
    static func filters(_ request: FakeRequest, known: Set<String>) -> Result<[Filter], FakeResponse> {
        var out: [Filter] = []
        for (key, value) in request.query where key.hasPrefix("filter[") {
            let names = key.dropFirst("filter".count).split(separator: "]").map { $0.replacing("[", with: "") }
            guard let name = names.first.map(String.init), known.contains(name) else {
                return .failure(error(400, "Bad Request", "unknown filter \(key)"))
            }
            out.append((name, names.count > 1 ? String(names[1]) : "eq", value))
        }
        return .success(out)
    }

    /// A datetime filter's bound: cut to the date (UTC midnight) unless the
    /// request sends `X-Feature-Flags: filteringSkipDatetimeCastToDate`
    /// (NOTES.md); one-second granularity.
    static func bound(_ f: Filter, _ request: FakeRequest) -> Result<Double, FakeResponse> {
        // A literal '+' in the query reads as a space: the value no longer parses.
        guard let date = FakeTime.parseDateOrTime(f.value) else {
            return .failure(error(400, "Bad Request", "invalid datetime \(f.value)", pointer: "filter/\(f.name)"))
        }
        var limit = date.timeIntervalSince1970.rounded(.down)
        if request.headers["x-feature-flags"]?.contains("filteringSkipDatetimeCastToDate") != true {
            limit = (limit / 86400).rounded(.down) * 86400
        }
        return .success(limit)
    }

    static func compare(_ value: Double?, _ op: String, _ limit: Double) -> Bool? {
        guard let value else { return op == "not_eq" }
        let v = value.rounded(.down)
        switch op {
        case "eq": return v == limit
        case "not_eq": return v != limit
        case "gt": return v > limit
        case "gt_eq": return v >= limit
        case "lt": return v < limit
        case "lt_eq": return v <= limit
        default: return nil
        }
    }

    func predicate(_ f: Filter, _ request: FakeRequest) -> Result<(Task) -> Bool, FakeResponse> {
        let list = Set(f.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        func ids(_ key: @escaping (Task) -> [String]) -> Result<(Task) -> Bool, FakeResponse> {
            switch f.op {
            case "eq": return .success { !list.isDisjoint(with: key($0)) }
            case "not_eq": return .success { list.isDisjoint(with: key($0)) }
            default: return .failure(Self.error(400, "Bad Request", "invalid operator \(f.op) for \(f.name)"))
            }
        }
        func time(_ key: @escaping (Task) -> Date?) -> Result<(Task) -> Bool, FakeResponse> {
            let limit: Double
            switch Self.bound(f, request) {
            case .success(let l): limit = l
            case .failure(let r): return .failure(r)
            }
            guard Self.compare(0, f.op, 0) != nil else { return .failure(Self.error(400, "Bad Request", "invalid operator \(f.op) for \(f.name)")) }
            return .success { Self.compare(key($0)?.timeIntervalSince1970, f.op, limit) ?? false }
        }
        func date(_ key: @escaping (Task) -> String?, _ test: @escaping (String, String) -> Bool) -> Result<(Task) -> Bool, FakeResponse> {
            guard FakeTime.isDate(String(f.value.prefix(10))) else {
                return .failure(Self.error(400, "Bad Request", "invalid date \(f.value)", pointer: "filter/\(f.name)"))
            }
            let day = String(f.value.prefix(10))
            return .success { key($0).map { test($0, day) } ?? false }
        }
        switch f.name {
        case "id": return ids { [String($0.id)] }
        case "project_id": return ids { [$0.projectID] }
        case "task_list_id": return ids { [$0.taskListID] }
        case "parent_task_id": return ids { $0.parentID.map { [String($0)] } ?? [] }
        case "workflow_status_id": return ids { [$0.workflowStatusID] }
        case "assignee_id": return ids { $0.assigneeID.map { [$0] } ?? [] }
        case "creator_id": return ids { [$0.creatorID] }
        case "last_actor_id": return ids { [$0.lastActorID] }
        case "subscriber_id": return ids { $0.subscriberIDs }
        case "task_number": return ids { [String($0.number)] }
        case "workflow_status_category_id":
            let categories = workflowStatusCategories
            return ids { [String(categories[$0.workflowStatusID] ?? 1)] }
        case "status": return ids { [$0.closed ? "2" : "1"] }
        case "task_type": return ids { [$0.parentID == nil ? "1" : "2"] }
        case "tags": return ids { $0.tags }
        case "title", "query":
            let needle = f.value.lowercased()
            return .success { $0.title.lowercased().contains(needle) }
        case "description":
            let needle = f.value.lowercased()
            return .success { ($0.description ?? "").lowercased().contains(needle) }
        case "created_at": return time { $0.createdAt }
        case "updated_at": return time { $0.updatedAt }
        case "closed_at": return time { $0.closedAt }
        case "last_activity": return time { $0.lastActivityAt }
        case "closed_after", "closed_before", "last_activity_after", "last_activity_before":
            var g = f
            g.op = f.name.hasSuffix("_after") ? "gt_eq" : "lt_eq"
            let key: (Task) -> Date? = f.name.hasPrefix("closed") ? { $0.closedAt } : { $0.lastActivityAt }
            switch Self.bound(g, request) {
            case .failure(let r): return .failure(r)
            case .success(let limit): return .success { Self.compare(key($0)?.timeIntervalSince1970, g.op, limit) ?? false }
            }
        case "due_date_after": return date({ $0.dueDate }, >=)
        case "due_date_before": return date({ $0.dueDate }, <=)
        case "due_date_on": return date({ $0.dueDate }, ==)
        case "start_date_after": return date({ $0.startDate }, >=)
        case "start_date_before": return date({ $0.startDate }, <=)
        default:
            return .failure(Self.error(501, "Not Implemented", "the fake does not implement filter[\(f.name)]"))
        }
    }

    func sorter(_ request: FakeRequest) -> Result<(Task, Task) -> Bool, FakeResponse> {
        guard let text = request.value("sort"), !text.isEmpty else { return .success { $0.id < $1.id } }
        var keys: [(Task, Task) -> Int] = []
        for item in text.split(separator: ",") {
            let descending = item.hasPrefix("-")
            let name = String(descending ? item.dropFirst() : item)
            guard Self.documentedSorts.contains(name) else { return .failure(Self.error(400, "Bad Request", "invalid sort \(name)")) }
            func by<T: Comparable>(_ key: @escaping (Task) -> T?) -> (Task, Task) -> Int {
                { a, b in
                    let (x, y) = (key(a), key(b))
                    if x == y { return 0 }
                    guard let x else { return 1 }
                    guard let y else { return -1 }
                    return (x < y ? -1 : 1) * (descending ? -1 : 1)
                }
            }
            switch name {
            case "id": keys.append(by { $0.id })
            case "number", "task_number": keys.append(by { $0.number })
            case "title": keys.append(by { $0.title })
            case "created_at": keys.append(by { $0.createdAt })
            case "updated_at": keys.append(by { $0.updatedAt })
            case "closed_at": keys.append(by { $0.closedAt })
            case "last_activity", "last_activity_at": keys.append(by { $0.lastActivityAt })
            case "due_date": keys.append(by { $0.dueDate })
            case "start_date": keys.append(by { $0.startDate })
            default: return .failure(Self.error(501, "Not Implemented", "the fake does not implement sort=\(name)"))
            }
        }
        return .success { a, b in
            for key in keys {
                let c = key(a, b)
                if c != 0 { return c < 0 }
            }
            return a.id < b.id
        }
    }

    /// `http://host/api/v2/tasks?filter%5Bproject_id%5D=1911&page%5Bnumber%5D=1&page%5Bsize%5D=30`
    func link(_ request: FakeRequest, _ page: [(String, String)]) -> String {
        let kept = request.query.filter { !$0.0.hasPrefix("page[") } + page
        return baseURL + request.path + "?" + kept.map { fakePercentEncode($0.0) + "=" + fakePercentEncode($0.1) }.joined(separator: "&")
    }

    static func pageSize(_ request: FakeRequest) -> Result<Int, FakeResponse> {
        guard let text = request.value("page[size]") else { return .success(30) }
        guard let size = Int(text), (1...200).contains(size) else {
            return .failure(error(400, "Bad Request", "page[size] must be 1..200 (NOTES.md: default 30, max 200)"))
        }
        return .success(size)
    }

    func list(_ request: FakeRequest) -> FakeResponse {
        let size: Int
        let include: Set<String>
        let filters: [Filter]
        let order: (Task, Task) -> Bool
        switch (Self.pageSize(request), includes(request, names: Self.relationshipNames), Self.filters(request, known: Self.documentedFilters), sorter(request))
        {
        case (.success(let s), .success(let i), .success(let f), .success(let o)): (size, include, filters, order) = (s, i, f, o)
        case (.failure(let r), _, _, _), (_, .failure(let r), _, _), (_, _, .failure(let r), _), (_, _, _, .failure(let r)): return r
        }
        var tests: [(Task) -> Bool] = []
        for f in filters {
            switch predicate(f, request) {
            case .success(let p): tests.append(p)
            case .failure(let r): return r
            }
        }
        let children = childrenByParent()
        // Paging through one query filters and sorts once.
        let key =
            request.query.filter { !$0.0.hasPrefix("page[") }.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
            + "|" + (request.headers["x-feature-flags"] ?? "")
        let ids = listing.ids(key, generation: generation) {
            tasks.values.filter { t in t.deletedAt == nil && tests.allSatisfy { $0(t) } }.sorted(by: order).map(\.id)
        }
        var matching = ids.map { tasks[$0]! }
        if let after = request.value("page[after]") {
            // Cursor mode (NOTES.md): by id, `links.next` until it is absent.
            var from = 0
            if !after.isEmpty {
                guard let decoded = Data(base64Encoded: after).flatMap({ String(data: $0, encoding: .utf8) }), let id = Int(decoded) else {
                    return Self.error(400, "Bad Request", "invalid page[after]")
                }
                from = id
            }
            matching = matching.filter { $0.id > from }.sorted { $0.id < $1.id }
            let slice = Array(matching.prefix(size))
            var links = ["first": link(request, [("page[after]", ""), ("page[size]", String(size))])]
            if matching.count > size, let last = slice.last {
                links["next"] = link(request, [("page[after]", Data(String(last.id).utf8).base64EncodedString()), ("page[size]", String(size))])
            }
            return document(slice, include: include, children: children, extra: ["links": links, "meta": ["page_size": size, "max_page_size": 200]])
        }
        let number = max(1, Int(request.value("page[number]") ?? "1") ?? 1)
        let totalPages = max(1, (matching.count + size - 1) / size)
        let slice = Array(matching.dropFirst((number - 1) * size).prefix(size))
        func page(_ n: Int) -> String { link(request, [("page[number]", String(n)), ("page[size]", String(size))]) }
        var links = ["first": page(1), "last": page(totalPages)]
        if number < totalPages { links["next"] = page(number + 1) }
        if number > 1 { links["prev"] = page(min(number - 1, totalPages)) }
        return document(
            slice, include: include, children: children,
            extra: [
                "links": links,
                "meta": ["current_page": number, "total_pages": totalPages, "total_count": matching.count, "page_size": size, "max_page_size": 200],
            ])
    }

    func document(_ list: [Task], include: Set<String>, children: [Int: [Task]], extra: [String: Any]) -> FakeResponse {
        var body = extra
        body["data"] = list.map { json($0, include: include, children: children) }
        if !include.isEmpty { body["included"] = included(list, include: include, children: children) }
        return .json(200, body, contentType: Self.contentType)
    }

    func single(_ status: Int, _ task: Task, include: Set<String>) -> FakeResponse {
        let children = [task.id: tasks.values.filter { $0.parentID == task.id && $0.deletedAt == nil }]
        var body: [String: Any] = ["data": json(task, include: include, children: children), "meta": [:]]
        if !include.isEmpty { body["included"] = included([task], include: include, children: children) }
        return .json(status, body, contentType: Self.contentType)
    }

    func read(_ idText: String, _ request: FakeRequest) -> FakeResponse {
        guard let id = Int(idText), let task = tasks[id] else { return Self.error(404, "Record Not Found") }
        switch includes(request, names: Self.relationshipNames) {
        case .success(let include): return single(200, task, include: include)
        case .failure(let r): return r
        }
    }

    static func id(_ value: Any?) -> String? {
        (value as? String) ?? (value as? NSNumber)?.stringValue
    }

    /// What a POST or PATCH writes, applied to `task`; the 422 items, if any.
    func write(_ data: [String: Any], to task: inout Task) -> [[String: Any]] {
        var errors: [[String: Any]] = []
        let attributes = data["attributes"] as? [String: Any] ?? [:]
        let relationships = data["relationships"] as? [String: Any] ?? [:]
        func readOnly(_ name: String) {
            if options.readOnlyAttributes == .reject { errors.append(Self.invalid(name, "is read-only")) }
        }
        func optionalDate(_ name: String, _ value: Any) -> String?? {
            if value is NSNull { return .some(nil) }
            guard let text = value as? String, FakeTime.isDate(text) else {
                errors.append(Self.invalid(name, "is not a date"))
                return nil
            }
            return .some(text)
        }
        func optionalInt(_ name: String, _ value: Any) -> Int?? {
            if value is NSNull { return .some(nil) }
            if let n = value as? NSNumber { return .some(n.intValue) }
            if let s = value as? String, let n = Int(s) { return .some(n) }
            errors.append(Self.invalid(name, "is not a number"))
            return nil
        }
        func status(_ value: Any?) {
            guard let s = Self.id(value), workflowStatuses[s] != nil else {
                errors.append(Self.invalid("workflow_status", "is invalid"))
                return
            }
            task.workflowStatusID = s
        }
        func parent(_ value: Any?) {
            if value == nil || value is NSNull {
                task.parentID = nil
                return
            }
            guard let p = Self.id(value).flatMap(Int.init), p != task.id, tasks[p]?.deletedAt == nil, tasks[p] != nil else {
                errors.append(Self.invalid("parent_task", "is invalid"))
                return
            }
            task.parentID = p
        }
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            switch name {
            case "title":
                if let t = value as? String { task.title = t } else { errors.append(Self.invalid(name, "is invalid")) }
            case "description":
                if value is NSNull {
                    task.description = nil
                } else if let d = value as? String {
                    task.description = d
                } else {
                    errors.append(Self.invalid(name, "is invalid"))
                }
            case "due_date": if let d = optionalDate(name, value) { task.dueDate = d }
            case "start_date": if let d = optionalDate(name, value) { task.startDate = d }
            case "private":
                if let b = value as? Bool { task.isPrivate = b } else { errors.append(Self.invalid(name, "is invalid")) }
            case "initial_estimate": if let n = optionalInt(name, value) { task.initialEstimate = n }
            case "remaining_time": if let n = optionalInt(name, value) { task.remainingTime = n }
            case "type_id": if let n = optionalInt(name, value), let n { task.typeID = n }
            case "tag_list":
                if let tags = value as? [String] { task.tags = tags } else { errors.append(Self.invalid(name, "is invalid")) }
            case "assignee_id": task.assigneeID = Self.id(value)
            case "workflow_status_id": status(value)
            case "project_id": if let p = Self.id(value) { task.projectID = p }
            case "task_list_id": if let l = Self.id(value) { task.taskListID = l }
            default: readOnly(name)
            }
        }
        for (name, value) in relationships.sorted(by: { $0.key < $1.key }) {
            guard let member = value as? [String: Any], member.keys.contains("data") else {
                errors.append(Self.invalid(name, "is invalid"))
                continue
            }
            let target = member["data"]
            let one = target as? [String: Any]
            switch name {
            case "project": if let p = Self.id(one?["id"]) { task.projectID = p }
            case "task_list": if let l = Self.id(one?["id"]) { task.taskListID = l }
            case "workflow_status": status(one?["id"])
            case "assignee": task.assigneeID = Self.id(one?["id"])
            case "parent_task": parent(target is NSNull ? nil : one?["id"])
            case "subscribers": task.subscriberIDs = (target as? [[String: Any]] ?? []).compactMap { Self.id($0["id"]) }
            default: readOnly(name)
            }
        }
        return errors
    }

    func create(_ body: [String: Any], _ request: FakeRequest) -> FakeResponse {
        guard let data = body["data"] as? [String: Any], data["type"] as? String == "tasks" else {
            return Self.error(400, "Bad Request", "data.type must be tasks")
        }
        let include: Set<String>
        switch includes(request, names: Self.relationshipNames, writing: true) {
        case .success(let i): include = i
        case .failure(let r): return r
        }
        let now = clock.tick()
        var task = Task(
            id: 0, title: "", description: nil, closed: false, dueDate: nil, tags: [], workflowStatusID: "", parentID: nil, projectID: "",
            taskListID: "", createdAt: now, updatedAt: now, deletedAt: nil)
        task.creatorID = Self.apiPersonID
        task.lastActorID = Self.apiPersonID
        task.lastActivityAt = FakeTime.wholeSeconds(now)
        let errors = write(data, to: &task)
        // The document's order: title, project, task_list.
        var blank: [[String: Any]] = []
        if task.title.isEmpty { blank.append(Self.invalid("title", "can't be blank")) }
        if task.projectID.isEmpty { blank.append(Self.invalid("project", "can't be blank")) }
        if task.taskListID.isEmpty { blank.append(Self.invalid("task_list", "can't be blank")) }
        guard blank.isEmpty, errors.isEmpty else { return Self.unprocessable(blank + errors) }
        if task.workflowStatusID.isEmpty {
            // "If not send on task create, task gets opened in the projects default workflow status."
            let sorted = workflowStatuses.keys.sorted()
            task.workflowStatusID = sorted.first { category($0) == 1 } ?? sorted.first ?? ""
        }
        task.id = newID()
        task.number = nextNumber(task.projectID)
        settle(&task, now: now)
        tasks[task.id] = task
        return single(201, task, include: include)
    }

    func update(_ idText: String, _ body: [String: Any], _ request: FakeRequest) -> FakeResponse {
        guard let id = Int(idText), var task = tasks[id], task.deletedAt == nil else { return Self.error(404, "Record Not Found") }
        guard let data = body["data"] as? [String: Any] else { return Self.error(400, "Bad Request", "no data") }
        let include: Set<String>
        switch includes(request, names: Self.relationshipNames, writing: true) {
        case .success(let i): include = i
        case .failure(let r): return r
        }
        var errors = write(data, to: &task)
        if task.title.isEmpty { errors.insert(Self.invalid("title", "can't be blank"), at: 0) }
        guard errors.isEmpty else { return Self.unprocessable(errors) }
        let now = clock.tick()
        settle(&task, now: now)
        task.updatedAt = now
        task.lastActorID = Self.apiPersonID
        tasks[id] = task
        return single(200, task, include: include)
    }

    func delete(_ idText: String) -> FakeResponse {
        guard let id = Int(idText), tasks[id]?.deletedAt == nil, tasks[id] != nil else { return Self.error(404, "Record Not Found") }
        tasks[id]?.deletedAt = clock.tick()  // "archives task and deletes comments"
        comments = comments.filter { $0.value.taskID != id }
        return FakeResponse(status: 204)
    }

    // MARK: comments

    func listComments(_ request: FakeRequest) -> FakeResponse {
        let size: Int
        let include: Set<String>
        let filters: [Filter]
        switch (Self.pageSize(request), includes(request, names: Self.commentRelationshipNames), Self.filters(request, known: ["task_id"])) {
        case (.success(let s), .success(let i), .success(let f)): (size, include, filters) = (s, i, f)
        case (.failure(let r), _, _), (_, .failure(let r), _), (_, _, .failure(let r)): return r
        }
        let taskIDs = filters.first.map { Set($0.value.split(separator: ",").compactMap { Int($0) }) }
        let number = max(1, Int(request.value("page[number]") ?? "1") ?? 1)
        let matching = comments.values.filter { taskIDs?.contains($0.taskID) ?? true }.sorted { $0.id < $1.id }
        let totalPages = max(1, (matching.count + size - 1) / size)
        func page(_ n: Int) -> String { link(request, [("page[number]", String(n)), ("page[size]", String(size))]) }
        var links = ["first": page(1), "last": page(totalPages)]
        if number < totalPages { links["next"] = page(number + 1) }
        return .json(
            200,
            [
                "data": matching.dropFirst((number - 1) * size).prefix(size).map { json($0, include: include) },
                "links": links,
                "meta": ["current_page": number, "total_pages": totalPages, "total_count": matching.count, "page_size": size, "max_page_size": 200],
            ], contentType: Self.contentType)
    }

    func createComment(_ body: [String: Any], _ request: FakeRequest) -> FakeResponse {
        guard let data = body["data"] as? [String: Any], data["type"] as? String == "comments" else {
            return Self.error(400, "Bad Request", "data.type must be comments")
        }
        let include: Set<String>
        switch includes(request, names: Self.commentRelationshipNames, writing: true) {
        case .success(let i): include = i
        case .failure(let r): return r
        }
        let attributes = data["attributes"] as? [String: Any] ?? [:]
        let relationships = data["relationships"] as? [String: Any] ?? [:]
        var errors: [[String: Any]] = []
        let text = attributes["body"] as? String ?? ""
        if text.isEmpty { errors.append(Self.invalid("body", "can't be blank")) }
        let taskID = Self.id(((relationships["task"] as? [String: Any])?["data"] as? [String: Any])?["id"]).flatMap(Int.init)
        if taskID == nil || tasks[taskID!] == nil || tasks[taskID!]?.deletedAt != nil { errors.append(Self.invalid("task", "can't be blank")) }
        if options.readOnlyAttributes == .reject {
            errors += attributes.keys.sorted().filter { $0 != "body" }.map { Self.invalid($0, "is read-only") }
            errors += relationships.keys.sorted().filter { $0 != "task" }.map { Self.invalid($0, "is read-only") }
        }
        guard errors.isEmpty, let taskID else { return Self.unprocessable(errors) }
        let now = clock.tick()
        let comment = Comment(id: newID(), taskID: taskID, body: text, createdAt: now)
        comments[comment.id] = comment
        if options.commentTouchesUpdatedAt { tasks[taskID]?.updatedAt = now }
        if options.commentTouchesLastActivity { tasks[taskID]?.lastActivityAt = FakeTime.wholeSeconds(now) }
        return .json(201, ["data": json(comment, include: include), "meta": [:]], contentType: Self.contentType)
    }

    // MARK: JSON

    func stamp(_ date: Date) -> String {
        FakeTime.iso(date, offsetHours: FakeTime.centralEuropeanOffset(date), milliseconds: true)
    }

    static func relationship(_ name: String, _ include: Set<String>, _ data: @autoclosure () -> Any) -> [String: Any] {
        include.contains(name) ? ["data": data()] : ["meta": ["included": false]]
    }

    static func ref(_ type: String, _ id: String?) -> Any {
        id.map { ["type": type, "id": $0] as [String: Any] } ?? NSNull()
    }

    func json(_ c: Comment, include: Set<String>) -> [String: Any] {
        [
            "id": String(c.id), "type": "comments",
            "attributes": ["body": c.body, "created_at": stamp(c.createdAt), "updated_at": stamp(c.createdAt), "deleted_at": NSNull()],
            "relationships": [
                "organization": ["data": ["type": "organizations", "id": organizationID]],
                "task": Self.relationship("task", include, Self.ref("tasks", String(c.taskID))),
                "creator": Self.relationship("creator", include, Self.ref("people", Self.apiPersonID)),
            ],
        ]
    }

    /// Live subtasks by parent, kept while nothing changes.
    func childrenByParent() -> [Int: [Task]] {
        if children.generation != generation {
            children = (generation, Dictionary(grouping: tasks.values.filter { $0.parentID != nil && $0.deletedAt == nil }, by: { $0.parentID! }))
        }
        return children.byParent
    }

    /// A stable 32-hex-digit `email_key` for a task id.
    static func emailKey(_ id: Int) -> String {
        var x = UInt64(truncatingIfNeeded: id) &+ 0x9E37_79B9_7F4A_7C15
        var out = ""
        for _ in 0..<2 {
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            x ^= x >> 31
            let hex = String(x, radix: 16)
            out += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return out
    }

    /// The task as the document's answers show it: every attribute, every
    /// relationship, `data` only for the included ones (`organization` always).
    func json(_ t: Task, include: Set<String>, children: [Int: [Task]]) -> [String: Any] {
        let subtasks = children[t.id] ?? []
        let numeric = options.numericRelationshipIDs
        func rel(_ name: String, _ type: String, _ id: String?) -> [String: Any] {
            guard include.contains(name) else { return ["meta": ["included": false]] }
            guard let id else { return ["data": NSNull()] }
            return ["data": ["type": type, "id": numeric.contains(name) ? Int(id).map { $0 as Any } ?? id : id]]
        }
        func rel(_ name: String, _ data: Any) -> [String: Any] { Self.relationship(name, include, data) }
        return [
            "id": String(t.id), "type": "tasks",
            "attributes": [
                "title": t.title, "description": t.description ?? NSNull(), "number": String(t.number), "task_number": String(t.number),
                "private": t.isPrivate, "due_date": t.dueDate ?? NSNull(), "start_date": t.startDate ?? NSNull(),
                "closed_at": t.closedAt.map(stamp) ?? NSNull(), "created_at": stamp(t.createdAt), "updated_at": stamp(t.updatedAt),
                "repeat_schedule_id": NSNull(), "repeat_on_interval": NSNull(), "repeat_on_monthday": NSNull(), "repeat_on_weekday": [],
                "repeat_on_date": NSNull(), "repeat_origin_id": NSNull(), "email_key": Self.emailKey(t.id), "custom_fields": NSNull(),
                "todo_count": NSNull(), "open_todo_count": NSNull(),
                "subtask_count": subtasks.isEmpty ? NSNull() : subtasks.count as Any,
                "open_subtask_count": subtasks.isEmpty ? NSNull() : subtasks.filter { !$0.closed }.count as Any,
                "creation_method_id": 1, "todo_assignee_ids": [], "task_dependency_count": 0, "type_id": t.typeID,
                "blocking_dependency_count": 0, "waiting_on_dependency_count": 0, "linked_dependency_count": 0, "placement": NSNull(),
                "subtask_placement": NSNull(), "closed": t.closed, "due_time": NSNull(), "tag_list": t.tags,
                "last_activity_at": stamp(t.lastActivityAt), "initial_estimate": t.initialEstimate ?? NSNull(),
                "remaining_time": t.remainingTime ?? NSNull(), "billable_time": NSNull(), "worked_time": NSNull(),
                "deleted_at": t.deletedAt.map(stamp) ?? NSNull(),
            ] as [String: Any],
            "relationships": [
                "organization": ["data": ["type": "organizations", "id": organizationID]],
                "project": rel("project", "projects", t.projectID),
                "creator": rel("creator", "people", t.creatorID),
                "assignee": rel("assignee", "people", t.assigneeID),
                "last_actor": rel("last_actor", "people", t.lastActorID),
                "task_list": rel("task_list", "task_lists", t.taskListID),
                "parent_task": rel("parent_task", "tasks", t.parentID.map(String.init)),
                "workflow_status": rel("workflow_status", "workflow_statuses", t.workflowStatusID),
                "repeated_task": rel("repeated_task", NSNull()),
                "attachments": rel("attachments", [Any]()),
                "custom_field_people": rel("custom_field_people", [Any]()),
                "custom_field_attachments": rel("custom_field_attachments", [Any]()),
            ],
        ]
    }

    /// JSON:API's `included`: the resources the included relationships point to.
    func included(_ list: [Task], include: Set<String>, children: [Int: [Task]]) -> [[String: Any]] {
        var out: [String: [String: Any]] = [:]
        func add(_ type: String, _ id: String?, _ attributes: @autoclosure () -> [String: Any]) {
            guard let id, out["\(type)/\(id)"] == nil else { return }
            out["\(type)/\(id)"] = ["type": type, "id": id, "attributes": attributes()]
        }
        for t in list {
            for name in include {
                switch name {
                case "project": add("projects", t.projectID, ["name": "Project \(t.projectID)"])
                case "task_list": add("task_lists", t.taskListID, ["name": "Task list \(t.taskListID)"])
                case "workflow_status":
                    add(
                        "workflow_statuses", t.workflowStatusID,
                        ["name": workflowStatuses[t.workflowStatusID] ?? "", "category_id": category(t.workflowStatusID)])
                case "creator": add("people", t.creatorID, ["first_name": "Person", "last_name": t.creatorID])
                case "assignee": add("people", t.assigneeID, ["first_name": "Person", "last_name": t.assigneeID ?? ""])
                case "last_actor": add("people", t.lastActorID, ["first_name": "Person", "last_name": t.lastActorID])
                case "parent_task":
                    if let p = t.parentID, let parent = tasks[p], out["tasks/\(p)"] == nil {
                        out["tasks/\(p)"] = json(parent, include: [], children: children)
                    }
                default: break
                }
            }
        }
        return out.keys.sorted().map { out[$0]! }
    }
}
