import Foundation

/// A local HelpSpace that follows provider-docs/helpspace-tasks.txt and
/// NOTES.md: Bearer token and `Hs-Client-Id` required, Laravel pagination
/// with `per-page` (1-50), PATCH answering 201, DELETE 200 with a JSON body,
/// statuses that belong to a board (422 otherwise), the list filters of the
/// document, comments read-only under `/task/{id}/comments`.
///
/// Where the document is silent the fake takes a side, and ``Options`` can
/// turn it; bodies are read as Laravel reads them (a body that is not
/// `application/json` is no input at all).
public actor FakeHelpSpace {
    /// The switches for what the documents do not settle. Each names the
    /// document line it stands for.
    public struct Options: Sendable, Equatable {
        public enum SubTasks: Sendable, Equatable {
            /// Listed items are updated (with `id`) or added (without); the others stay.
            case merge
            /// The list is the new whole: items not listed are removed.
            case replace
        }

        public enum TimestampForm: Sendable, Equatable {
            /// `2025-04-24T14:49:34+00:00` everywhere, as every answer in the document.
            case offset
            /// `2025-04-24T14:49:34Z` everywhere.
            case zulu
            /// Both: a task's and a comment's own `created_at`, `updated_at` and
            /// `deleted_at` in `+00:00` (the answers' form), `due_at`, `done_at`
            /// and everything inside `sub_tasks` in `Z` (the form the create
            /// example writes `due_at` in).
            case both
        }

        public enum UnknownFields: Sendable, Equatable {
            /// Dropped silently, as Laravel does by default.
            case ignore
            /// 422 `{"message":..., "errors":{"NAME":["The NAME field is prohibited."]}}`.
            case reject
        }

        public enum RetryAfter: Sendable, Equatable {
            /// `Retry-After: 30`.
            case seconds
            /// `Retry-After: Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §10.2.3, IMF-fixdate).
            case httpDate
        }

        public enum Archived: String, Sendable, Equatable {
            case with, only, without
        }

        /// Whether a new comment moves its task's `updated_at`. The document
        /// (helpspace-tasks.txt, "Task comments") is silent; default false.
        public var commentTouchesTask: Bool
        /// The `priority` a task created without one gets. The document lists
        /// `priority` in "Task create field list" without a default; its task
        /// example shows `"priority": "medium"`. Default `"medium"`: the more
        /// surprising side, a value the client never sent. `nil`: none.
        public var defaultPriority: String?
        /// What PATCH `sub_tasks` does to the items it does not list. The
        /// document ("Task update field list", `sub_tasks`: `"id": 24 //
        /// Optional - To update existing sub task`) is silent. Default
        /// `.replace`, the stricter side: a client must send the whole list.
        public var subTasks: SubTasks
        /// The timestamp form of answers. Every answer in the document has
        /// `+00:00`; the create example writes `"due_at": "2025-09-15T10:30:00Z"`.
        /// Default `.both`: a client must read both forms.
        public var timestamps: TimestampForm
        /// Body fields that are not in "Task create field list" / "Task update
        /// field list" (or the PATCH example). The document is silent. Default
        /// `.reject`, the stricter side.
        public var unknownFields: UnknownFields
        /// The form of a 429's `Retry-After`. NOTES.md: "Rate limits and error
        /// bodies: unconfirmed. Expect ... 429." Default `.seconds`.
        public var retryAfter: RetryAfter
        /// What a list without `archived=` holds. The document lists
        /// `archived=only (with|only|without)` without a default; NOTES.md:
        /// "Whether a plain list includes them is unconfirmed". Default
        /// `.without`: archived tasks vanish from a plain list.
        public var plainListArchived: Archived
        /// Whether `links` keep the request's query (filters, `per-page`).
        /// The document's links ("Task comments") carry `?page=N` only, as
        /// Laravel's paginator does unless told otherwise. Default false.
        public var linksKeepQuery: Bool
        /// The status of a PATCH answer: the document's table says 201, its
        /// example "200 Response"; NOTES.md: "PATCH answers 201". Default 201.
        public var patchStatus: Int
        /// Keep connections open or close each after its answer. The
        /// documents are silent.
        public var connection: ConnectionPolicy

        public init(
            commentTouchesTask: Bool = false, defaultPriority: String? = "medium", subTasks: SubTasks = .replace, timestamps: TimestampForm = .both,
            unknownFields: UnknownFields = .reject, retryAfter: RetryAfter = .seconds, plainListArchived: Archived = .without,
            linksKeepQuery: Bool = false, patchStatus: Int = 201, connection: ConnectionPolicy = .keepAlive
        ) {
            self.commentTouchesTask = commentTouchesTask
            self.defaultPriority = defaultPriority
            self.subTasks = subTasks
            self.timestamps = timestamps
            self.unknownFields = unknownFields
            self.retryAfter = retryAfter
            self.plainListArchived = plainListArchived
            self.linksKeepQuery = linksKeepQuery
            self.patchStatus = patchStatus
            self.connection = connection
        }
    }

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

    public struct Attachment: Sendable {
        public var id: Int64
        public var name: String
        public var mimeType: String
        public var size: Int
        public var createdAt: Date
    }

    public struct Task: Sendable {
        public var id: Int64
        public var title: String
        public var description: String?
        public var priority: String?
        /// 0: no status (a task without a board).
        public var statusID: Int64
        /// 0: no board (`no_board=1`).
        public var boardID: Int64
        public var tags: [String]
        public var subtasks: [Subtask]
        public var isArchived: Bool
        /// As written; answered in the fake's timestamp form when it parses.
        public var dueAt: String?
        public var doneAt: Date?
        public var createdAt: Date
        public var updatedAt: Date
        public var deletedAt: Date?
        public var comments: [Comment]
        public var creatorID: Int64 = 3
        public var assigneeID: Int64?
        public var customerID: Int64?
        public var watcherIDs: [Int64] = []
        public var ticketIDs: [Int64] = []
        public var attachments: [Attachment] = []
    }

    public nonisolated let token: String
    public nonisolated let clientID: String
    /// status id -> (board id, name)
    public private(set) var statuses: [Int64: (board: Int64, name: String)]
    public private(set) var tasks: [Int64: Task] = [:] {
        didSet { generation &+= 1 }
    }
    public private(set) var ledger = RequestLedger()
    public private(set) var options: Options
    let clock: FakeClock
    var nextID: Int64 = 500
    var server: FakeHTTPServer?
    var baseURL = ""
    var generation = 0
    var cache = PageCache()
    /// When `is_overdue` next flips for some task, per generation.
    var overdueHorizon: (generation: Int, at: Double) = (-1, 0)
    var tagIDs: [String: Int] = [:]
    var listing = ListingMemo<Int64>()

    public init(
        token: String = "hs-token", clientID: String = "hs-client",
        statuses: [Int64: (board: Int64, name: String)] = [1: (1, "To do"), 2: (1, "Doing"), 3: (1, "Done")],
        clock: FakeClock = FakeClock(), options: Options = Options()
    ) {
        self.token = token
        self.clientID = clientID
        self.statuses = statuses
        self.clock = clock
        self.options = options
    }

    /// Starts serving on 127.0.0.1; returns the base URL.
    public func start() async throws -> String {
        let server = try await FakeHTTPServer { [self] request in
            let delay = await self.latency
            if delay > 0 { try? await _Concurrency.Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
            return await self.handle(request)
        }
        self.server = server
        baseURL = "http://127.0.0.1:\(server.port)"
        return baseURL
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

    // MARK: what a person does in HelpSpace's own UI

    @discardableResult
    public func seed(
        title: String, description: String? = nil, statusID: Int64 = 1, boardID: Int64 = 1, tags: [String] = [],
        priority: String? = nil, subtasks: [String] = [], dueAt: String? = nil
    ) -> Int64 {
        let now = clock.tick()
        let id = newID()
        let subs = subtasks.map { Subtask(id: newID(), title: $0, doneAt: nil, createdAt: now, updatedAt: now) }
        register(tags)
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
        register(task.tags)
        if !keepingTimestamp { task.updatedAt = clock.tick() }
        tasks[id] = task
    }

    /// Adds a comment. It moves its task's `updated_at` only when
    /// ``Options/commentTouchesTask`` is on and not `keepingTimestamp` (a
    /// comment in the same second as the last change).
    public func addComment(_ taskID: Int64, text: String, author: String, keepingTimestamp: Bool = false) {
        let now = clock.tick()
        let id = newID()
        tasks[taskID]?.comments.append(Comment(id: id, text: text, author: author, createdAt: now))
        if options.commentTouchesTask, !keepingTimestamp { tasks[taskID]?.updatedAt = now }
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

    /// Tags are global, each with one id.
    func register(_ tags: [String]) {
        for tag in tags where tagIDs[tag] == nil { tagIDs[tag] = tagIDs.count + 1 }
    }

    // MARK: the API

    static func invalid(_ field: String, _ message: String) -> FakeResponse {
        .json(422, ["message": message, "errors": [field: [message]]])
    }

    func handle(_ request: FakeRequest) -> FakeResponse {
        var answer = serve(request)
        ledger.answered(answer.status)
        if options.connection == .close { answer.closesConnection = true }
        return answer
    }

    func serve(_ request: FakeRequest) -> FakeResponse {
        ledger.record(request)
        if let fault = ledger.nextFault(for: request.method, isCreate: isCreate(request)) {
            switch fault {
            case .status(let code): return .json(code, ["message": "Server Error"])
            case .rateLimited(let seconds): return tooManyRequests(seconds)
            case .malformedBody: return FakeResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data("{\"data\": [{\"id\": ".utf8))
            case .dropAfterCreate:
                var answer = route(request)
                answer.dropsConnection = true
                return answer
            }
        }
        return route(request)
    }

    /// A POST, or a PATCH whose `sub_tasks` adds an item (one without `id`).
    func isCreate(_ request: FakeRequest) -> Bool {
        if request.method == "POST" { return true }
        guard request.method == "PATCH", let items = input(request)["sub_tasks"] as? [Any] else { return false }
        return items.contains { ($0 as? [String: Any])?["id"] == nil }
    }

    func tooManyRequests(_ seconds: Int) -> FakeResponse {
        var r = FakeResponse.json(429, ["message": "Too Many Attempts."])
        switch options.retryAfter {
        case .seconds: r.headers["Retry-After"] = String(seconds)
        case .httpDate: r.headers["Retry-After"] = FakeTime.httpDate(clock.now().addingTimeInterval(Double(seconds)))
        }
        return r
    }

    /// The body as Laravel reads it: JSON only under a JSON content type;
    /// anything else (or JSON that does not parse) is no input at all.
    func input(_ request: FakeRequest) -> [String: Any] {
        guard let type = request.headers["content-type"]?.lowercased(), type.contains("/json") || type.contains("+json") else { return [:] }
        return request.json ?? [:]
    }

    func route(_ request: FakeRequest) -> FakeResponse {
        guard request.headers["authorization"] == "Bearer \(token)" else {
            return .json(401, ["message": "Unauthenticated."])
        }
        guard request.headers["hs-client-id"] == clientID else {
            return .json(401, ["message": "Unauthenticated. Hs-Client-Id is missing or wrong."])
        }
        let parts = request.path.split(separator: "/").map(String.init)
        // api v1 scrum tasks {id} comments; the document spells DELETE and the
        // comments path with a singular `task` too.
        guard parts.count >= 4, parts.count <= 6, parts[0] == "api", parts[1] == "v1", parts[2] == "scrum", ["tasks", "task"].contains(parts[3])
        else { return .json(404, ["message": "Not Found"]) }
        let singular = parts[3] == "task"
        if request.method == "GET" {
            let key = request.path + "?" + request.rawQuery
            let now = clock.now().timeIntervalSince1970
            if let page = cache.page(key, generation: generation, now: now) { return page }
            let page = get(parts, singular: singular, request)
            if page.status == 200 { cache.keep(page, for: key, validUntil: nextOverdueFlip(after: now)) }
            return page
        }
        switch (request.method, parts.count) {
        case ("POST", 4) where !singular: return create(input(request))
        case ("PATCH", 5) where !singular: return update(parts[4], input(request))
        case ("DELETE", 5): return delete(parts[4])
        default: return .json(405, ["message": "The \(request.method) method is not supported for this route."])
        }
    }

    func get(_ parts: [String], singular: Bool, _ request: FakeRequest) -> FakeResponse {
        switch parts.count {
        case 4 where !singular: return list(request)
        case 5 where !singular: return read(parts[4])
        case 6 where parts[5] == "comments": return comments(parts[4], request)
        default: return .json(404, ["message": "Not Found"])
        }
    }

    /// When the next live, undone task passes its due time (a page's
    /// `is_overdue` flips then).
    func nextOverdueFlip(after now: Double) -> Double {
        if overdueHorizon.generation == generation, overdueHorizon.at > now { return overdueHorizon.at }
        var next = Double.infinity
        for t in tasks.values where t.deletedAt == nil && t.doneAt == nil {
            if let due = t.dueAt.flatMap(FakeTime.parseDateOrTime)?.timeIntervalSince1970, due > now { next = min(next, due) }
        }
        overdueHorizon = (generation, next)
        return next
    }

    // MARK: listing

    func link(_ request: FakeRequest, page: Int) -> String {
        var query = [("page", String(page))]
        if options.linksKeepQuery { query = request.query.filter { $0.0 != "page" } + query }
        return baseURL + request.path + "?" + query.map { fakePercentEncode($0.0) + "=" + fakePercentEncode($0.1) }.joined(separator: "&")
    }

    /// Laravel's `links` and `meta` for one page of `total` items.
    func paginated(_ data: [Any], total: Int, page: Int, perPage: Int, _ request: FakeRequest) -> FakeResponse {
        let lastPage = max(1, (total + perPage - 1) / perPage)
        let from: Any = data.isEmpty ? NSNull() : (page - 1) * perPage + 1
        let to: Any = data.isEmpty ? NSNull() : (page - 1) * perPage + data.count
        let prev: Any = page > 1 ? link(request, page: page - 1) : NSNull()
        let next: Any = page < lastPage ? link(request, page: page + 1) : NSNull()
        let links: [String: Any] = ["first": link(request, page: 1), "last": link(request, page: lastPage), "prev": prev, "next": next]
        let meta: [String: Any] = [
            "current_page": page, "from": from, "last_page": lastPage, "path": baseURL + request.path, "per_page": perPage, "to": to, "total": total,
        ]
        return .json(200, ["data": data, "links": links, "meta": meta])
    }

    func list(_ request: FakeRequest) -> FakeResponse {
        let perPage = Int(request.value("per-page") ?? "15") ?? 0
        guard (1...50).contains(perPage) else {
            return Self.invalid("per-page", "The per-page must be between 1 and 50.")
        }
        let page = max(1, Int(request.value("page") ?? "1") ?? 1)
        let archived = request.value("archived").flatMap(Options.Archived.init(rawValue:)) ?? options.plainListArchived
        let now = clock.now()
        // `name|id` lists: a value matches an id, or a name.
        func matches(_ values: [String], id: Int64?, name: String?) -> Bool {
            values.isEmpty || values.contains { $0 == id.map(String.init) || (name != nil && $0.lowercased() == name!.lowercased()) }
        }
        let q = (
            assignees: request.values("assignees[]"), boards: request.values("boards[]"), creators: request.values("creators[]"),
            customers: request.values("customers[]"), tickets: request.values("tickets[]"), tags: request.values("tags[]"),
            tasks: request.values("tasks[]"), titles: request.values("titles[]"), done: request.values("done[]"),
            overdue: request.value("overdue"), noBoard: request.value("no_board") == "1"
        )
        let select = {
            self.tasks.values.filter { t in
                guard t.deletedAt == nil, archived == .with || (archived == .only) == t.isArchived else { return false }
                guard matches(q.assignees, id: t.assigneeID, name: t.assigneeID.map(Self.personName)),
                    matches(q.boards, id: t.boardID == 0 ? nil : t.boardID, name: t.boardID == 0 ? nil : Self.boardName(t.boardID)),
                    matches(q.creators, id: t.creatorID, name: Self.personName(t.creatorID)),
                    matches(q.customers, id: t.customerID, name: t.customerID.map(Self.personName)),
                    q.tickets.isEmpty || t.ticketIDs.contains(where: { q.tickets.contains(String($0)) }),
                    q.tags.isEmpty || t.tags.contains(where: { tag in q.tags.contains { $0.lowercased() == tag.lowercased() } }),
                    q.tasks.isEmpty || q.tasks.contains(where: { $0 == String(t.id) || t.title.lowercased().contains($0.lowercased()) }),
                    q.titles.isEmpty || q.titles.contains(where: { t.title.lowercased().contains($0.lowercased()) }),
                    q.done.isEmpty || q.done.contains((t.doneAt != nil) ? "1" : "0"),
                    q.overdue == nil || (q.overdue == "1") == self.isOverdue(t, now: now),
                    !q.noBoard || t.boardID == 0
                else { return false }
                return true
            }.map(\.id).sorted()
        }
        // `overdue` depends on the time: never kept.
        let key = request.query.filter { $0.0 != "page" }.map { $0.0 + "=" + $0.1 }.joined(separator: "&") + "|" + archived.rawValue
        let matching = q.overdue == nil ? listing.ids(key, generation: generation, select) : select()
        let slice = matching.dropFirst((page - 1) * perPage).prefix(perPage)
        return paginated(slice.map { json(tasks[$0]!, now: now) }, total: matching.count, page: page, perPage: perPage, request)
    }

    func read(_ idText: String) -> FakeResponse {
        // Soft-deleted tasks are gone for a read, as Laravel's default scope has it.
        guard let id = Int64(idText), let task = tasks[id], task.deletedAt == nil else { return .json(404, ["message": "Not Found"]) }
        return .json(200, ["data": json(task, now: clock.now())])
    }

    func comments(_ idText: String, _ request: FakeRequest) -> FakeResponse {
        guard let id = Int64(idText), let task = tasks[id], task.deletedAt == nil else { return .json(404, ["message": "Not Found"]) }
        let perPage = 15
        let page = max(1, Int(request.value("page") ?? "1") ?? 1)
        let slice = task.comments.dropFirst((page - 1) * perPage).prefix(perPage)
        let data = slice.map { c in
            [
                "id": c.id, "text": c.text, "parent_id": NSNull(),
                "commentator": ["id": 91, "name": c.author, "email": "someone@example.com"],
                "reactions": [], "attachments": [], "created_at": own(c.createdAt), "updated_at": own(c.createdAt),
            ] as [String: Any]
        }
        return paginated(data, total: task.comments.count, page: page, perPage: perPage, request)
    }

    // MARK: writing

    /// "Task create field list".
    static let createFields: Set<String> = [
        "title", "description", "priority", "creator_id", "assignee_id", "customer_id", "watchers", "tickets", "status_id", "board_id", "sub_tasks",
        "attachments", "tags", "due_at", "done_at", "is_archived",
    ]
    /// "Task update field list" (with its `piority`), and the PATCH example's
    /// `creator`, `assignee`, `customer`.
    static let updateFields: Set<String> = createFields.union(["piority", "creator", "assignee", "customer"])
    static let priorities = ["very low", "low", "medium", "high", "very high"]

    func unknown(_ body: [String: Any], known: Set<String>) -> FakeResponse? {
        guard options.unknownFields == .reject, let name = body.keys.sorted().first(where: { !known.contains($0) }) else { return nil }
        return Self.invalid(name, "The \(name) field is prohibited.")
    }

    /// `status_id` (which must belong to `board_id` when both are sent), or
    /// the board's default backlog status (its lowest status id).
    func placement(_ body: [String: Any]) -> Result<(status: Int64, board: Int64)?, FakeResponse> {
        let board = body["board_id"].flatMap { ($0 as? NSNumber)?.int64Value }
        if let s = body["status_id"], !(s is NSNull) {
            guard let s = (s as? NSNumber)?.int64Value, let known = statuses[s], board == nil || known.board == board else {
                return .failure(Self.invalid("status_id", "The status does not belong to the board."))
            }
            return .success((s, known.board))
        }
        if let board {
            guard let backlog = statuses.filter({ $0.value.board == board }).keys.min() else {
                return .failure(Self.invalid("board_id", "The selected board id is invalid."))
            }
            return .success((backlog, board))
        }
        return .success(nil)
    }

    func create(_ body: [String: Any]) -> FakeResponse {
        if let refusal = unknown(body, known: Self.createFields) { return refusal }
        guard let title = body["title"] as? String, !title.isEmpty else {
            return Self.invalid("title", "The title field is required.")
        }
        let now = clock.tick()
        var task = Task(
            id: 0, title: title, description: nil, priority: nil, statusID: 0, boardID: 0, tags: [], subtasks: [], isArchived: false, dueAt: nil,
            doneAt: nil, createdAt: now, updatedAt: now, deletedAt: nil, comments: [])
        switch placement(body) {
        case .failure(let r): return r
        case .success(let p): if let p { (task.statusID, task.boardID) = p }
        }
        if body["priority"] == nil { task.priority = options.defaultPriority }
        if let error = apply(body, to: &task, now: now) { return error }
        task.id = newID()
        tasks[task.id] = task
        return .json(201, ["data": json(task, now: now)])
    }

    func update(_ idText: String, _ body: [String: Any]) -> FakeResponse {
        guard let id = Int64(idText), var task = tasks[id], task.deletedAt == nil else { return .json(404, ["message": "Not Found"]) }
        if let refusal = unknown(body, known: Self.updateFields) { return refusal }
        let now = clock.tick()
        var body = body
        if let p = body.removeValue(forKey: "piority"), body["priority"] == nil { body["priority"] = p }
        for (short, long) in [("creator", "creator_id"), ("assignee", "assignee_id"), ("customer", "customer_id")] {
            if let v = body.removeValue(forKey: short), body[long] == nil { body[long] = v }
        }
        // A status alone takes its board along ("Each status_id is always
        // associated with a specific board"); a board alone, its backlog status.
        switch placement(body) {
        case .failure(let r): return r
        case .success(let p): if let p { (task.statusID, task.boardID) = p }
        }
        if let error = apply(body, to: &task, now: now) { return error }
        task.updatedAt = now
        tasks[id] = task
        return .json(options.patchStatus, ["data": json(task, now: now)])  // PATCH answers 201 (NOTES.md)
    }

    static func int(_ value: Any?) -> Int64?? {
        guard let value else { return nil }
        if value is NSNull { return .some(nil) }
        if let n = value as? NSNumber { return .some(n.int64Value) }
        return nil
    }

    func apply(_ body: [String: Any], to task: inout Task, now: Date) -> FakeResponse? {
        if let t = body["title"] {
            guard let t = t as? String, !t.isEmpty else { return Self.invalid("title", "The title field is required.") }
            task.title = t
        }
        if let d = body["description"] {
            guard d is NSNull || d is String else { return Self.invalid("description", "The description must be a string.") }
            task.description = d as? String
        }
        if let p = body["priority"] {
            guard p is NSNull || (p as? String).map(Self.priorities.contains) == true else {
                return Self.invalid("priority", "The selected priority is invalid.")
            }
            task.priority = p as? String
        }
        if let v = body["creator_id"] {
            guard let n = (v as? NSNumber)?.int64Value else { return Self.invalid("creator_id", "The creator_id must be an integer.") }
            task.creatorID = n
        }
        for (field, key) in [("assignee_id", \Task.assigneeID), ("customer_id", \Task.customerID)] {
            if body[field] != nil {
                guard let n = Self.int(body[field]) else { return Self.invalid(field, "The \(field) must be an integer.") }
                task[keyPath: key] = n
            }
        }
        for (field, key) in [("watchers", \Task.watcherIDs), ("tickets", \Task.ticketIDs)] {
            if let v = body[field] {
                guard let list = v as? [NSNumber] else { return Self.invalid(field, "The \(field) must be an array of integers.") }
                task[keyPath: key] = list.map(\.int64Value)
            }
        }
        if let tags = body["tags"] {
            guard let tags = tags as? [String] else { return Self.invalid("tags", "The tags must be an array of strings.") }
            register(tags)
            task.tags = tags
        }
        for field in ["due_at", "done_at"] where body[field] != nil {
            let value = body[field]!
            guard value is NSNull || (value as? String).flatMap(FakeTime.parseDateOrTime) != nil else {
                return Self.invalid(field, "The \(field.replacing("_", with: " ")) is not a valid date.")
            }
            if field == "due_at" { task.dueAt = value as? String } else { task.doneAt = (value as? String).flatMap(FakeTime.parseDateOrTime) }
        }
        if let archived = body["is_archived"] {
            guard let archived = archived as? Bool else { return Self.invalid("is_archived", "The is archived field must be true or false.") }
            task.isArchived = archived
        }
        if let attachments = body["attachments"] {
            guard let list = attachments as? [[String: Any]] else { return Self.invalid("attachments", "The attachments must be an array.") }
            for item in list {
                guard let name = item["name"] as? String, let mime = item["mime_type"] as? String,
                    let data = (item["data"] as? String).flatMap({ Data(base64Encoded: $0) })
                else { return Self.invalid("attachments", "Each attachment needs a name, a mime_type and base64 data.") }
                task.attachments.append(Attachment(id: newID(), name: name, mimeType: mime, size: data.count, createdAt: now))
            }
        }
        if let subs = body["sub_tasks"] {
            guard let subs = subs as? [[String: Any]] else { return Self.invalid("sub_tasks", "The sub tasks must be an array.") }
            var listed: [Subtask] = []
            var merged = task.subtasks
            for sub in subs {
                // `done_at` in an item: the document is silent; the fake takes it as the answer's `done_at`.
                if options.unknownFields == .reject, let name = sub.keys.sorted().first(where: { !["id", "title", "done_at"].contains($0) }) {
                    return Self.invalid("sub_tasks.\(name)", "The sub_tasks.\(name) field is prohibited.")
                }
                let title = sub["title"] as? String
                var done: Date?? = nil
                if let d = sub["done_at"] {
                    guard d is NSNull || (d as? String).flatMap(FakeTime.parseDateOrTime) != nil else {
                        return Self.invalid("sub_tasks.done_at", "The sub_tasks.done_at is not a valid date.")
                    }
                    done = .some((d as? String).flatMap(FakeTime.parseDateOrTime))
                }
                if let sid = (sub["id"] as? NSNumber)?.int64Value {
                    guard let index = merged.firstIndex(where: { $0.id == sid }) else { return Self.invalid("sub_tasks", "Unknown sub task \(sid).") }
                    if let title, !title.isEmpty { merged[index].title = title }
                    if let done { merged[index].doneAt = done }
                    merged[index].updatedAt = now
                    listed.append(merged[index])
                } else {
                    guard let title, !title.isEmpty else { return Self.invalid("sub_tasks", "A sub task needs a title.") }
                    let new = Subtask(id: newID(), title: title, doneAt: done ?? nil, createdAt: now, updatedAt: now)
                    merged.append(new)
                    listed.append(new)
                }
            }
            task.subtasks = options.subTasks == .replace ? listed : merged
        }
        return nil
    }

    func delete(_ idText: String) -> FakeResponse {
        guard let id = Int64(idText), tasks[id]?.deletedAt == nil, tasks[id] != nil else { return .json(404, ["message": "Not Found"]) }
        tasks[id]?.deletedAt = clock.tick()
        return .json(200, ["message": "Object deleted."])
    }

    // MARK: JSON

    /// A task's or comment's own timestamps.
    func own(_ date: Date) -> String { options.timestamps == .zulu ? FakeTime.zulu(date) : FakeTime.iso(date) }
    /// `due_at`, `done_at` and what is inside `sub_tasks`.
    func other(_ date: Date) -> String { options.timestamps == .offset ? FakeTime.iso(date) : FakeTime.zulu(date) }

    static func personName(_ id: Int64) -> String { id == 3 ? "Stefan" : "User \(id)" }
    static func person(_ id: Int64?) -> Any {
        guard let id else { return NSNull() }
        return ["id": id, "name": personName(id), "email": id == 3 ? "stefan@helpspace.com" : "user\(id)@example.com"] as [String: Any]
    }
    static func boardName(_ id: Int64) -> String { id == 1 ? "Development" : "Board \(id)" }

    static func slug(_ tag: String) -> String {
        tag.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }

    func isOverdue(_ t: Task, now: Date) -> Bool {
        guard t.doneAt == nil, let due = t.dueAt.flatMap(FakeTime.parseDateOrTime) else { return false }
        return due < now
    }

    func json(_ t: Task, now: Date) -> [String: Any] {
        let status = statuses[t.statusID]
        return [
            "id": t.id, "number": String(t.id), "title": t.title, "description": t.description ?? NSNull(),
            "priority": t.priority ?? NSNull(),
            "creator": Self.person(t.creatorID), "assignee": Self.person(t.assigneeID), "customer": Self.person(t.customerID),
            "watchers": t.watcherIDs.map(Self.person),
            "tickets": t.ticketIDs.map { ["id": $0, "subject": "Ticket \($0)", "status": "open"] as [String: Any] },
            "board": t.boardID == 0 ? NSNull() : ["id": t.boardID, "name": Self.boardName(t.boardID)] as [String: Any],
            "status": t.statusID == 0 ? NSNull() : ["id": t.statusID, "name": status?.name ?? "?", "color": NSNull(), "type": "none"] as [String: Any],
            "sub_tasks": t.subtasks.map { s in
                [
                    "id": s.id, "title": s.title, "done_at": s.doneAt.map(other) ?? NSNull(), "created_at": other(s.createdAt),
                    "updated_at": other(s.updatedAt),
                ] as [String: Any]
            },
            "tags": t.tags.map {
                ["id": tagIDs[$0] ?? 0, "name": $0, "slug": Self.slug($0), "color": "#7761D4", "type": "tasks"] as [String: Any]
            },
            "attachments": t.attachments.map { a in
                [
                    "id": a.id, "url": "\(baseURL)/api/v1/media/attachment/\(a.id)", "file_type": a.mimeType.hasPrefix("image/") ? "image" : "file",
                    "file_name": a.name, "mime_type": a.mimeType, "size": a.size, "created_at": own(a.createdAt), "updated_at": own(a.createdAt),
                ] as [String: Any]
            },
            "is_archived": t.isArchived, "is_overdue": isOverdue(t, now: now),
            "subtasks_count_total": t.subtasks.count, "subtasks_count_done": t.subtasks.filter { $0.doneAt != nil }.count,
            "attachments_count": t.attachments.count, "tickets_count": t.ticketIDs.count,
            "due_at": t.dueAt.map { FakeTime.parseDateOrTime($0).map(other) ?? $0 } ?? NSNull(), "done_at": t.doneAt.map(other) ?? NSNull(),
            "created_at": own(t.createdAt), "updated_at": own(t.updatedAt),
            "deleted_at": t.deletedAt.map(own) ?? NSNull(),
        ]
    }
}
