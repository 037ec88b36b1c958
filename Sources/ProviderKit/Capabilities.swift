/// What one adapter can do, derived from the protocols it conforms to
/// (``init(of:)``): the engine never asks an adapter for what it lacks, and
/// says once what does not flow ("comments on hs do not flow to pr").
public struct Capabilities: Sendable, Hashable {
    public var readableFields: Set<Field>
    public var writableFields: Set<Field>
    public var subtasks: Bool
    public var commentsRead: Bool
    public var commentsWrite: Bool
    public var delete: Bool
    public var archive: Bool
    /// A changed-since listing exists, so an idle poll is cheap.
    public var incrementalListing: Bool
    /// A new comment moves its task's `updated_at` (``CommentsTouchTask``).
    public var commentsTouchTask: Bool
    /// Subtask fields it can write (``subtasks`` true). A field it can read
    /// but not write is left as it is there, and the plan says so.
    public var subtaskWritableFields: Set<SubtaskField>
    /// Writable fields it cannot set back to empty: a value of none is not
    /// written (a request that would change nothing is never sent).
    public var unclearableFields: Set<Field>

    /// The capabilities `provider` has by its conformances.
    public init(of provider: any TaskProvider) {
        let writes = provider is any TaskWriting
        readableFields = provider.fields.readable
        writableFields = writes ? provider.fields.writable.intersection(provider.fields.readable) : []
        unclearableFields = provider.fields.unclearable
        let subtaskSyncing = provider as? any SubtaskSyncing
        subtasks = subtaskSyncing != nil
        subtaskWritableFields = subtaskSyncing?.subtaskWritableFields ?? []
        commentsRead = provider is any CommentReading
        commentsWrite = provider is any CommentWriting
        delete = provider is any TaskDeleting
        archive = provider is any TaskArchiving
        incrementalListing = provider is any IncrementalListing
        commentsTouchTask = provider is any CommentsTouchTask
    }

    /// The fields two or more of these members can read: the ones a link of
    /// them keeps in sync. A field only one member holds stays its own.
    public static func sharedFields(_ members: [Capabilities]) -> Set<Field> {
        Set(Field.allCases.filter { f in members.filter { $0.readableFields.contains(f) }.count >= 2 })
    }

    /// A one-line summary for `tasksync providers` and the docs.
    public var summary: String {
        func names(_ s: Set<Field>) -> String { s.sorted().map(\.rawValue).joined(separator: ",") }
        var parts = ["read: \(names(readableFields))", "write: \(names(writableFields))"]
        parts.append("subtasks: \(subtasks ? "yes" : "no")")
        parts.append("comments: \(commentsRead ? "read" : "-")/\(commentsWrite ? "write" : "-")")
        parts.append("delete: \(delete ? "yes" : "no"), archive: \(archive ? "yes" : "no")")
        parts.append("incremental: \(incrementalListing ? "yes" : "no")")
        if commentsRead { parts.append("new comments touch their task: \(commentsTouchTask ? "yes" : "no")") }
        return parts.joined(separator: "; ")
    }
}

extension TaskProvider {
    /// What this provider can do (``Capabilities/init(of:)``).
    public var capabilities: Capabilities { Capabilities(of: self) }
}
