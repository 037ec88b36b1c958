import Foundation

/// A local Grow CRM that follows provider-docs/growcrm-tasks.txt and the Grow
/// CRM section of NOTES.md: `Authorization: Bearer <key>` (401 with NOTES.md's
/// message), everything under `/api`; the `{data, meta, message}` envelope and
/// Laravel's error form (`message`, `errors` per field) with the document's
/// 404, 409 and 422; FORM bodies (`task_title=...`), as the document's examples
/// send them; `GET /api/tasks` with the document's filters, `sort`/`order` and
/// `limit` (max 100) / `page`; a PATCH that is a full update; status,
/// assignees and tags through their own PUT actions (assignees and tags a
/// full set); archive/activate; DELETE; comments; read-only timers and
/// stop-timers; date-only dates; yes/no flags as strings; no subtasks.
///
/// Where the documents are silent the fake takes the stricter side, and
/// ``Options`` can turn it. Cloning a task is in the document but not in the
/// fake: it answers 501. NOTES.md gives no rate limits, so there is no
/// rate-limit switch (an injected ``Fault/rateLimited(seconds:)`` still
/// answers 429).
public actor FakeGrowCRM {
    /// The switches for what the documents do not settle. Each names the
    /// document line it stands for.
    public struct Options: Sendable, Equatable {
        public enum MissingOnUpdate: Sendable, Equatable {
            /// A field the PATCH does not send is cleared (set to its create
            /// default); `task_title`, `task_status` and `task_priority` are required.
            case cleared
            /// A field the PATCH does not send keeps its value; nothing is required.
            case unchanged
        }

        public enum Unknown: Sendable, Equatable {
            /// 422 with `errors.NAME: ["The NAME field is prohibited."]`.
            case reject
            /// Dropped silently, as Laravel does by default.
            case ignore
        }

        public enum OverLimit: Sendable, Equatable {
            /// 422 `errors.limit`, as a Laravel `max:100` rule answers.
            case reject
            /// `limit` above 100 serves 100.
            case cap
        }

        public enum Sort: String, Sendable, Equatable {
            case title = "task_title"
            case dueDate = "task_date_due"
            case created = "task_created"
            case position = "task_position"
        }

        public enum Checkbox: Sendable, Equatable {
            /// Only `on` is a value; anything else answers 422. Off is "not sent".
            case onOnly
            /// `on` is yes, any other value no, as an HTML checkbox handler
            /// (`== 'on'`) reads it.
            case otherMeansOff
        }

        public enum EmptySet: Sendable, Equatable {
            /// `assigned[]=` (one empty item) is the empty set; `assigned=` is
            /// not an array (422).
            case emptyItem
            /// `assigned=` (the bare key, empty) is the empty set; so is `assigned[]=`.
            case bareKeyToo
        }

        public enum Timestamps: Sendable, Equatable {
            /// `2026-06-01`.
            case dateOnly
            /// `2026-06-01 14:03:09` (UTC, no zone named).
            case dateTime
        }

        /// What a PATCH does with an editable field it does not send. The
        /// document ("Update a task"): "Full update of the editable fields
        /// (same parameters as Create, except the project is fixed)". Default
        /// `.cleared`, as a strict server does a full update.
        public var missingOnUpdate: MissingOnUpdate
        /// Whether a JSON body (`Content-Type: application/json`) is read.
        /// NOTES.md: "The excerpt's examples send form fields; the vendor calls
        /// it a JSON REST API". Default false: only
        /// `application/x-www-form-urlencoded` is input; a JSON body is none
        /// (so a create answers 422 for its missing fields).
        public var acceptsJSONBodies: Bool
        /// Body fields the document's parameter tables do not name, and
        /// read-only ones (`task_projectid` on an update: "except the project
        /// is fixed"; `assigned` and `tags` outside their actions). The
        /// document is silent. Default `.reject`.
        public var unknownFields: Unknown
        /// Query parameters of `GET /api/tasks` its table does not name (a
        /// changed-since filter, say: NOTES.md "No changed-since filter").
        /// Default `.reject`, so a filter that does not exist cannot be
        /// believed to work; Laravel itself would ignore it (`.ignore`).
        public var unknownQueryParameters: Unknown
        /// A `limit` above 100. The document: "limit / page ... Pagination
        /// (limit max 100)". Default `.reject` (422, a Laravel `max` rule).
        public var overLimit: OverLimit
        /// The page size without `limit`. The document is silent. Default 20 (invented).
        public var defaultLimit: Int
        /// The `sort` of a list without one. The document names
        /// `task_title, task_date_due, task_created, task_position` and only
        /// `order`'s default ("default desc"). Default `.created`, newest first.
        public var defaultSort: Sort
        /// Whether a list without `active_state` holds archived tasks. The
        /// document lists `active_state` ("active or archived") as a filter
        /// without a default. Default false: archived tasks vanish from a
        /// plain list.
        public var plainListIncludesArchived: Bool
        /// What `task_client_visibility` / `task_billable` accept. The
        /// document: "on to make visible to the client", "on to mark
        /// billable". Default `.onOnly`.
        public var checkbox: Checkbox
        /// How a form spells the empty set on `PUT .../assigned` and
        /// `PUT .../tags`. The document: "Full-set replace (empty array
        /// clears)", `-d "assigned[]=53"`; a form cannot send an empty array.
        /// Default `.emptyItem`. A request without the key answers 422.
        public var emptySet: EmptySet
        /// Whether `PUT /api/tasks/{id}` updates as PATCH does (Laravel's
        /// resource routes take both). The document names PATCH only.
        /// Default false: PUT answers 405.
        public var putUpdates: Bool
        /// Whether the assigned and tags actions and comments move the task's
        /// `dates.updated`. The document is silent. Default false.
        public var relationsTouchTask: Bool
        /// The form of `dates.created`, `dates.updated` and of comment and
        /// timer times. NOTES.md: "Dates are date-only"; the document's
        /// example elides them (`"created": "..."`). Default `.dateOnly`.
        public var timestamps: Timestamps
        /// Whether `task_date_start`/`task_date_due` may carry a time
        /// (`2026-06-30 10:00:00`, cut to the date), as Laravel's `date` rule
        /// allows. NOTES.md: "Dates are date-only". Default false: 422.
        public var dateTimeInDates: Bool
        /// Whether strings arrive trimmed (Laravel's default `TrimStrings`
        /// middleware). The document is silent. Default true: `"  x "` is
        /// stored as `"x"`.
        public var trimsStrings: Bool
        /// The status of `POST .../comments`. The document gives none; a
        /// create answers 201 ("Returns the new task (201)"). Default 201.
        public var commentCreateStatus: Int
        /// Keep connections open or close each after its answer. The
        /// documents are silent.
        public var connection: ConnectionPolicy

        public init(
            missingOnUpdate: MissingOnUpdate = .cleared, acceptsJSONBodies: Bool = false, unknownFields: Unknown = .reject,
            unknownQueryParameters: Unknown = .reject, overLimit: OverLimit = .reject, defaultLimit: Int = 20, defaultSort: Sort = .created,
            plainListIncludesArchived: Bool = false, checkbox: Checkbox = .onOnly, emptySet: EmptySet = .emptyItem, putUpdates: Bool = false,
            relationsTouchTask: Bool = false, timestamps: Timestamps = .dateOnly, dateTimeInDates: Bool = false, trimsStrings: Bool = true,
            commentCreateStatus: Int = 201, connection: ConnectionPolicy = .keepAlive
        ) {
            self.missingOnUpdate = missingOnUpdate
            self.acceptsJSONBodies = acceptsJSONBodies
            self.unknownFields = unknownFields
            self.unknownQueryParameters = unknownQueryParameters
            self.overLimit = overLimit
            self.defaultLimit = defaultLimit
            self.defaultSort = defaultSort
            self.plainListIncludesArchived = plainListIncludesArchived
            self.checkbox = checkbox
            self.emptySet = emptySet
            self.putUpdates = putUpdates
            self.relationsTouchTask = relationsTouchTask
            self.timestamps = timestamps
            self.dateTimeInDates = dateTimeInDates
            self.trimsStrings = trimsStrings
            self.commentCreateStatus = commentCreateStatus
            self.connection = connection
        }
    }

    /// A task status or priority: `{ id, title, color }`.
    public struct Level: Sendable, Equatable {
        public var id: Int64
        public var title: String
        public var color: String
        public init(id: Int64, title: String, color: String) {
            self.id = id
            self.title = title
            self.color = color
        }
    }

    public struct Milestone: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public init(id: Int64, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// A project with its client; `defaultMilestoneID` is its uncategorised
    /// milestone (nil: none, and a create without `task_milestoneid` answers 409).
    public struct Project: Sendable, Equatable {
        public var id: Int64
        public var title: String
        public var clientID: Int64
        public var clientName: String
        public var milestones: [Milestone]
        public var defaultMilestoneID: Int64?
        public init(id: Int64, title: String, clientID: Int64, clientName: String, milestones: [Milestone], defaultMilestoneID: Int64?) {
            self.id = id
            self.title = title
            self.clientID = clientID
            self.clientName = clientName
            self.milestones = milestones
            self.defaultMilestoneID = defaultMilestoneID
        }
    }

    public struct Task: Sendable, Equatable {
        public var id: Int64
        public var projectID: Int64
        public var milestoneID: Int64
        public var title: String
        public var description: String?
        public var statusID: Int64
        public var priorityID: Int64
        public var archived = false
        public var clientVisible = false
        public var billable = false
        /// `YYYY-MM-DD`.
        public var startDate: String?
        public var dueDate: String?
        public var assigned: [Int64] = []
        public var tags: [String] = []
        /// Kanban position (`sort=task_position`), managed in-app.
        public var position: Int
        public var createdAt: Date
        public var updatedAt: Date
        /// Stamped by a status change ("stamps the status-change date"); not in the task object.
        public var statusChangedAt: Date?
        /// Set when the status becomes the completed one ("marks the completer"); not in the task object.
        public var completedBy: Int64?
    }

    public struct Comment: Sendable, Equatable {
        public var id: Int64
        public var taskID: Int64
        public var text: String
        public var userID: Int64
        public var createdAt: Date
    }

    /// A time entry: `{ id, user, started, stopped, time, status, billing_status }`.
    public struct Timer: Sendable, Equatable {
        public var id: Int64
        public var taskID: Int64
        public var userID: Int64
        public var started: Date
        /// Nil while it runs.
        public var stopped: Date?
        /// Seconds logged.
        public var seconds: Int
        public var billingStatus: String
    }

    /// The document's example project (7, "Website Redesign", client 12 "Acme
    /// Inc", milestone 21 "Uncategorised"), one more, and one without a
    /// default milestone.
    public static let defaultProjects: [Project] = [
        Project(
            id: 7, title: "Website Redesign", clientID: 12, clientName: "Acme Inc",
            milestones: [Milestone(id: 21, name: "Uncategorised"), Milestone(id: 22, name: "Launch")], defaultMilestoneID: 21),
        Project(
            id: 8, title: "Mobile App", clientID: 13, clientName: "Globex", milestones: [Milestone(id: 31, name: "Uncategorised")],
            defaultMilestoneID: 31),
        Project(id: 9, title: "Legacy Import", clientID: 12, clientName: "Acme Inc", milestones: [], defaultMilestoneID: nil),
    ]
    /// The document's status 1 "To do"; the others (and which is the
    /// completed one, 2, the status of the document's "Change status"
    /// example) are the fake's own.
    public static let defaultStatuses: [Level] = [
        Level(id: 1, title: "To do", color: "#4f8cff"), Level(id: 2, title: "Completed", color: "#2ecc71"),
        Level(id: 3, title: "In progress", color: "#f5a623"), Level(id: 4, title: "Awaiting feedback", color: "#9b59b6"),
    ]
    /// The document's priority 2 "High"; the others are the fake's own, with
    /// ids out of rank order on purpose (an id says nothing of rank).
    public static let defaultPriorities: [Level] = [
        Level(id: 1, title: "Normal", color: "#8a8a8a"), Level(id: 2, title: "High", color: "#ff5b5b"),
        Level(id: 3, title: "Urgent", color: "#c0392b"), Level(id: 4, title: "Low", color: "#bdc3c7"),
    ]
    /// The document's "Sam Lee" (53), the API key's owner (1) and one more.
    public static let defaultUsers: [Int64: String] = [1: "Admin User", 53: "Sam Lee", 54: "Jo Park"]

    public nonisolated let token: String
    /// The administrator the API key belongs to: the author of API comments
    /// and the completer of API status changes.
    public nonisolated let userID: Int64
    public nonisolated let completedStatusID: Int64
    public internal(set) var projects: [Int64: Project] = [:]
    public internal(set) var statuses: [Int64: Level] = [:]
    public internal(set) var priorities: [Int64: Level] = [:]
    public internal(set) var users: [Int64: String]
    public internal(set) var tasks: [Int64: Task] = [:]
    public internal(set) var comments: [Int64: Comment] = [:]
    public internal(set) var timers: [Int64: Timer] = [:]
    public internal(set) var ledger = RequestLedger()
    public private(set) var options: Options
    let clock: FakeClock
    var nextID: Int64 = 120
    var nextPosition = 1
    var server: FakeHTTPServer?
    var baseURL = ""

    public init(
        token: String = "gc-token", userID: Int64 = 1, projects: [Project] = FakeGrowCRM.defaultProjects,
        statuses: [Level] = FakeGrowCRM.defaultStatuses, completedStatusID: Int64 = 2, priorities: [Level] = FakeGrowCRM.defaultPriorities,
        users: [Int64: String] = FakeGrowCRM.defaultUsers, clock: FakeClock = FakeClock(), options: Options = Options()
    ) {
        self.token = token
        self.userID = userID
        self.completedStatusID = completedStatusID
        self.users = users
        self.clock = clock
        self.options = options
        for p in projects { self.projects[p.id] = p }
        for s in statuses { self.statuses[s.id] = s }
        for p in priorities { self.priorities[p.id] = p }
    }

    /// Starts serving on 127.0.0.1; returns the base URL, `http://127.0.0.1:PORT/api`.
    public func start() async throws -> String {
        let server = try await FakeHTTPServer { [self] request in
            let delay = await self.latency
            if delay > 0 { try? await _Concurrency.Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
            return await self.handle(request)
        }
        self.server = server
        baseURL = "http://127.0.0.1:\(server.port)"
        return baseURL + "/api"
    }

    public func stop() async { await server?.stop() }

    /// Stops answering and refuses connections on the same port (a provider that
    /// is down), which no other fake can take meanwhile.
    public func refuseConnections() async { await server?.refuse() }

    public func setOptions(_ options: Options) { self.options = options }

    public func inject(_ fault: Fault, times: Int = 1, method: String? = nil) {
        ledger.faults.append((fault, times, method))
    }

    public func resetLedger() { ledger = RequestLedger() }

    /// Requests of `method` (any when nil) whose path (without the query)
    /// starts with `pathPrefix`, e.g. `/api/tasks`.
    public func requestCount(_ method: String? = nil, pathPrefix: String = "") -> Int {
        ledger.count(method, pathPrefix: pathPrefix)
    }

    /// Seconds every answer waits before it is served: a slow provider.
    public private(set) var latency: Double = 0
    public func setLatency(_ seconds: Double) { latency = seconds }

    func newID() -> Int64 {
        nextID += 1
        return nextID
    }

    // MARK: what a person does in Grow CRM's own UI, and what tests read back

    public func seedProject(_ project: Project) { projects[project.id] = project }

    public func seedUser(_ id: Int64, name: String) { users[id] = name }

    /// A task with every field the document has; dates `YYYY-MM-DD`; the
    /// milestone defaults to the project's uncategorised one; `timeLogged`
    /// seconds become one stopped timer by Sam Lee.
    @discardableResult
    public func seedTask(
        title: String, projectID: Int64 = 7, description: String? = nil, statusID: Int64 = 1, priorityID: Int64 = 1, milestoneID: Int64? = nil,
        startDate: String? = nil, dueDate: String? = nil, clientVisible: Bool = false, billable: Bool = false, assigned: [Int64] = [],
        tags: [String] = [], archived: Bool = false, timeLogged: Int = 0
    ) -> Int64 {
        let now = clock.tick()
        let project = projects[projectID]!
        let task = Task(
            id: newID(), projectID: projectID, milestoneID: milestoneID ?? project.defaultMilestoneID ?? 0, title: title, description: description,
            statusID: statusID, priorityID: priorityID, archived: archived, clientVisible: clientVisible, billable: billable, startDate: startDate,
            dueDate: dueDate, assigned: assigned, tags: tags, position: takePosition(), createdAt: now, updatedAt: now)
        tasks[task.id] = task
        if timeLogged > 0 { seedTimer(task.id, userID: 53, seconds: timeLogged) }
        return task.id
    }

    @discardableResult
    public func seedComment(_ taskID: Int64, text: String, userID: Int64 = 53) -> Int64 {
        let id = newID()
        comments[id] = Comment(id: id, taskID: taskID, text: text, userID: userID, createdAt: clock.tick())
        return id
    }

    /// A time entry; `running` ones have no `stopped` until stop-timers.
    @discardableResult
    public func seedTimer(_ taskID: Int64, userID: Int64 = 53, seconds: Int, running: Bool = false) -> Int64 {
        let id = newID()
        let now = clock.tick()
        timers[id] = Timer(
            id: id, taskID: taskID, userID: userID, started: now.addingTimeInterval(-Double(seconds)), stopped: running ? nil : now,
            seconds: seconds, billingStatus: "not_invoiced")
        return id
    }

    /// Edits a task as a user would; `dates.updated` moves.
    public func edit(_ id: Int64, _ change: @Sendable (inout Task) -> Void) {
        guard var task = tasks[id] else { return }
        change(&task)
        task.updatedAt = clock.tick()
        tasks[id] = task
    }

    public func remove(_ id: Int64) { deleteTask(id) }

    public func task(_ id: Int64) -> Task? { tasks[id] }

    /// Every task, lowest id first.
    public func allTasks() -> [Task] { tasks.values.sorted { $0.id < $1.id } }

    public func comments(of taskID: Int64) -> [Comment] {
        comments.values.filter { $0.taskID == taskID }.sorted { $0.id < $1.id }
    }

    public func timers(of taskID: Int64) -> [Timer] {
        timers.values.filter { $0.taskID == taskID }.sorted { $0.id < $1.id }
    }

    /// The visible state, for comparing before and after.
    public func stateDump() -> String {
        let t = tasks.keys.sorted().map { id in
            let t = tasks[id]!
            return
                "\(id)|\(t.projectID)|\(t.milestoneID)|\(t.title)|\(t.description ?? "")|\(t.statusID)|\(t.priorityID)|\(t.archived)|\(t.clientVisible)|\(t.billable)|\(t.startDate ?? "")|\(t.dueDate ?? "")|\(t.assigned)|\(t.tags)|\(t.updatedAt.timeIntervalSince1970)"
        }
        let c = comments.keys.sorted().map { "c\($0)|\(comments[$0]!.taskID)|\(comments[$0]!.text)" }
        return (t + c).joined(separator: "\n")
    }

    // MARK: shared by seeds and the API

    func takePosition() -> Int {
        defer { nextPosition += 1 }
        return nextPosition
    }

    /// A task goes with its comments and timers.
    func deleteTask(_ id: Int64) {
        tasks[id] = nil
        comments = comments.filter { $0.value.taskID != id }
        timers = timers.filter { $0.value.taskID != id }
    }

    /// "stamps the status-change date; marks the completer when set to the completed status".
    func setStatus(_ task: inout Task, _ status: Int64, now: Date) {
        guard task.statusID != status else { return }
        task.statusID = status
        task.statusChangedAt = now
        task.completedBy = status == completedStatusID ? userID : nil
    }
}
