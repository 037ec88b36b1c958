import ProviderCatalog
import SyncConfig

/// The smallest valid config: a HelpSpace and a Productive provider in one
/// link, with room for extra lines in each table.
func twoProviderConfig(helpspace: String = "", productive: String = "", sync: String = "", link: String = "") -> String {
    """
    [sync]
    \(sync)
    [[provider]]
    name = "a"
    kind = "helpspace"
    board_id = 1
    client_id = "c"
    token_file = "/t"
    \(helpspace)
    [[provider]]
    name = "b"
    kind = "productive"
    organization_id = "1"
    project_id = "2"
    task_list_id = "3"
    token_credential = "b-token"
    \(productive)
    [[link]]
    name = "l"
    members = ["a", "b"]
    \(link)
    """
}

/// Every error `ConfigLoader` gives for `text`, as printed; empty when it is valid.
func configErrors(_ text: String, source: String = "/etc/tasksync/tasksync.toml") -> [String] {
    do {
        _ = try ConfigLoader.parse(text, source: source)
        return []
    } catch let e as ConfigErrors {
        return e.errors.map(\.description)
    } catch {
        return ["\(error)"]
    }
}
