import HTTPTransport
import HelpSpaceAdapter
import ProductiveAdapter
import SyncConfig
import TaskModel

/// Builds the adapter for each `[[provider]]` of a config, reading its secret.
public enum ProviderFactory {
    public static func make(
        _ config: ProviderConfig, transport: any HTTPTransport,
        secret: (SecretSource) throws -> String = { try Secrets.read($0) }
    ) throws -> any TaskProvider {
        let token = try secret(config.token)
        let s = config.settings
        switch config.kind {
        case .helpspace:
            guard let board = Int64(s["board_id"] ?? "") else { throw SecretError(message: "\(config.key).board_id: expected a number") }
            return HelpSpaceProvider(
                name: config.name,
                settings: .init(
                    baseURL: config.baseURL ?? "https://api.helpspace.com", token: token, clientID: s["client_id"] ?? "",
                    boardID: board, pageSize: Int(s["per_page"] ?? "") ?? 50),
                transport: transport)
        case .productive:
            return ProductiveProvider(
                name: config.name,
                settings: .init(
                    baseURL: config.baseURL ?? "https://api.productive.io/api/v2", token: token,
                    organizationID: s["organization_id"] ?? "", projectID: s["project_id"] ?? "",
                    taskListID: s["task_list_id"] ?? "", pageSize: Int(s["page_size"] ?? "") ?? 200,
                    closedStatusID: s["closed_status_id"], openStatusID: s["open_status_id"]),
                transport: transport)
        }
    }
}
