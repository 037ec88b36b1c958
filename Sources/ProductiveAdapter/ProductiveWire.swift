import AdapterSupport

/// Productive's JSON:API task resource (provider-docs/productive-tasks.txt).
struct PRResource<Attributes: Decodable>: Decodable {
    struct Relationship: Decodable {
        struct Ref: Decodable {
            var type: String?
            var id: FlexibleID
        }
        var data: Ref?
    }
    var id: FlexibleID
    var type: String
    var attributes: Attributes
    var relationships: [String: Relationship]?

    func related(_ name: String) -> String? { relationships?[name]?.data?.id.value }
}

struct PRTaskAttributes: Decodable {
    var title: String
    var description: String?
    var closed: Bool?
    var due_date: String?
    var tag_list: [String]?
    var updated_at: String?
    var deleted_at: String?
}

struct PRCommentAttributes: Decodable {
    var body: String?
    var created_at: String?
    var deleted_at: String?
}

struct PRList<A: Decodable>: Decodable {
    struct Meta: Decodable {
        var current_page: Int?
        var total_pages: Int?
    }
    var data: [Lenient<PRResource<A>>]
    var meta: Meta?
}

struct PROne<A: Decodable>: Decodable {
    var data: PRResource<A>
}

enum PRItem {
    case task(RemoteTask)
    case subtask(RemoteSubtask)
}

extension PRResource where Attributes == PRTaskAttributes {
    var isGone: Bool { attributes.deleted_at != nil }

    func item() throws -> PRItem {
        let a = attributes
        let id = id.value
        let updated = try a.updated_at.map { u in
            guard let t = Timestamp(parsing: u) else { throw ProviderError.malformed("task \(id): updated_at '\(u)'") }
            return t
        }
        if let parent = related("parent_task") {
            return .subtask(
                RemoteSubtask(id: id, parentID: parent, fields: SubtaskFields(title: a.title, done: a.closed ?? false), updatedAt: updated))
        }
        let due = try a.due_date.map { d in
            guard let date = LocalDate(parsing: d) else { throw ProviderError.malformed("task \(id): due_date '\(d)'") }
            return date
        }
        let fields = TaskFields(
            title: a.title, description: a.description ?? "", status: related("workflow_status"), done: a.closed ?? false,
            priority: nil, dueDate: due, tags: a.tag_list ?? [])
        return .task(RemoteTask(id: id, fields: fields, updatedAt: updated))
    }
}
