import AdapterSupport

/// ProofHub's task JSON ("Get task", provider-docs/proofhub-tasks.txt), as
/// far as tasksync reads it. Ids are read as `Int64` or a string
/// (``FlexibleID``), never through `Double`: they exceed 2^53.
///
/// Each field tasksync syncs remembers whether the answer had its key at
/// all: a key left out is unknown (rule 13), a `null` is empty.
struct PHTask: Decodable {
    struct Ref: Decodable { var id: FlexibleID }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, title, description, due_date, completed, labels, stage, sub_tasks, updated_at, created_at
    }

    var id: FlexibleID
    var title: String
    var description: String?
    var due_date: String?
    var completed: Bool?
    var labels: [FlexibleID]?
    var stage: Ref?
    /// A count (NOTES.md), not an array; nil when absent or of another shape.
    var sub_tasks: Int?
    var updated_at: String?
    var created_at: String?
    /// The keys the answer did not include.
    var absent: Set<CodingKeys> = []

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(FlexibleID.self, forKey: .id)
        title = try c.decode(String.self, forKey: .title)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        due_date = try c.decodeIfPresent(String.self, forKey: .due_date)
        completed = try c.decodeIfPresent(Bool.self, forKey: .completed)
        labels = try c.decodeIfPresent([FlexibleID].self, forKey: .labels)
        stage = try c.decodeIfPresent(Ref.self, forKey: .stage)
        sub_tasks = try? c.decodeIfPresent(Int.self, forKey: .sub_tasks)
        updated_at = try c.decodeIfPresent(String.self, forKey: .updated_at)
        created_at = try c.decodeIfPresent(String.self, forKey: .created_at)
        absent = Set(CodingKeys.allCases.filter { !c.contains($0) })
    }

    /// The id as ProofHub's integer, in decimal.
    func decimalID() throws -> String {
        guard let n = id.int64 else { throw ProviderError.malformed("task id '\(id.value)' is not an integer") }
        return String(n)
    }

    /// The label ids on the task, when the answer has them.
    var labelIDs: [Int64]? {
        guard let labels else { return nil }
        let ids = labels.compactMap(\.int64)
        return ids.count == labels.count ? ids : nil
    }

    /// The task in canonical form; `labelNames` resolves label ids (an id it
    /// does not know makes the tags unknown, not empty).
    func remote(labelNames: [Int64: String]) throws -> RemoteTask {
        let id = try decimalID()
        var unknown: Set<Field> = []
        if absent.contains(.description) { unknown.insert(.description) }
        if absent.contains(.due_date) { unknown.insert(.dueDate) }
        if absent.contains(.completed) { unknown.insert(.done) }
        if absent.contains(.stage) { unknown.insert(.status) }
        var tags: [String] = []
        if let ids = labelIDs, ids.allSatisfy({ labelNames[$0] != nil }) {
            tags = ids.map { labelNames[$0]! }
        } else {
            unknown.insert(.tags)
        }
        let status: String? = try stage.map { s in
            guard let n = s.id.int64 else { throw ProviderError.malformed("task \(id): stage id '\(s.id.value)'") }
            return String(n)
        }
        let fields = TaskFields(
            title: title, description: description ?? "", status: status, done: completed ?? false, priority: nil,
            dueDate: try ProofHubValues.date(due_date, what: "task \(id): due_date"), tags: tags)
        return RemoteTask(
            id: id, fields: fields, updatedAt: try ProofHubValues.time(updated_at, what: "task \(id): updated_at"),
            subtasks: nil, createdAt: created_at.flatMap(Timestamp.init(parsing:)), unknownFields: unknown)
    }
}

/// "Get subtask".
struct PHSubtask: Decodable {
    var id: FlexibleID
    var title: String
    var completed: Bool
    var updated_at: String?

    func remote(parentID: String) throws -> RemoteSubtask {
        guard let n = id.int64 else { throw ProviderError.malformed("subtask id '\(id.value)' is not an integer") }
        return RemoteSubtask(
            id: String(n), parentID: parentID, fields: SubtaskFields(title: title, done: completed),
            updatedAt: try ProofHubValues.time(updated_at, what: "subtask \(n): updated_at"))
    }
}

/// "Get comment": no `updated_at` (NOTES.md); the author is only an id.
struct PHComment: Decodable {
    var id: FlexibleID
    var description: String?
    var created_at: String?

    func remote(taskID: String) throws -> RemoteComment {
        guard let n = id.int64 else { throw ProviderError.malformed("comment id '\(id.value)' is not an integer") }
        return RemoteComment(
            id: String(n), taskID: taskID, fields: CommentFields(body: description ?? "", author: nil),
            createdAt: created_at.flatMap(Timestamp.init(parsing:)))
    }
}

/// "Get label".
struct PHLabel: Decodable {
    var id: FlexibleID
    var name: String
}
