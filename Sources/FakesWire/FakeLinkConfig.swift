/// The TOML config that links a running fake HelpSpace and fake Productive
/// (ProviderFakes, served in-process by the tests or by tasksync-fakes): one
/// text for the demo, the tests and the benchmark.
public enum FakeLinkConfig {
    /// Token files are expected at `DIR/NAME.token` for each provider name.
    public static func toml(
        dir: String, helpspace: String, productive: String, names: (String, String) = ("helpspace", "productive"),
        link: String = "support-web", linkOptions: String = "", syncOptions: String = ""
    ) -> String {
        let (hs, pr) = names
        let statuses = [("To do", "1", "2545"), ("Doing", "2", "2546"), ("Done", "3", "2547")].map { name, h, p in
            "[[link.status]]\nname = \"\(name)\"\n\(hs) = \"\(h)\"\n\(pr) = \"\(p)\"\n"
        }.joined(separator: "\n")
        return """
            [sync]
            mirror = "\(dir)/mirror.sqlite"
            \(syncOptions)

            [[provider]]
            name = "\(hs)"
            kind = "helpspace"
            base_url = "\(helpspace)"
            board_id = 1
            client_id = "hs-client"
            token_file = "\(dir)/\(hs).token"

            [[provider]]
            name = "\(pr)"
            kind = "productive"
            base_url = "\(productive)"
            organization_id = "1987"
            project_id = "1911"
            task_list_id = "361"
            closed_status_id = "2547"
            open_status_id = "2545"
            token_file = "\(dir)/\(pr).token"
            rate_limit = "none"

            [[link]]
            name = "\(link)"
            members = ["\(hs)", "\(pr)"]
            \(linkOptions)

            \(statuses)
            """
    }
}

extension FakeLinkConfig {
    /// A `[[provider]]` table for a running ``FakeProofHub``, with the keys a
    /// ProofHub provider will have.
    public static func proofHubProvider(
        dir: String, baseURL: String, name: String = "proofhub", projectID: Int64 = 4_469_983_073, todolistID: Int64 = 169_808_767_259,
        userAgent: String = "tasksync (ops@example.com)"
    ) -> String {
        """
        [[provider]]
        name = "\(name)"
        kind = "proofhub"
        base_url = "\(baseURL)"
        project_id = "\(projectID)"
        todolist_id = "\(todolistID)"
        user_agent = "\(userAgent)"
        token_file = "\(dir)/\(name).token"
        """
    }
}
