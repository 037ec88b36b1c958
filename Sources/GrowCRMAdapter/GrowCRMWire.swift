import AdapterSupport

/// Grow CRM's task object (provider-docs/growcrm-tasks.txt, "The task object"),
/// as far as tasksync reads it.
struct GCTask: Decodable, Sendable {
    struct Ref: Decodable, Sendable {
        var id: FlexibleID
        var title: String?
    }
    struct Dates: Decodable, Sendable {
        var start: String?
        var due: String?
        var created: String?
        var updated: String?
    }
    var id: FlexibleID
    var title: String
    var description: String?
    var status: Ref?
    var priority: Ref?
    var active_state: String?
    var client_visibility: String?
    var billable: String?
    var project: Ref?
    var milestone: Ref?
    var dates: Dates?
    var tags: [String]?

    var isArchived: Bool { active_state == "archived" }

    func remote(priorities: GrowCRMPriorities) throws -> RemoteTask {
        let id = id.value
        func date(_ text: String?, _ name: String) throws -> LocalDate? {
            guard let text, !text.isEmpty else { return nil }
            guard let d = LocalDate(parsing: text) else { throw ProviderError.malformed("task \(id): dates.\(name) '\(text)'") }
            return d
        }
        let priority = try priority.map { p in
            guard let level = priorities.level(of: p.id.value) else {
                throw ProviderError.malformed(
                    "task \(id): priority id \(p.id.value) (\(p.title ?? "?")) is not in priority_ids; add it to the provider's config")
            }
            return level
        }
        return RemoteTask(
            id: id,
            fields: TaskFields(
                title: title, description: description ?? "", status: status?.id.value, priority: priority,
                dueDate: try date(dates?.due, "due"), tags: tags ?? []),
            updatedAt: ProviderTime.timestamp(dates?.updated), createdAt: ProviderTime.timestamp(dates?.created))
    }
}

/// A comment of `GET /api/tasks/{id}/comments`. The document shows no
/// comment object: the text is read from `comment` (the name the add
/// action takes), else `body` or `text`; the time from `created_at`, else
/// `created` or `dates.created`.
struct GCComment: Decodable {
    var id: FlexibleID
    var text: String
    var author: String?
    var createdAt: String?

    enum Keys: String, CodingKey { case id, comment, body, text, created_at, created, dates, creator, user }
    struct Person: Decodable {
        var name: String?
        var first_name: String?
    }
    struct Dates: Decodable { var created: String? }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        id = try c.decode(FlexibleID.self, forKey: .id)
        guard
            let text = try c.decodeIfPresent(String.self, forKey: .comment) ?? c.decodeIfPresent(String.self, forKey: .body)
                ?? c.decodeIfPresent(String.self, forKey: .text)
        else {
            throw DecodingError.keyNotFound(Keys.comment, .init(codingPath: c.codingPath, debugDescription: "a comment without text"))
        }
        self.text = text
        let person = ((try? c.decodeIfPresent(Person.self, forKey: .creator)) ?? nil) ?? ((try? c.decodeIfPresent(Person.self, forKey: .user)) ?? nil)
        author = person.flatMap { $0.name ?? $0.first_name }
        createdAt =
            try c.decodeIfPresent(String.self, forKey: .created_at) ?? (try? c.decodeIfPresent(String.self, forKey: .created))
            ?? (try? c.decodeIfPresent(Dates.self, forKey: .dates))?.created
    }
}

/// The envelope of every answer: `{data, meta, message}`.
struct GCEnvelope<T: Decodable>: Decodable {
    /// Page numbers, where `meta` gives them (Laravel's names, or a `pagination` object).
    struct Meta: Decodable {
        struct Pagination: Decodable {
            var current_page: Int?
            var last_page: Int?
            var total_pages: Int?
        }
        var current_page: Int?
        var last_page: Int?
        var pagination: Pagination?

        var current: Int? { current_page ?? pagination?.current_page }
        var last: Int? { last_page ?? pagination?.last_page ?? pagination?.total_pages }
    }
    var data: T
    var meta: Meta?
    var message: String?
}
