import AdapterSupport

/// HelpSpace's values and the canonical ones: the adapter's one translation
/// table. Text is normalised by ``TaskFields`` (``HTMLText``); due dates are
/// written date-only and read as the date written (rule 8); done is
/// `done_at` set or null; tags are names, compared as a set.
enum HelpSpaceValues {
    /// `priority`: the document's five values ("very low" ... "very high"),
    /// each one step of the canonical scale.
    static let priorities: [(wire: String, canonical: Priority)] = [
        ("very low", .veryLow), ("low", .low), ("medium", .medium), ("high", .high), ("very high", .veryHigh),
    ]

    /// The canonical priority of a `priority` value (any case), or nil when it is not one of the five.
    static func priority(_ wire: String) -> Priority? {
        let folded = wire.lowercased()
        return priorities.first { $0.wire == folded }?.canonical
    }

    /// The `priority` value to write for a canonical priority.
    static func wire(_ priority: Priority) -> String {
        priorities.first { $0.canonical == priority }!.wire
    }
}

extension HelpSpaceProvider {
    /// The config keys, their checks, and how the adapter is built from them.
    public static let descriptor = ProviderDescriptor(
        schema: ProviderSchema(
            kind: "helpspace", displayName: "HelpSpace", defaultBaseURL: "https://api.helpspace.com",
            settings: [
                SettingSpec("board_id", required: true, .id(.integer), help: "the board whose tasks are synced"),
                SettingSpec("client_id", required: true, .word, help: "the Hs-Client-Id header value"),
                SettingSpec("per_page", required: false, .integer(1...50), help: "tasks per listing page (default 50)"),
            ],
            // Unpublished: no limit on this side; 429s are still honoured.
            defaultRateLimit: "none", statusID: .integer),
        make: { setup in
            HelpSpaceProvider(
                name: setup.name,
                settings: .init(
                    baseURL: setup.baseURL, token: setup.token, clientID: try setup.required("client_id"),
                    boardID: try setup.int64("board_id"), pageSize: setup.int("per_page", default: 50), concurrency: setup.concurrency),
                transport: setup.transport)
        })
}
