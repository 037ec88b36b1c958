import Foundation

/// A local ActiveCollab (the legacy v3/v4 API) that follows
/// provider-docs/activecollab-tasks.txt and the ActiveCollab section of
/// NOTES.md: every command through `api.php?path_info=<command>` with the
/// token in the query (`auth_api_token`, 403 without a valid one); XML
/// answers (text in CDATA sections, as the document's examples show), JSON
/// with `format=json`; form bodies (`task[name]=...`) with
/// `submitted=submitted` on every POST; a task addressed by its per-project
/// `task_id`, distinct from its global `id`; priority -2..2; date-only
/// `due_on`; archived tasks only under `tasks/archive`; subtasks
/// (`subtask[body]`) listed, added, read, edited, completed and reopened;
/// tasks completed and reopened, comments listed and added (`comment[body]`)
/// through the commands NOTES.md names. Documented statuses only: 200, 403,
/// 404, 500 (and 400 for a POST without `submitted=submitted`).
///
/// Ids: tasks' global `id`s start at 1000, subtasks' at 5000, comments' at
/// 9000; `task_id` starts at 1 in every project, so the two never agree.
/// Where the documents are silent the fake takes the stricter side, and
/// ``Options`` can turn it. Attachments answer 501. NOTES.md gives no rate
/// limits: there is no rate-limit switch.
public actor FakeActiveCollab {
    /// The switches for what the documents do not settle. Each names the
    /// document line it stands for.
    public struct Options: Sendable, Equatable {
        public enum Unknown: Sendable, Equatable {
            /// A validation error (``Options/validationStatus``) naming the field.
            case reject
            /// Dropped silently, as an ActiveRecord `setAttributes` would.
            case ignore
        }

        public enum XMLText: Sendable, Equatable {
            /// `<name><![CDATA[Task example]]></name>`, as every example shows.
            case cdata
            /// `<name>Task &lt;b&gt;example&lt;/b&gt;</name>`.
            case entities
        }

        public enum SubtaskText: Sendable, Equatable {
            /// As the document's examples: the list and a read answer `<name>`,
            /// add and edit answer `<body>`.
            case asDocumented
            /// Every answer has both `<name>` and `<body>`.
            case both
        }

        public enum JSONDates: Sendable, Equatable {
            /// A task's dates as objects: `{"class":"DateValue","timestamp":...,"mysql":"2014-07-25",...}`.
            case object
            /// Plain strings, `"2014-07-25"`, `"2014-07-25 10:00:00"`.
            case string
        }

        /// Whether a POST without `submitted=submitted` in its body is refused
        /// (400, nothing changed). NOTES.md: "Every POST carries
        /// `submitted=submitted`"; the document's every request example ends
        /// with it. Default true; false carries the POST out anyway.
        public var requiresSubmitted: Bool
        /// Body fields the document's field lists do not name (and read-only
        /// ones: `id`, `task_id`, `is_completed`, ...). The document is
        /// silent. Default `.reject`.
        public var unknownFields: Unknown
        /// The status of a refused body (a missing name, a priority out of
        /// range, an unknown field). NOTES.md: "Documented statuses: 200, 403,
        /// 404 (and 500 for some errors)". Default 500.
        public var validationStatus: Int
        /// How XML answers carry text. The document's examples:
        /// `<name> <![CDATA[Task example]]> </name>`. Default `.cdata`.
        public var xmlText: XMLText
        /// Which element carries a subtask's text. The document's subtask
        /// examples show `<name>` in "subtasks" and ":subtask_id", `<body>` in
        /// "add" and "edit". Default `.asDocumented`.
        public var subtaskText: SubtaskText
        /// The form of a task's dates in JSON. NOTES.md: "in JSON, `due_on`
        /// may be an object with a `mysql` key ("Y-m-d"), in subtasks a plain
        /// string". Default `.object`; subtasks always have strings.
        public var jsonDates: JSONDates
        /// The `visibility` of a task created without one. The document: "0
        /// is private and 1 is the value of normal visibility", no default.
        /// Default 0, a value the client never sent that hides the task.
        public var defaultVisibility: Int
        /// Whether `task[created_by_id]`, `task[created_by_name]`,
        /// `task[created_by_email]` may be sent to `edit`. The document
        /// lists them among the fields ("Use for a known user ..."), a
        /// creator's. Default false: refused as read-only.
        public var creatorOnEdit: Bool
        /// Whether `subtask[assignee_id]` is read as `subtask[assignee]`. The
        /// document names the subtask field `assignee (integer)` (a task's is
        /// `assignee_id`). Default false: only `assignee`.
        public var subtaskAssigneeID: Bool
        /// Whether a subtask or comment write moves its task's `updated_on`.
        /// The document is silent. Default false.
        public var childTouchesTask: Bool
        /// Keep connections open or close each after its answer. The
        /// documents are silent.
        public var connection: ConnectionPolicy

        public init(
            requiresSubmitted: Bool = true, unknownFields: Unknown = .reject, validationStatus: Int = 500, xmlText: XMLText = .cdata,
            subtaskText: SubtaskText = .asDocumented, jsonDates: JSONDates = .object, defaultVisibility: Int = 0, creatorOnEdit: Bool = false,
            subtaskAssigneeID: Bool = false, childTouchesTask: Bool = false, connection: ConnectionPolicy = .keepAlive
        ) {
            self.requiresSubmitted = requiresSubmitted
            self.unknownFields = unknownFields
            self.validationStatus = validationStatus
            self.xmlText = xmlText
            self.subtaskText = subtaskText
            self.jsonDates = jsonDates
            self.defaultVisibility = defaultVisibility
            self.creatorOnEdit = creatorOnEdit
            self.subtaskAssigneeID = subtaskAssigneeID
            self.childTouchesTask = childTouchesTask
            self.connection = connection
        }
    }

    /// A project with the milestones and categories its tasks may name.
    public struct Project: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var milestoneIDs: Set<Int64>
        public var categoryIDs: Set<Int64>
        public init(id: Int64, name: String, milestoneIDs: Set<Int64> = [], categoryIDs: Set<Int64> = []) {
            self.id = id
            self.name = name
            self.milestoneIDs = milestoneIDs
            self.categoryIDs = categoryIDs
        }
    }

    public struct Task: Sendable, Equatable {
        /// Global.
        public var id: Int64
        /// Per project; the one in paths.
        public var taskID: Int64
        public var projectID: Int64
        public var name: String
        /// HTML.
        public var body: String?
        public var visibility: Int
        public var categoryID: Int64?
        public var labelID: Int64?
        public var milestoneID: Int64?
        /// -2 (lowest) to 2 (highest); 0 normal.
        public var priority: Int
        public var assigneeID: Int64?
        public var otherAssignees: [Int64] = []
        /// `YYYY-MM-DD`.
        public var dueOn: String?
        public var createdByID: Int64?
        public var createdByName: String?
        public var createdByEmail: String?
        public var createdOn: Date
        public var updatedOn: Date
        public var completedOn: Date?
        public var completedByID: Int64?
        public var archived = false
    }

    public struct Subtask: Sendable, Equatable {
        public var id: Int64
        /// The global `id` of its task.
        public var parentID: Int64
        public var body: String
        public var assignee: Int64?
        public var priority: Int
        public var labelID: Int64?
        public var dueOn: String?
        public var createdOn: Date
        public var updatedOn: Date
        public var completedOn: Date?
        public var completedByID: Int64?
    }

    public struct Comment: Sendable, Equatable {
        public var id: Int64
        /// The global `id` of its task.
        public var parentID: Int64
        /// HTML.
        public var body: String
        public var createdByID: Int64
        public var createdOn: Date
    }

    public static let defaultProjects = [
        Project(id: 70, name: "Website", milestoneIDs: [31, 32], categoryIDs: [41, 42]),
        Project(id: 71, name: "Intranet", milestoneIDs: [33], categoryIDs: [43]),
    ]
    /// The token owner (1) and two colleagues.
    public static let defaultUsers: [Int64: String] = [1: "Api User", 2: "Ana Novak", 3: "Ben Marsh"]

    public nonisolated let token: String
    /// The user the token belongs to: the creator of API writes and the completer.
    public nonisolated let userID: Int64
    public internal(set) var projects: [Int64: Project] = [:]
    public internal(set) var users: [Int64: String]
    /// Label ids tasks and subtasks may name.
    public internal(set) var labelIDs: Set<Int64>
    public internal(set) var tasks: [Int64: Task] = [:]
    public internal(set) var subtasks: [Int64: Subtask] = [:]
    public internal(set) var comments: [Int64: Comment] = [:]
    public internal(set) var ledger = RequestLedger()
    public private(set) var options: Options
    let clock: FakeClock
    var nextTaskID: Int64 = 999
    var nextSubtaskID: Int64 = 4999
    var nextCommentID: Int64 = 8999
    var nextTaskNumber: [Int64: Int64] = [:]
    var server: FakeHTTPServer?
    var baseURL = ""

    public init(
        token: String = "1-acTokenForTheFake0123456789", userID: Int64 = 1, projects: [Project] = FakeActiveCollab.defaultProjects,
        users: [Int64: String] = FakeActiveCollab.defaultUsers, labelIDs: Set<Int64> = [51, 52], clock: FakeClock = FakeClock(),
        options: Options = Options()
    ) {
        self.token = token
        self.userID = userID
        self.users = users
        self.labelIDs = labelIDs
        self.clock = clock
        self.options = options
        for p in projects { self.projects[p.id] = p }
    }

    /// Starts serving on 127.0.0.1; returns the API's URL,
    /// `http://127.0.0.1:PORT/api.php` (commands go in its query).
    public func start() async throws -> String {
        let server = try await FakeHTTPServer { [self] request in
            let delay = await self.latency
            if delay > 0 { try? await _Concurrency.Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
            return await self.handle(request)
        }
        self.server = server
        baseURL = "http://127.0.0.1:\(server.port)"
        return baseURL + "/api.php"
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

    /// Requests of `method` (any when nil): every command is under `/api.php`.
    public func requestCount(_ method: String? = nil) -> Int { ledger.count(method) }

    /// Seconds every answer waits before it is served: a slow provider.
    public private(set) var latency: Double = 0
    public func setLatency(_ seconds: Double) { latency = seconds }

    // MARK: what a person does in ActiveCollab's own UI, and what tests read back

    public func seedProject(_ project: Project) { projects[project.id] = project }

    /// A task with every field of "About Tasks"; `due_on` `YYYY-MM-DD`;
    /// `completed` and `archived` as a user would leave it. Returns its
    /// global `id` (``task(id:)``; ``task(project:taskID:)`` by `task_id`).
    @discardableResult
    public func seedTask(
        _ name: String, project: Int64 = 70, body: String? = nil, visibility: Int = 1, categoryID: Int64? = nil, labelID: Int64? = nil,
        milestoneID: Int64? = nil, priority: Int = 0, assigneeID: Int64? = nil, otherAssignees: [Int64] = [], dueOn: String? = nil,
        createdByID: Int64? = 2, createdByName: String? = nil, createdByEmail: String? = nil, completed: Bool = false, archived: Bool = false
    ) -> Int64 {
        let now = clock.tick()
        var task = Task(
            id: newTaskID(), taskID: newTaskNumber(in: project), projectID: project, name: name, body: body, visibility: visibility,
            categoryID: categoryID, labelID: labelID, milestoneID: milestoneID, priority: priority, assigneeID: assigneeID,
            otherAssignees: otherAssignees, dueOn: dueOn, createdByID: createdByID, createdByName: createdByName, createdByEmail: createdByEmail,
            createdOn: now, updatedOn: now, archived: archived)
        if completed {
            task.completedOn = now
            task.completedByID = 2
        }
        tasks[task.id] = task
        return task.id
    }

    /// A subtask of the task with global `id` `taskID`.
    @discardableResult
    public func seedSubtask(
        _ taskID: Int64, body: String, assignee: Int64? = nil, priority: Int = 0, labelID: Int64? = nil, dueOn: String? = nil,
        completed: Bool = false
    ) -> Int64 {
        let now = clock.tick()
        nextSubtaskID += 1
        var sub = Subtask(
            id: nextSubtaskID, parentID: taskID, body: body, assignee: assignee, priority: priority, labelID: labelID, dueOn: dueOn, createdOn: now,
            updatedOn: now)
        if completed {
            sub.completedOn = now
            sub.completedByID = 2
        }
        subtasks[sub.id] = sub
        return sub.id
    }

    @discardableResult
    public func seedComment(_ taskID: Int64, body: String, by author: Int64 = 2) -> Int64 {
        nextCommentID += 1
        comments[nextCommentID] = Comment(id: nextCommentID, parentID: taskID, body: body, createdByID: author, createdOn: clock.tick())
        return nextCommentID
    }

    /// Archives (or brings back) a task, as the UI's "Object State" commands do.
    public func setArchived(_ id: Int64, _ archived: Bool) {
        tasks[id]?.archived = archived
        tasks[id]?.updatedOn = clock.tick()
    }

    /// Edits a task as a user would; `updated_on` moves.
    public func edit(_ id: Int64, _ change: @Sendable (inout Task) -> Void) {
        guard var task = tasks[id] else { return }
        change(&task)
        task.updatedOn = clock.tick()
        tasks[id] = task
    }

    /// By global `id`.
    public func task(id: Int64) -> Task? { tasks[id] }

    /// By the `task_id` within its project.
    public func task(project: Int64, taskID: Int64) -> Task? {
        tasks.values.first { $0.projectID == project && $0.taskID == taskID }
    }

    /// Every task, archived ones too, lowest `id` first.
    public func allTasks() -> [Task] { tasks.values.sorted { $0.id < $1.id } }

    public func subtasks(of taskID: Int64) -> [Subtask] {
        subtasks.values.filter { $0.parentID == taskID }.sorted { $0.id < $1.id }
    }

    public func comments(of taskID: Int64) -> [Comment] {
        comments.values.filter { $0.parentID == taskID }.sorted { $0.id < $1.id }
    }

    /// The visible state, for comparing before and after.
    public func stateDump() -> String {
        let t = tasks.keys.sorted().map { id in
            let t = tasks[id]!
            return
                "\(id)|\(t.projectID)/\(t.taskID)|\(t.name)|\(t.body ?? "")|\(t.visibility)|\(t.priority)|\(t.assigneeID ?? 0)|\(t.otherAssignees)|\(t.dueOn ?? "")|\(t.completedOn != nil)|\(t.archived)|\(t.updatedOn.timeIntervalSince1970)"
        }
        let s = subtasks.keys.sorted().map { "s\($0)|\(subtasks[$0]!.parentID)|\(subtasks[$0]!.body)|\(subtasks[$0]!.completedOn != nil)" }
        let c = comments.keys.sorted().map { "c\($0)|\(comments[$0]!.parentID)|\(comments[$0]!.body)" }
        return (t + s + c).joined(separator: "\n")
    }

    func newTaskID() -> Int64 {
        nextTaskID += 1
        return nextTaskID
    }

    func newTaskNumber(in project: Int64) -> Int64 {
        let n = (nextTaskNumber[project] ?? 0) + 1
        nextTaskNumber[project] = n
        return n
    }
}
