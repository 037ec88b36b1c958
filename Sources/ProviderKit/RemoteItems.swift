/// A task as one provider holds it, already in canonical field form except
/// for `fields.status`, which is the provider's own status id.
public struct RemoteTask: Hashable, Codable, Sendable {
    public var id: String
    public var fields: TaskFields
    public var updatedAt: Timestamp?
    /// Inline subtasks, when the provider returns them with the task
    /// (HelpSpace). Providers that list subtasks as tasks of their own
    /// (Productive) report them in ``TaskListing/subtasks`` instead.
    public var subtasks: [RemoteSubtask]?
    /// When the provider says the task was created: with the fields a create
    /// sent, it re-finds a copy whose create answer was lost (rule 4).
    public var createdAt: Timestamp?
    /// Fields the answer did not include (a relationship the server left
    /// out, say). They are unknown, not empty: never a diff, never in a
    /// shadow (rule 13). A listing or read with unknown readable fields is
    /// not a complete read of that task.
    public var unknownFields: Set<Field>

    public init(
        id: String, fields: TaskFields, updatedAt: Timestamp?, subtasks: [RemoteSubtask]? = nil, createdAt: Timestamp? = nil,
        unknownFields: Set<Field> = []
    ) {
        self.id = id
        self.fields = fields
        self.updatedAt = updatedAt
        self.subtasks = subtasks
        self.createdAt = createdAt
        self.unknownFields = unknownFields
    }
}

public struct RemoteSubtask: Hashable, Codable, Sendable {
    public var id: String
    public var parentID: String
    public var fields: SubtaskFields
    public var updatedAt: Timestamp?

    public init(id: String, parentID: String, fields: SubtaskFields, updatedAt: Timestamp?) {
        self.id = id
        self.parentID = parentID
        self.fields = fields
        self.updatedAt = updatedAt
    }
}

public struct RemoteComment: Hashable, Codable, Sendable {
    public var id: String
    public var taskID: String
    public var fields: CommentFields
    public var createdAt: Timestamp?

    public init(id: String, taskID: String, fields: CommentFields, createdAt: Timestamp?) {
        self.id = id
        self.taskID = taskID
        self.fields = fields
        self.createdAt = createdAt
    }
}

/// What one listing of a provider returned.
public struct TaskListing: Sendable {
    /// Top-level tasks, with inline subtasks where the provider has them,
    /// as the pages brought them: a listing of 100,000 tasks is never also
    /// copied into one array of them all, and a reader that consumes it page
    /// by page (the engine's Fetcher) frees each page as it goes.
    public var pages: [[RemoteTask]]
    /// Every task of every page, in order: one array built on each read (for
    /// tests and small listings; the engine reads ``pages``).
    public var tasks: [RemoteTask] {
        get { Array(pages.joined()) }
        set { pages = [newValue] }
    }
    /// Subtasks listed on their own (their parent may be absent from an
    /// incremental listing).
    public var subtasks: [RemoteSubtask]
    /// True when this was a full listing: an item that is missing may be
    /// gone (to be confirmed by a direct read). False for a changed-since
    /// listing: a missing item is simply unchanged.
    public var isComplete: Bool
    /// The newest `updated_at` in the listing: the next cursor once the
    /// batch is committed.
    public var newestUpdate: Timestamp?
    /// Requests this listing made, for the plan and the benchmark.
    public var requestCount: Int
    /// Items that did not parse. Each fails alone; while there are any, the
    /// listing does not count as complete, so nothing is taken for deleted.
    public var problems: [String] = []

    public init(
        tasks: [RemoteTask], subtasks: [RemoteSubtask] = [], isComplete: Bool, newestUpdate: Timestamp? = nil,
        requestCount: Int = 1
    ) {
        self.init(pages: [tasks], subtasks: subtasks, isComplete: isComplete, newestUpdate: newestUpdate, requestCount: requestCount)
    }

    public init(
        pages: [[RemoteTask]], subtasks: [RemoteSubtask] = [], isComplete: Bool, newestUpdate: Timestamp? = nil,
        requestCount: Int = 1
    ) {
        self.pages = pages
        self.subtasks = subtasks
        self.isComplete = isComplete
        self.newestUpdate =
            newestUpdate ?? [pages.lazy.joined().compactMap(\.updatedAt).max(), subtasks.lazy.compactMap(\.updatedAt).max()].compactMap { $0 }.max()
        self.requestCount = requestCount
    }
}

/// The answer of a direct read, the only way an item counts as gone (rule 5).
public enum DirectRead: Sendable, Equatable {
    case present(RemoteTask)
    case gone(reason: String)
}

/// A write to one task: the fields to set, with their new values in `fields`.
public struct TaskUpdate: Sendable, Equatable {
    public var fields: Set<Field>
    public var values: TaskFields
    public init(fields: Set<Field>, values: TaskFields) {
        self.fields = fields
        self.values = values
    }
}
