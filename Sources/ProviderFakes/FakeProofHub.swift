import Foundation

/// A local ProofHub that follows provider-docs/proofhub-tasks.txt and the
/// ProofHub section of NOTES.md: `X-API-KEY` (401), a `User-Agent` naming an
/// app and a contact (400), `Content-Type: application/json` on POST and PUT
/// (415), everything under `/api/v3/`; tasks under
/// `projects/{id}/todolists/{id}/tasks`, with subtasks and comments below a
/// task and global labels under `labels`; creates answering 200; lists of at
/// most 100 items paged with `start` and `limit`, no changed-since filter;
/// ids beyond 2^53 written as exact integers, `ticket` a string, `sub_tasks`
/// (see ``Options/subTasksField``) and `comments` counts; date-only `start_date`/`due_date`, timestamps with
/// `+00:00`; a custom-field value of the wrong type answered 200 with
/// `{"code":2033,...}` and nothing changed; 25 requests per 10 s.
///
/// Where the documents are silent the fake takes the stricter side, and
/// ``Options`` can turn it. Copying a task and a task's history are in the
/// document but not in the fake: they answer 501.
public actor FakeProofHub {
    /// The switches for what the documents do not settle. Each names the
    /// document line it stands for.
    public struct Options: Sendable, Equatable {
        public enum UnknownFields: Sendable, Equatable {
            /// The write is refused: ``Options/invalidBodyStatus`` with `{"code":...,"message":...}`.
            case reject
            /// Dropped silently.
            case ignore
        }

        public enum UnknownIDs: Sendable, Equatable {
            /// The write is refused: ``Options/invalidBodyStatus`` with `{"code":...,"message":...}`.
            case reject
            /// The unknown ids are dropped; the rest of the write goes through.
            case ignore
        }

        public enum OverLimit: Sendable, Equatable {
            /// `limit` above 100 serves 100.
            case cap
            /// `limit` above 100 answers 400.
            case reject
        }

        public enum ListOrder: Sendable, Equatable {
            case newestFirst, oldestFirst
        }

        public enum UserAgentRule: Sendable, Equatable {
            /// `Name (contact)`, the contact an e-mail address: `AppName (ops@example.com)`.
            case appAndContact
            /// Any non-empty `User-Agent`.
            case present
        }

        public enum SubTasksField: Sendable, Equatable {
            /// The number of the task's subtasks.
            case count
            /// `0` whatever the task has.
            case alwaysZero
            /// Not in the answer at all.
            case absent
        }

        public enum UpdatableFields: Sendable, Equatable {
            /// The "Create task" parameters (title, assigned, labels, ...) and `completed`.
            case createParameters
            /// Only what the "Update task" and "Complete task" examples send:
            /// description, start_date, due_date, custom_fields, completed.
            case updateExample
        }

        /// The status of every create (task, subtask, comment, label). NOTES.md:
        /// "Create answers 200 (older docs: 201)"; the document: "200 OK will be
        /// returned along with the JSON of the task". Default 200.
        public var createStatus: Int
        /// Body fields a write's section of the document does not name (and
        /// read-only ones: `id`, `ticket`, `stage`, `completed` on a create, ...).
        /// The document and NOTES.md are silent. Default `.reject`, the stricter side.
        public var unknownFields: UnknownFields
        /// The status of a write refused for its body (an unknown field, a
        /// date that is not `YYYY-MM-DD`, an unknown label, no title). The
        /// document ("Create task") names only 200, 403, and 200 with
        /// `{"code":2033,...}` for a custom field of the wrong type; the body
        /// takes that shape. Default 400 (a guess); 200 makes every refusal
        /// look like the custom-field one.
        public var invalidBodyStatus: Int
        /// A `labels` id on a task or subtask write that `v3/labels` does not
        /// list. NOTES.md: "Labels are global ids from `v3/labels`"; what an
        /// unknown one does is unsaid. Default `.reject`.
        public var unknownLabels: UnknownIDs
        /// An `assigned` id that is not one of the fake's people. The document:
        /// "The assigned array is an optional list of people IDs that you can
        /// get from the people API" (an API outside the excerpt). Default `.reject`.
        public var unknownPeople: UnknownIDs
        /// A `limit` above 100. NOTES.md: "Lists return at most 100 items";
        /// "at most" reads as a cap. Default `.cap`.
        public var overLimit: OverLimit
        /// The page size of a list without `limit`. NOTES.md says only "at
        /// most 100". Default 20 (invented): a client that sends no `limit`
        /// and takes a short page for the end is caught.
        public var defaultLimit: Int
        /// The order of "Get all tasks". Its example has one task; the
        /// subtask, comment and label examples list oldest (lowest id) first,
        /// and those lists always do here. Default `.newestFirst`, the
        /// stricter side for offset paging (a create moves every page).
        public var taskListOrder: ListOrder
        /// Whether "Get all tasks" lists completed tasks. The document is
        /// silent ("will return task for this todolist"); its "Get all
        /// subtasks" example lists a completed one, and subtask lists always
        /// do here. Default false: a completed task only answers by id.
        public var completedInTaskLists: Bool
        /// What `User-Agent` passes. NOTES.md: "a `User-Agent` naming the app
        /// and a contact (`AppName (ops@example.com)`): without it the API
        /// answers 400". Default `.appAndContact`.
        public var userAgentRule: UserAgentRule
        /// Whether `application/json` may carry parameters (`; charset=utf-8`).
        /// NOTES.md: "POST and PUT need `Content-Type: application/json`
        /// (else 415)". Default false: exactly `application/json` (any case).
        public var contentTypeParameters: Bool
        /// The fields a task PUT may write. The document: "will update the
        /// task from the parameters passed"; its example sends description,
        /// dates and custom fields. Default `.createParameters` (the
        /// parameters are the create's; without them no title could change).
        public var updatableFields: UpdatableFields
        /// Whether a plain task PUT may send `stage`. The document names
        /// `stage` only in "Copy task" and "Move task" (`"move_task":true`).
        /// Default false: a stage changes by a move only.
        public var stageOnUpdate: Bool
        /// Whether `"completed":true` moves the task to its workflow's last
        /// stage. The document ("Complete task") is silent. Default false: a
        /// completed task may sit in any stage.
        public var completeMovesToLastStage: Bool
        /// What a task's `sub_tasks` holds, in every answer that carries a
        /// task (the listing, "Get task", and the answers of writes). The
        /// document shows `"sub_tasks": 0` only inside its examples, on tasks
        /// whose subtasks it never shows, and says nothing of its meaning;
        /// NOTES.md calls it a count ("counts, not arrays"). Default `.count`;
        /// `.alwaysZero` and `.absent` are the readings a client must survive
        /// (a field left at 0, or not sent).
        public var subTasksField: SubTasksField
        /// Whether a subtask or comment write moves its task's `updated_at`.
        /// The document is silent. Default false.
        public var childTouchesTask: Bool
        /// Whether `""` clears `start_date`/`due_date` as `null` does. The
        /// document never clears a date. Default false: only `null` clears.
        public var emptyStringClearsDate: Bool
        /// Whether the API user may PUT or DELETE a comment someone else wrote
        /// (`"by_me": false`). The document: "403 Forbidden will be returned in
        /// case of invalid access". Default false: 403.
        public var othersCommentsEditable: Bool
        /// The status of an unknown id in a path (project, todolist, task,
        /// subtask, comment, label). The document names only "403 Forbidden ...
        /// in case of invalid access". Default 404; 403 is the other reading.
        public var missingStatus: Int
        /// The first id the fake hands out to tasks, subtasks, comments and
        /// labels (one sequence, step 2, so every id is odd). NOTES.md: "Ids
        /// exceed 32 bits (store as 64-bit integers)". Default 2^53 + 1: no id
        /// survives a trip through a Double.
        public var firstID: Int64
        /// Enforce NOTES.md "25 requests per 10 s per account and IP" with
        /// 429s: a sliding window per `X-API-KEY`, refused requests not
        /// counted. NOTES.md does not say which kind of window. Default off.
        public var enforceRateLimits: Bool
        public var rateLimitRequests = 25
        public var rateLimitSeconds = 10.0
        /// Keep connections open or close each after its answer. The
        /// documents are silent.
        public var connection: ConnectionPolicy

        public init(
            createStatus: Int = 200, unknownFields: UnknownFields = .reject, invalidBodyStatus: Int = 400, unknownLabels: UnknownIDs = .reject,
            unknownPeople: UnknownIDs = .reject, overLimit: OverLimit = .cap, defaultLimit: Int = 20, taskListOrder: ListOrder = .newestFirst,
            completedInTaskLists: Bool = false, userAgentRule: UserAgentRule = .appAndContact, contentTypeParameters: Bool = false,
            updatableFields: UpdatableFields = .createParameters, stageOnUpdate: Bool = false, completeMovesToLastStage: Bool = false,
            subTasksField: SubTasksField = .count, childTouchesTask: Bool = false, emptyStringClearsDate: Bool = false,
            othersCommentsEditable: Bool = false, missingStatus: Int = 404, firstID: Int64 = 9_007_199_254_740_993, enforceRateLimits: Bool = false,
            connection: ConnectionPolicy = .keepAlive
        ) {
            self.createStatus = createStatus
            self.unknownFields = unknownFields
            self.invalidBodyStatus = invalidBodyStatus
            self.unknownLabels = unknownLabels
            self.unknownPeople = unknownPeople
            self.overLimit = overLimit
            self.defaultLimit = defaultLimit
            self.taskListOrder = taskListOrder
            self.completedInTaskLists = completedInTaskLists
            self.userAgentRule = userAgentRule
            self.contentTypeParameters = contentTypeParameters
            self.updatableFields = updatableFields
            self.stageOnUpdate = stageOnUpdate
            self.completeMovesToLastStage = completeMovesToLastStage
            self.subTasksField = subTasksField
            self.childTouchesTask = childTouchesTask
            self.emptyStringClearsDate = emptyStringClearsDate
            self.othersCommentsEditable = othersCommentsEditable
            self.missingStatus = missingStatus
            self.firstID = firstID
            self.enforceRateLimits = enforceRateLimits
            self.connection = connection
        }
    }

    public struct Project: Sendable, Equatable {
        public var id: Int64
        public var name: String
    }

    public struct Stage: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public init(id: Int64, name: String) {
            self.id = id
            self.name = name
        }
    }

    public struct Workflow: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var stages: [Stage]
        public init(id: Int64, name: String, stages: [Stage]) {
            self.id = id
            self.name = name
            self.stages = stages
        }
    }

    public struct Todolist: Sendable, Equatable {
        public var id: Int64
        public var projectID: Int64
        public var name: String
        public var workflow: Workflow?
    }

    public struct Label: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var color: String
    }

    /// A custom field as "Get task" lists it; `type` as the document spells
    /// it (`Currency`, `Date`, `Percentage`, `Text`; `Tag` and `Dropdown` for
    /// the "tag or dropdown" of "Create task").
    public struct CustomField: Sendable, Equatable {
        public var id: Int64
        public var title: String
        public var type: String
        /// The allowed values of a `Tag` or `Dropdown` field; empty: any.
        public var allowed: [String]
        public var extraInfo: [String: String]?
    }

    public enum CustomValue: Sendable, Equatable {
        case text(String)
        case list([String])
    }

    /// A task, or (with `parentID`) a subtask.
    public struct Task: Sendable {
        public var id: Int64
        public var parentID: Int64?
        /// A string (NOTES.md); subtasks have none.
        public var ticket: String
        /// A subtask's are its task's.
        public var projectID: Int64
        public var todolistID: Int64
        public var title: String
        public var description: String?
        /// `YYYY-MM-DD`.
        public var startDate: String?
        public var dueDate: String?
        public var estimatedHours: Int?
        public var estimatedMins: Int?
        public var assigned: [Int64] = []
        public var labelIDs: [Int64] = []
        public var stageID: Int64?
        public var completed = false
        public var completedAt: Date?
        public var completedBy: Int64?
        public var creatorID: Int64
        public var createdAt: Date
        public var updatedAt: Date
        public var customValues: [Int64: CustomValue] = [:]
    }

    public struct Comment: Sendable {
        public var id: Int64
        public var taskID: Int64
        public var description: String
        public var creatorID: Int64
        public var createdAt: Date
    }

    /// A write answered 200 with an error body instead of being carried out.
    struct ErrorBody: Sendable {
        var code: Int
        var message: String
        var method: String?
        var pathContaining: String?
        var remaining: Int
    }

    /// The document's custom-field error code, and the fake's own for every
    /// other refused body (the document gives no other).
    public enum ErrorCode {
        public static let customFieldType = 2033
        public static let invalidField = 2000
    }

    /// The document's label colours, handed out in turn.
    static let colors = ["#FBB008", "#999999", "#FF6600", "#E07798", "#BF0000"]

    /// The document's "Basic workflow" with its stage "New", and two more.
    public static let basicWorkflow = Workflow(
        id: 2_747_398_168, name: "Basic workflow",
        stages: [Stage(id: 6_074_498_296, name: "New"), Stage(id: 6_074_498_297, name: "In progress"), Stage(id: 6_074_498_298, name: "Complete")])

    public nonisolated let token: String
    /// The person the API key belongs to: `by_me`, `creator` of API writes, `completed_by`.
    public nonisolated let userID: Int64
    /// Someone working in ProofHub's own UI: the creator of seeds.
    public nonisolated let colleagueID: Int64
    public internal(set) var projects: [Int64: Project] = [:]
    public internal(set) var todolists: [Int64: Todolist] = [:]
    public internal(set) var people: Set<Int64>
    public internal(set) var tasks: [Int64: Task] = [:]
    public internal(set) var comments: [Int64: Comment] = [:]
    public internal(set) var labels: [Int64: Label] = [:]
    public internal(set) var customFields: [Int64: CustomField] = [:]
    public internal(set) var ledger = RequestLedger()
    public private(set) var options: Options
    public nonisolated let projectID: Int64
    public nonisolated let todolistID: Int64
    let clock: FakeClock
    var nextID: Int64
    var nextTicket = 1
    var errorBodies: [ErrorBody] = []
    var windows: [String: SlidingWindow] = [:]
    var server: FakeHTTPServer?
    var baseURL = ""

    /// One project with one todolist; their ids are the document's example's
    /// (above 32 bits, as NOTES.md says ids are).
    public init(
        token: String = "ph-token", projectID: Int64 = 4_469_983_073, projectName: String = "Castle", todolistID: Int64 = 169_808_767_259,
        todolistName: String = "Test Task List Alpha", workflow: Workflow? = FakeProofHub.basicWorkflow, userID: Int64 = 7_279_827_447,
        colleagueID: Int64 = 8_172_598_588, clock: FakeClock = FakeClock(), options: Options = Options()
    ) {
        self.token = token
        self.userID = userID
        self.colleagueID = colleagueID
        self.people = [userID, colleagueID]
        self.projectID = projectID
        self.todolistID = todolistID
        self.clock = clock
        self.options = options
        self.nextID = options.firstID
        projects[projectID] = Project(id: projectID, name: projectName)
        todolists[todolistID] = Todolist(id: todolistID, projectID: projectID, name: todolistName, workflow: workflow)
    }

    /// Starts serving on 127.0.0.1; returns the base URL, `http://127.0.0.1:PORT/api/v3`.
    public func start() async throws -> String {
        let server = try await FakeHTTPServer { [self] request in
            let delay = await self.latency
            if delay > 0 { try? await _Concurrency.Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
            return await self.handle(request)
        }
        self.server = server
        baseURL = "http://127.0.0.1:\(server.port)"
        return baseURL + "/api/v3"
    }

    public func stop() async { await server?.stop() }

    /// Stops answering and refuses connections on the same port (a provider that
    /// is down), which no other fake can take meanwhile.
    public func refuseConnections() async { await server?.refuse() }
    /// The most requests it has had in flight at once.
    public func mostConcurrentRequests() -> Int { server?.inFlight.most ?? 0 }

    /// New options; the id sequence stays where it is.
    public func setOptions(_ options: Options) { self.options = options }

    public func inject(_ fault: Fault, times: Int = 1, method: String? = nil) {
        ledger.faults.append((fault, times, method))
    }

    /// The next write (not GET) of `method` whose path contains
    /// `pathContaining` passes the header checks, then answers 200 with
    /// `{"code":CODE,"message":MESSAGE}` and changes nothing: the document's
    /// "error message {"code":2033,...} will be returned alongwith 200 OK".
    public func injectErrorBody(
        code: Int = ErrorCode.customFieldType, message: String = "Value of the custom field does not match its type.", method: String? = nil,
        pathContaining: String? = nil, times: Int = 1
    ) {
        errorBodies.append(ErrorBody(code: code, message: message, method: method, pathContaining: pathContaining, remaining: times))
    }

    public func resetLedger() { ledger = RequestLedger() }

    /// Requests of `method` (any when nil) whose path (without the query)
    /// starts with `pathPrefix`, e.g. `/api/v3/labels`.
    public func requestCount(_ method: String? = nil, pathPrefix: String = "") -> Int {
        ledger.count(method, pathPrefix: pathPrefix)
    }

    /// Seconds every answer waits before it is served: a slow provider.
    public private(set) var latency: Double = 0
    public func setLatency(_ seconds: Double) { latency = seconds }

    func newID() -> Int64 {
        let id = nextID
        nextID += 2
        return id
    }
}
