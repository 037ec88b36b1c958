import TaskModel

/// The whole config file, validated.
public struct SyncConfiguration: Sendable {
    public var source: String
    public var sync: SyncSettings
    public var providers: [ProviderConfig]
    public var links: [LinkConfig]

    public func provider(named name: String) -> ProviderConfig? { providers.first { $0.name == name } }
}

/// `[sync]`: where the mirror lives and how often to poll.
public struct SyncSettings: Sendable, Equatable {
    /// `mirror`: the SQLite file.
    public var mirrorPath: String = "/var/lib/tasksync/mirror.sqlite"
    /// `poll_interval`: seconds between cycles of `tasksync run`.
    public var pollInterval: Double = 60
    /// `full_listing_every`: every how many cycles a provider with a
    /// changed-since filter is listed in full anyway, to notice deletions.
    public var fullListingEvery: Int = 10
    /// `cursor_overlap`: seconds each changed-since request reaches back
    /// before the cursor (clock skew, one-second granularity).
    public var cursorOverlap: Double = 60
    /// `request_timeout`: seconds for one HTTP request.
    public var requestTimeout: Double = 60
    /// `comments_every`: every mapped task's comments are read at least
    /// every this many cycles (rotating batches); a new or changed task's at once.
    public var commentsEvery: Int = 30

    public init() {}
}

public enum ProviderKind: String, Sendable, CaseIterable {
    case helpspace, productive
}

/// Where a secret comes from: a file, or a systemd credential
/// (`LoadCredential=`, read from `$CREDENTIALS_DIRECTORY`). Never the main config.
public enum SecretSource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case credential(String)

    public var description: String {
        switch self {
        case .file(let p): "file \(p)"
        case .credential(let n): "credential \(n)"
        }
    }
}

/// `[[provider]]`: one account of one API, with its scope.
public struct ProviderConfig: Sendable, Equatable {
    public var name: String
    public var kind: ProviderKind
    public var baseURL: String?
    /// Kind-specific settings (board_id, project_id, ...), as written.
    public var settings: [String: String]
    public var token: SecretSource
    /// Where in the file this provider was written, for messages.
    public var key: String
}

public enum DeletionPolicy: String, Sendable, CaseIterable {
    /// Delete the other copies.
    case delete
    /// Archive the other copies where the provider can, and say so where not.
    case archive
    /// Leave the other copies; only the journal records it.
    case ignore
}

/// `[[link.status]]`: one canonical status and the id it has on each member.
public struct StatusMapping: Sendable, Equatable {
    public var name: String
    public var remote: [String: String]
}

/// `[[link]]`: two or more providers whose tasks are kept the same.
public struct LinkConfig: Sendable, Equatable {
    public var name: String
    public var members: [String]
    public var onDelete: DeletionPolicy = .archive
    /// A cycle that would delete or archive more than this share of the
    /// link's tasks stops and says why.
    public var maxDeleteShare: Double = 0.25
    public var statuses: [StatusMapping] = []

    public init(name: String, members: [String]) {
        self.name = name
        self.members = members
    }

    /// The canonical status for a member's remote status id; an unmapped id
    /// becomes `?PROVIDER:ID`, which is written back to that provider only.
    public func canonicalStatus(provider: String, remote: String?) -> String? {
        statusTranslator(provider: provider)(remote)
    }

    /// ``canonicalStatus(provider:remote:)`` for one provider, with the map
    /// built once: it runs for every task of every listing.
    public func statusTranslator(provider: String) -> @Sendable (String?) -> String? {
        var map: [String: String] = [:]
        for s in statuses { if let id = s.remote[provider], map[id] == nil { map[id] = s.name } }
        let table = map
        return { remote in remote.map { table[$0] ?? "?\(provider):\($0)" } }
    }

    /// The member's remote status id for a canonical status, if mapped.
    public func remoteStatus(provider: String, canonical: String?) -> String? {
        guard let canonical else { return nil }
        if canonical.hasPrefix("?\(provider):") { return String(canonical.dropFirst(provider.count + 2)) }
        return statuses.first { $0.name == canonical }?.remote[provider]
    }
}
