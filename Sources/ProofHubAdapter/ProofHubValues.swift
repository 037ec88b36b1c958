import AdapterSupport

/// ProofHub's values and the canonical ones: the adapter's one translation
/// table.
/// - title: `title`. description: `description` (HTML, normalised by
///   ``TaskFields``; `null` reads as empty).
/// - done: `completed`.
/// - status: the id of the task's workflow `stage`, in decimal (`null` when
///   the todolist has no workflow). Read only: see ``ProofHubProvider``.
/// - due date: `due_date`, date-only (`2016-11-10`), written and read as the
///   same day (rule 8); `null` clears it.
/// - tags: the names of the task's `labels` (global ids from `v3/labels`,
///   ``ProofHubLabels``), compared as a set.
/// - priority: ProofHub has none.
/// - subtasks: `title` and `completed`. Comments: `description`; the author
///   is only a person id (`creator.id`), so none is given.
enum ProofHubValues {
    /// NOTES.md: "Lists return at most 100 items".
    static let pageLimit = 100

    /// A date-only value, or nil for `null`; anything else fails the item.
    static func date(_ text: String?, what: String) throws -> LocalDate? {
        try text.map { d in
            guard let date = LocalDate(parsing: d) else { throw ProviderError.malformed("\(what) '\(d)'") }
            return date
        }
    }

    /// A timestamp (`2021-03-22T13:13:46+00:00`), or nil for `null`; anything else fails the item.
    static func time(_ text: String?, what: String) throws -> Timestamp? {
        try text.map { t in
            guard let time = Timestamp(parsing: t) else { throw ProviderError.malformed("\(what) '\(t)'") }
            return time
        }
    }

    /// NOTES.md: "a `User-Agent` naming the app and a contact
    /// (`AppName (ops@example.com)`): without it the API answers 400".
    /// True for a name followed by a contact in parentheses.
    static func namesAppAndContact(_ userAgent: String) -> Bool {
        let text = userAgent.trimmingWhitespace()
        guard text.hasSuffix(")"), let open = text.lastIndex(of: "(") else { return false }
        let app = text[..<open].trimmingWhitespace()
        let contact = text[text.index(after: open)..<text.index(before: text.endIndex)].trimmingWhitespace()
        return !app.isEmpty && !contact.isEmpty
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String { String(self).trimmingWhitespace() }
}

extension ProofHubProvider {
    /// The config keys, their checks, and how the adapter is built from them.
    public static let descriptor = ProviderDescriptor(
        schema: ProviderSchema(
            // The API root is the company's own, `https://<company>.proofhub.com/api/v3`: base_url is required.
            kind: "proofhub", displayName: "ProofHub", defaultBaseURL: nil,
            settings: [
                SettingSpec("project_id", required: true, .id(.digits), help: "the project whose tasks are synced"),
                SettingSpec("todolist_id", required: true, .id(.digits), help: "the todolist (task list) new tasks go to, and the scope"),
                SettingSpec(
                    "user_agent", required: true, .line,
                    help: "the User-Agent: your app and a contact, e.g. \"tasksync (ops@example.com)\" (ProofHub answers 400 without it)"),
            ],
            // 25 requests per 10 s per account and IP (NOTES.md).
            defaultRateLimit: "25/10s", statusID: .digits),
        make: { setup in
            let userAgent = try setup.required("user_agent")
            guard ProofHubValues.namesAppAndContact(userAgent) else {
                throw SetupError(message: "user_agent: expected your app and a contact in parentheses, e.g. \"tasksync (ops@example.com)\"")
            }
            return ProofHubProvider(
                name: setup.name,
                settings: .init(
                    baseURL: setup.baseURL, token: setup.token, projectID: try setup.int64("project_id"),
                    todolistID: try setup.int64("todolist_id"), userAgent: userAgent, concurrency: setup.concurrency),
                transport: setup.transport)
        })
}
