import Foundation
import ProviderCatalog
import SyncConfig
import Testing

@Suite("Config: every error names the file and the key")
struct ConfigTests {
    func errors(_ text: String) -> [String] { configErrors(text) }

    let valid = """
        [[provider]]
        name = "a"
        kind = "helpspace"
        board_id = 1
        client_id = "c"
        token_file = "/t"
        [[provider]]
        name = "b"
        kind = "productive"
        organization_id = "1"
        project_id = "2"
        task_list_id = "3"
        token_credential = "b-token"
        [[link]]
        name = "l"
        members = ["a", "b"]
        [[link.status]]
        name = "Done"
        a = "3"
        b = "2547"
        """

    @Test("a valid config parses with its defaults")
    func validParses() throws {
        let c = try ConfigLoader.parse(valid, source: "x.toml")
        #expect(c.links.first?.onDelete == .archive)
        #expect(c.links.first?.maxDeleteShare == 0.25)
        #expect(c.links.first?.remoteStatus(provider: "b", canonical: "Done") == "2547")
        #expect(c.sync.pollInterval == 60)
    }

    @Test("a missing key, an unknown kind, a bad value and an unknown member are each named")
    func namesKeys() {
        let text = valid.replacingOccurrences(of: "board_id = 1\n", with: "")
            .replacingOccurrences(of: "kind = \"productive\"", with: "kind = \"trello\"")
            .replacingOccurrences(of: "members = [\"a\", \"b\"]", with: "members = [\"a\", \"b\"]\non_delete = \"shred\"")
        let e = errors(text)
        #expect(e.contains("/etc/tasksync/tasksync.toml: provider[0] (a).board_id: is required (line 1)"))
        #expect(e.contains { $0.hasPrefix("/etc/tasksync/tasksync.toml: provider[1] (b).kind: unknown kind 'trello'") })
        #expect(e.contains("/etc/tasksync/tasksync.toml: link[0] (l).on_delete: expected delete, archive or ignore (line 16)"))
        #expect(e.contains("/etc/tasksync/tasksync.toml: link[0] (l).members: no [[provider]] is named 'b' (line 15)"))
    }

    @Test("a token in the main config is refused")
    func noInlineSecrets() {
        let e = errors(valid.replacingOccurrences(of: "token_file = \"/t\"", with: "token = \"s3cret\""))
        #expect(e.contains { $0.contains("provider[0] (a).token: tokens never go in the main config") })
        #expect(!e.joined().contains("s3cret"))
    }

    @Test("TOML syntax errors give the line")
    func syntax() {
        let e = errors("[[provider]\nname = ")
        #expect(e.count == 1)
        #expect(e.first?.contains("line 1") == true)
    }
}
