import AdapterSupport

/// HelpSpace's task JSON (provider-docs/helpspace-tasks.txt), as far as tasksync reads it.
struct HSTask: Decodable {
    struct Status: Decodable { var id: Int64 }
    struct Tag: Decodable { var name: String }
    struct Subtask: Decodable {
        var id: Int64
        var title: String
        var done_at: String?
        var updated_at: String?
    }
    var id: Int64
    var title: String
    var description: String?
    var priority: String?
    var status: Status?
    var sub_tasks: [Subtask]?
    var tags: [Tag]?
    var is_archived: Bool?
    var due_at: String?
    var done_at: String?
    var updated_at: String?
    var deleted_at: String?

    var isGone: Bool { deleted_at != nil || is_archived == true }

    func remote() throws -> RemoteTask {
        let id = String(id)
        let fields = TaskFields(
            title: title, description: description ?? "", status: status.map { String($0.id) }, done: done_at != nil,
            priority: try priority.map { p in
                guard let value = Priority(rawValue: p.lowercased()) else { throw ProviderError.malformed("task \(id): priority '\(p)'") }
                return value
            },
            dueDate: try due_at.map { d in
                guard let date = LocalDate(parsing: d) else { throw ProviderError.malformed("task \(id): due_at '\(d)'") }
                return date
            },
            tags: (tags ?? []).map(\.name))
        let subtasks = (sub_tasks ?? []).map {
            RemoteSubtask(
                id: String($0.id), parentID: id, fields: SubtaskFields(title: $0.title, done: $0.done_at != nil),
                updatedAt: $0.updated_at.flatMap(Timestamp.init(parsing:)))
        }
        return RemoteTask(
            id: id, fields: fields,
            updatedAt: try updated_at.map { u in
                guard let t = Timestamp(parsing: u) else { throw ProviderError.malformed("task \(id): updated_at '\(u)'") }
                return t
            }, subtasks: subtasks)
    }
}

/// Laravel pagination: `meta.current_page`, `meta.last_page`.
struct HSPage<T: Decodable>: Decodable {
    struct Meta: Decodable {
        var current_page: Int
        var last_page: Int
    }
    var data: [Lenient<T>]
    var meta: Meta?
}

struct HSOne<T: Decodable>: Decodable {
    var data: T
}

struct HSComment: Decodable {
    struct Person: Decodable { var name: String? }
    var id: Int64
    var text: String?
    var commentator: Person?
    var created_at: String?
}
