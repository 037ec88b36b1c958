import AdapterSupport

/// Grow CRM's priorities and the canonical five levels. Priorities are
/// `taskpriority_id`s an administrator defines, so the config names them:
/// `priority_ids = "very low=1, low=1, medium=2, high=3, very high=4"`,
/// every canonical level once. Several levels may share an id (Grow CRM
/// has fewer): writing either gives that id, and reading it gives the first
/// level listed for it, so a lossy value reads back the same every time and
/// the engine journals it once as not kept, never as a change to copy.
public struct GrowCRMPriorities: Sendable, Equatable {
    /// In the order written.
    let pairs: [(level: Priority, id: String)]

    public static func == (a: Self, b: Self) -> Bool { a.pairs.map { "\($0.level)=\($0.id)" } == b.pairs.map { "\($0.level)=\($0.id)" } }

    /// Parses the config value; the reason when it is not one.
    public init(parsing text: String) throws {
        var pairs: [(Priority, String)] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard parts.count == 2, let level = Priority(rawValue: parts[0].lowercased()) else {
                throw SetupError(
                    message: "priority_ids: '\(String(item).trimmingWhitespace())' is not LEVEL=ID (levels: very low, low, medium, high, very high)")
            }
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw SetupError(message: "priority_ids: '\(parts[1])' is not a taskpriority_id (digits)")
            }
            guard !pairs.contains(where: { $0.0 == level }) else { throw SetupError(message: "priority_ids: \(level.rawValue) is given twice") }
            pairs.append((level, parts[1]))
        }
        let missing = Priority.allCases.filter { level in !pairs.contains { $0.0 == level } }
        guard missing.isEmpty else {
            throw SetupError(message: "priority_ids: give every level an id; missing: \(missing.map(\.rawValue).joined(separator: ", "))")
        }
        self.pairs = pairs
    }

    /// The canonical level of a `taskpriority_id`, nil when the config does not name it.
    func level(of id: String) -> Priority? { pairs.first { $0.id == id }?.level }

    /// The `taskpriority_id` to write for a level.
    func id(of level: Priority) -> String { pairs.first { $0.level == level }!.id }
}

extension GrowCRMProvider {
    /// The config keys, their checks, and how the adapter is built from them.
    public static let descriptor = ProviderDescriptor(
        schema: ProviderSchema(
            kind: "growcrm", displayName: "Grow CRM", defaultBaseURL: nil,
            settings: [
                SettingSpec("project_id", required: true, .id(.digits), help: "the project whose tasks are synced (task_projectid)"),
                SettingSpec(
                    "new_task_status_id", required: true, .id(.digits),
                    help: "the taskstatus_id a new task gets when its status has no Grow CRM id in the link"),
                SettingSpec(
                    "priority_ids", required: true, .line,
                    help: "every canonical level's taskpriority_id, e.g. \"very low=1, low=1, medium=2, high=3, very high=4\""),
            ],
            // Unpublished: no limit on this side; 429s are still honoured.
            defaultRateLimit: "none", statusID: .digits),
        make: { setup in
            GrowCRMProvider(
                name: setup.name,
                settings: .init(
                    baseURL: setup.baseURL, token: setup.token, projectID: try setup.required("project_id"),
                    newTaskStatusID: try setup.required("new_task_status_id"),
                    priorities: try GrowCRMPriorities(parsing: try setup.required("priority_ids")), concurrency: setup.concurrency),
                transport: setup.transport)
        })
}
