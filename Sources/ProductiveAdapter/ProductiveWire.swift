import AdapterSupport

/// Productive's JSON:API task resource (provider-docs/productive-tasks.txt).
struct PRResource<Attributes: Decodable>: Decodable {
    /// A relationship: `data` (a reference, or null) when the request
    /// named it in `include=`; otherwise only `{"meta":{"included":false}}`,
    /// which says nothing about its value.
    struct Relationship: Decodable {
        struct Ref: Decodable {
            var type: String?
            var id: FlexibleID
        }
        var data: Ref?
        /// False when the answer left the relationship out.
        var included: Bool

        enum CodingKeys: String, CodingKey { case data }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            included = c.contains(.data)
            data = try c.decodeIfPresent(Ref.self, forKey: .data)
        }
    }
    var id: FlexibleID
    var type: String
    var attributes: Attributes
    var relationships: [String: Relationship]?

    func related(_ name: String) -> String? { relationships?[name]?.data?.id.value }
    /// True when the answer told the relationship's value (null included).
    func told(_ name: String) -> Bool { relationships?[name]?.included == true }
}

struct PRTaskAttributes: Decodable {
    var title: String
    var description: String?
    var closed: Bool?
    var due_date: String?
    var tag_list: [String]?
    var updated_at: String?
    var created_at: String?
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

/// One page of a task listing, parsed: its tasks, its subtasks (listed as
/// tasks with a parent) and the items that failed.
struct PRListedPage: Sendable {
    var tasks: [RemoteTask] = []
    var subtasks: [RemoteSubtask] = []
    var problems: [String] = []
}

enum PRItem {
    case task(RemoteTask)
    case subtask(RemoteSubtask)
}

extension PRResource where Attributes == PRTaskAttributes {
    var isGone: Bool { attributes.deleted_at != nil }

    /// The task or subtask this resource is, from a listing or a direct
    /// read (both ask for `include=workflow_status,parent_task`).
    func item() throws -> PRItem {
        guard told("parent_task") else {
            throw ProviderError.malformed("task \(id.value): the answer did not include parent_task (include=parent_task)")
        }
        if let parent = related("parent_task") { return .subtask(try subtask(parent: parent)) }
        return .task(try task())
    }

    /// This resource as a top-level task. A `workflow_status` the answer left
    /// out makes the status unknown (``RemoteTask/unknownFields``), not empty.
    func task() throws -> RemoteTask {
        let a = attributes
        let fields = TaskFields(
            title: a.title, description: a.description ?? "", status: related("workflow_status"), done: a.closed ?? false,
            priority: nil,
            dueDate: try a.due_date.map { d in
                guard let date = LocalDate(parsing: d) else { throw ProviderError.malformed("task \(id.value): due_date '\(d)'") }
                return date
            }, tags: a.tag_list ?? [])
        return RemoteTask(
            id: id.value, fields: fields, updatedAt: try time("updated_at", a.updated_at), createdAt: try time("created_at", a.created_at),
            unknownFields: told("workflow_status") ? [] : [.status])
    }

    /// This resource as a subtask of `parent`.
    func subtask(parent: String) throws -> RemoteSubtask {
        RemoteSubtask(
            id: id.value, parentID: parent, fields: SubtaskFields(title: attributes.title, done: attributes.closed ?? false),
            updatedAt: try time("updated_at", attributes.updated_at))
    }

    func time(_ name: String, _ text: String?) throws -> Timestamp? {
        try text.map { u in
            guard let t = Timestamp(parsing: u) else { throw ProviderError.malformed("task \(id.value): \(name) '\(u)'") }
            return t
        }
    }
}
