import ActiveCollabAdapter
import GrowCRMAdapter
import HelpSpaceAdapter
import ProductiveAdapter
import ProofHubAdapter
import ProviderKit
import SyncConfig

/// The provider kinds built into tasksync: the one list. Adding a provider
/// is its adapter folder plus one line here (README, "Adding a provider").
public enum ProviderCatalog {
    public static let all: [ProviderDescriptor] = [
        HelpSpaceProvider.descriptor,
        ProductiveProvider.descriptor,
        ProofHubProvider.descriptor,
        GrowCRMProvider.descriptor,
        ActiveCollabProvider.descriptor,
    ]

    /// Their config schemas, for `ConfigLoader`.
    public static var schemas: [ProviderSchema] { all.map(\.schema) }
}

extension ConfigLoader {
    /// Reads and validates the TOML file at `path` against the built-in kinds.
    public static func load(path: String) throws -> SyncConfiguration {
        try load(path: path, kinds: ProviderCatalog.schemas)
    }

    /// Validates a config's text against the built-in kinds.
    public static func parse(_ text: String, source: String) throws -> SyncConfiguration {
        try parse(text, source: source, kinds: ProviderCatalog.schemas)
    }
}
