/// What one adapter can do. The engine never asks an adapter for what it
/// lacks, and says so in the plan ("skipped: productive cannot write comments").
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
    /// Subtask fields it can write (``subtasks`` true). A field it can read
    /// but not write is left as it is there, and the plan says so.
    public var subtaskWritableFields: Set<SubtaskField>
    /// Writable fields it cannot set back to empty: a value of none is not
    /// written (a request that would change nothing is never sent).
    public var unclearableFields: Set<Field>

    public init(
        readableFields: Set<Field>, writableFields: Set<Field>, subtasks: Bool, commentsRead: Bool,
        commentsWrite: Bool, delete: Bool, archive: Bool, incrementalListing: Bool,
        subtaskWritableFields: Set<SubtaskField> = Set(SubtaskField.allCases), unclearableFields: Set<Field> = []
    ) {
        self.subtaskWritableFields = subtaskWritableFields
        self.unclearableFields = unclearableFields
        self.readableFields = readableFields
        self.writableFields = writableFields
        self.subtasks = subtasks
        self.commentsRead = commentsRead
        self.commentsWrite = commentsWrite
        self.delete = delete
        self.archive = archive
        self.incrementalListing = incrementalListing
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
        return parts.joined(separator: "; ")
    }
}
