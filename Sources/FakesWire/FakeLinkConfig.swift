/// The TOML config that links running fakes (ProviderFakes, served
/// in-process by the tests or by tasksync-fakes): one text for the demo, the
/// tests and the benchmark. Each kind's `[[provider]]` keys and its ids of
/// the three canonical statuses are in ``kinds``.
public enum FakeLinkConfig {
    /// A fake's kind as a link member: its `[[provider]]` keys (beyond name,
    /// kind, base_url and token_file), and its ids of "To do", "Doing",
    /// "Done" (empty: that status has no id on this kind).
    public struct Kind: Sendable {
        public var kind: String
        public var keys: String
        public var statusIDs: [String]
    }

    /// Every kind there is a fake of, with the ids the fakes start with.
    public static let kinds: [Kind] = [
        Kind(kind: "helpspace", keys: "board_id = 1\nclient_id = \"hs-client\"", statusIDs: ["1", "2", "3"]),
        Kind(
            kind: "productive",
            keys: """
                organization_id = "1987"
                project_id = "1911"
                task_list_id = "361"
                closed_status_id = "2547"
                open_status_id = "2545"
                rate_limit = "none"
                """,
            statusIDs: ["2545", "2546", "2547"]),
        // Stages of the fake's basic workflow: New, In progress, Complete.
        Kind(
            kind: "proofhub",
            keys: """
                project_id = "4469983073"
                todolist_id = "169808767259"
                user_agent = "tasksync-demo (ops@example.com)"
                rate_limit = "none"
                """,
            statusIDs: ["6074498296", "6074498297", "6074498298"]),
        // The fake's statuses: 1 To do, 3 In progress, 2 Completed; its priorities 4 Low, 1 Normal, 2 High, 3 Urgent.
        Kind(
            kind: "growcrm",
            keys: """
                project_id = "7"
                new_task_status_id = "1"
                priority_ids = "low=4, very low=4, medium=1, high=2, very high=3"
                """,
            statusIDs: ["1", "3", "2"]),
        // The fake's labels 51 and 52; Done is completion there, so it maps no label ("": none).
        Kind(kind: "activecollab", keys: "project_id = \"70\"", statusIDs: ["51", "52", ""]),
    ]

    /// One link over `members` (kind, provider name, base URL), in that
    /// order. Token files are expected at `DIR/NAME.token`.
    /// `providerOptions`: lines added to every `[[provider]]` table.
    ///
    /// `rateLimits`, by provider name, replaces the `rate_limit` line of
    /// ``kinds`` (where the fakes run unlimited: `"none"`) with that value;
    /// an empty value leaves the line out, so the provider gets its kind's
    /// published default budget (the benchmark's runs against enforced windows).
    public static func toml(
        dir: String, members: [(kind: String, name: String, url: String)], link: String = "support-web", linkOptions: String = "",
        syncOptions: String = "", providerOptions: String = "", rateLimits: [String: String] = [:]
    ) -> String {
        var text = "[sync]\nmirror = \"\(dir)/mirror.sqlite\"\n\(syncOptions)\n\n"
        for m in members {
            let kind = kinds.first { $0.kind == m.kind }!
            var keys = kind.keys
            if let rateLimit = rateLimits[m.name] {
                var lines = keys.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                lines.removeAll { $0.hasPrefix("rate_limit") }
                if !rateLimit.isEmpty { lines.append("rate_limit = \"\(rateLimit)\"") }
                keys = lines.joined(separator: "\n")
            }
            text += "[[provider]]\nname = \"\(m.name)\"\nkind = \"\(m.kind)\"\nbase_url = \"\(m.url)\"\n"
            text += "token_file = \"\(dir)/\(m.name).token\"\n\(keys)\n\(providerOptions)\n\n"
        }
        text += "[[link]]\nname = \"\(link)\"\nmembers = [\(members.map { "\"\($0.name)\"" }.joined(separator: ", "))]\n\(linkOptions)\n"
        for (i, status) in ["To do", "Doing", "Done"].enumerated() {
            text += "\n[[link.status]]\nname = \"\(status)\"\n"
            for m in members {
                let id = kinds.first { $0.kind == m.kind }!.statusIDs[i]
                if !id.isEmpty { text += "\(m.name) = \"\(id)\"\n" }
            }
        }
        return text
    }

    /// HelpSpace and Productive, the two-member link the demo and most tests use.
    public static func toml(
        dir: String, helpspace: String, productive: String, names: (String, String) = ("helpspace", "productive"),
        link: String = "support-web", linkOptions: String = "", syncOptions: String = "", providerOptions: String = ""
    ) -> String {
        toml(
            dir: dir, members: [("helpspace", names.0, helpspace), ("productive", names.1, productive)], link: link, linkOptions: linkOptions,
            syncOptions: syncOptions, providerOptions: providerOptions)
    }
}
