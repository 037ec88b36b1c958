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
    var description: String? = nil
    var priority: String? = nil
    var status: Status? = nil
    var sub_tasks: [Subtask]? = nil
    var tags: [Tag]? = nil
    var is_archived: Bool? = nil
    var due_at: String? = nil
    var done_at: String? = nil
    var updated_at: String? = nil
    var created_at: String? = nil
    var deleted_at: String? = nil

    var isGone: Bool { deleted_at != nil || is_archived == true }

    func remote() throws -> RemoteTask {
        let id = String(id)
        let fields = TaskFields(
            title: title, description: description ?? "", status: status.map { String($0.id) }, done: done_at != nil,
            priority: try priority.map { p in
                guard let value = HelpSpaceValues.priority(p) else { throw ProviderError.malformed("task \(id): priority '\(p)'") }
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
            }, subtasks: subtasks, createdAt: created_at.flatMap(Timestamp.init(parsing:)))
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

/// One page of `GET /api/v1/scrum/tasks`, read with ``JSONReader``: the
/// listing is read in full on every poll, and this is several times faster
/// than `JSONDecoder` over the same bytes. Same rules as the `Decodable`
/// types above: a task that does not parse fails alone.
struct HSListPage {
    var tasks: [Result<HSTask, JSONReader.Failure>] = []
    var currentPage: Int?
    var lastPage: Int?

    init(_ bytes: [UInt8]) throws {
        var r = JSONReader(bytes)
        var sawData = false
        try r.readObject { r, key in
            switch key {
            case "data":
                sawData = true
                try r.readArray { r in
                    if let failure = try r.readLeniently({ tasks.append(.success(try HSTask(reading: &$0))) }) {
                        tasks.append(.failure(failure))
                    }
                }
            case "meta":
                if try r.readNull() { return }
                try r.readObject { r, key in
                    switch key {
                    case "current_page": currentPage = Int(try r.readInt())
                    case "last_page": lastPage = Int(try r.readInt())
                    default: try r.skipValue()
                    }
                }
            default: try r.skipValue()
            }
        }
        try r.end()
        guard sawData else { throw JSONReader.Failure(message: "no \"data\" array", offset: 0) }
    }
}

extension HSTask {
    init(reading r: inout JSONReader) throws {
        var id: Int64?
        var title: String?
        var task = HSTask(id: 0, title: "")
        try r.readObject { r, key in
            switch key {
            case "id": id = try r.readInt()
            case "title": title = try r.readString()
            case "description": task.description = try r.readStringOrNull()
            case "priority": task.priority = try r.readStringOrNull()
            case "status":
                if try r.readNull() { return }
                var statusID: Int64?
                try r.readObject { r, key in
                    if key == "id" { statusID = try r.readInt() } else { try r.skipValue() }
                }
                guard let statusID else { throw JSONReader.Failure(message: "status without an id", offset: r.offset) }
                task.status = Status(id: statusID)
            case "sub_tasks":
                if try r.readNull() { return }
                var subtasks: [Subtask] = []
                try r.readArray { r in subtasks.append(try Subtask(reading: &r)) }
                task.sub_tasks = subtasks
            case "tags":
                if try r.readNull() { return }
                var tags: [Tag] = []
                try r.readArray { r in
                    var name: String?
                    try r.readObject { r, key in
                        if key == "name" { name = try r.readString() } else { try r.skipValue() }
                    }
                    guard let name else { throw JSONReader.Failure(message: "tag without a name", offset: r.offset) }
                    tags.append(Tag(name: name))
                }
                task.tags = tags
            case "is_archived": task.is_archived = try r.readNull() ? nil : r.readBool()
            case "due_at": task.due_at = try r.readStringOrNull()
            case "done_at": task.done_at = try r.readStringOrNull()
            case "updated_at": task.updated_at = try r.readStringOrNull()
            case "created_at": task.created_at = try r.readStringOrNull()
            case "deleted_at": task.deleted_at = try r.readStringOrNull()
            default: try r.skipValue()
            }
        }
        guard let id, let title else { throw JSONReader.Failure(message: "task without an id or a title", offset: r.offset) }
        task.id = id
        task.title = title
        self = task
    }
}

extension HSTask.Subtask {
    init(reading r: inout JSONReader) throws {
        var id: Int64?
        var title: String?
        var doneAt: String?
        var updatedAt: String?
        try r.readObject { r, key in
            switch key {
            case "id": id = try r.readInt()
            case "title": title = try r.readString()
            case "done_at": doneAt = try r.readStringOrNull()
            case "updated_at": updatedAt = try r.readStringOrNull()
            default: try r.skipValue()
            }
        }
        guard let id, let title else { throw JSONReader.Failure(message: "subtask without an id or a title", offset: r.offset) }
        self.init(id: id, title: title, done_at: doneAt, updated_at: updatedAt)
    }
}
