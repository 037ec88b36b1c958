import HTTPTransport
import HelpSpaceAdapter
import ProductiveAdapter
import SyncConfig
import TaskModel

/// Builds the adapter for each `[[provider]]` of a config, reading its secret.
public enum ProviderFactory {
    /// The adapter reaches `transport` (shared by all providers) through a
    /// ``RateLimitedTransport`` of its own: the provider's `rate_limit`
    /// windows and `[sync] retry_after_max` (``transport(for:over:clock:)``).
    public static func make(
        _ config: ProviderConfig, transport: any HTTPTransport,
        secret: (SecretSource) throws -> String = { try Secrets.read($0) }
    ) throws -> any TaskProvider {
        let token = try secret(config.token)
        let transport = Self.transport(for: config, over: transport)
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

    /// The provider's own view of the shared transport: its request budget,
    /// its 429 handling.
    public static func transport(
        for config: ProviderConfig, over shared: any HTTPTransport, clock: any TransportClock = SystemTransportClock()
    ) -> RateLimitedTransport {
        RateLimitedTransport(
            wrapping: shared,
            policy: RateLimitPolicy(
                windows: config.rateLimit.map { RateWindow(requests: $0.requests, seconds: $0.seconds) }, maxWait: config.retryAfterMax),
            provider: config.name, clock: clock)
    }
}
