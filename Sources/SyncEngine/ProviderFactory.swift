import HTTPTransport
import ProviderKit
import SyncConfig

/// Builds the adapter for each `[[provider]]` of a config through its
/// kind's ``ProviderDescriptor``, reading its secret. The engine knows no
/// provider by name: the descriptors come from the caller (`ProviderCatalog`).
public enum ProviderFactory {
    /// The adapter reaches `transport` (shared by all providers) through a
    /// ``RateLimitedTransport`` of its own: the provider's `rate_limit`
    /// windows and `[sync] retry_after_max` (``transport(for:over:clock:)``).
    public static func make(
        _ config: ProviderConfig, catalog: [ProviderDescriptor], transport: any HTTPTransport,
        secret: (SecretSource) throws -> String = { try Secrets.read($0) }
    ) throws -> any TaskProvider {
        guard let descriptor = catalog.first(where: { $0.schema.kind == config.kind }) else {
            throw SetupError(message: "\(config.key).kind: no provider of kind '\(config.kind)' is built into this tasksync")
        }
        let setup = ProviderSetup(
            name: config.name, baseURL: config.baseURL, settings: config.settings, token: try secret(config.token),
            transport: Self.transport(for: config, over: transport), concurrency: config.concurrency)
        do {
            return try descriptor.make(setup)
        } catch let error as SetupError {
            throw SetupError(message: "\(config.key).\(error.message)")
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
