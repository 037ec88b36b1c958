import AdapterSupport

/// ActiveCollab's values and the canonical ones. Priority is -2 (lowest) to
/// 2 (highest), 0 normal: one step each of the canonical five. Status is the
/// task's `label_id` (the link maps label ids to canonical statuses); done is
/// completion. ActiveCollab tasks have no tags.
enum ActiveCollabValues {
    static let priorities: [(wire: Int, canonical: Priority)] = [
        (-2, .veryLow), (-1, .low), (0, .medium), (1, .high), (2, .veryHigh),
    ]

    static func priority(_ wire: Int) -> Priority? { priorities.first { $0.wire == wire }?.canonical }
    static func wire(_ priority: Priority) -> Int { priorities.first { $0.canonical == priority }!.wire }
}

extension ActiveCollabProvider {
    /// The config keys, their checks, and how the adapter is built from them.
    public static let descriptor = ProviderDescriptor(
        schema: ProviderSchema(
            kind: "activecollab", displayName: "ActiveCollab", defaultBaseURL: nil,
            settings: [
                SettingSpec("project_id", required: true, .id(.digits), help: "the project whose tasks are synced")
            ],
            // Unpublished: no limit on this side; 429s are still honoured.
            defaultRateLimit: "none", statusID: .digits),
        make: { setup in
            guard setup.baseURL.hasSuffix("api.php") else {
                throw SetupError(message: "base_url: the legacy API's entry point, ending in api.php (https://HOST/api.php)")
            }
            return ActiveCollabProvider(
                name: setup.name,
                settings: .init(
                    baseURL: setup.baseURL, token: setup.token, projectID: try setup.required("project_id")),
                transport: setup.transport)
        })
}
