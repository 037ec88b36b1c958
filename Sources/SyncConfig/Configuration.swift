import ProviderKit

/// The whole config file, validated.
public struct SyncConfiguration: Sendable {
    public var source: String
    public var sync: SyncSettings
    public var providers: [ProviderConfig]
    public var links: [LinkConfig]
    /// `[metrics]`: the endpoint `tasksync run` serves; nil without the table.
    public var metrics: MetricsSettings? = nil

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
    /// `create_batch`: at most this many tasks new to the mirror are copied
    /// per member and cycle (a first sync of a large project); the rest wait
    /// for the next cycles, which `run` and `sync` start at once. It bounds
    /// what one cycle plans and holds in memory.
    public var createBatch: Int = 5000
    /// `retry_after_max`: the longest a provider's requests wait inside a
    /// cycle, for a 429's Retry-After or for room in its `rate_limit`; a
    /// request that would wait longer parks the provider until then.
    public var retryAfterMax: Double = 30
    /// `journal_retention_days`: journal entries older than this many days
    /// are deleted at the end of each cycle; 0 keeps every entry.
    public var journalRetentionDays: Int = 90

    public init() {}
}

/// One window of a `rate_limit`: at most `requests` in any `seconds`.
public struct RateLimitWindow: Sendable, Equatable, CustomStringConvertible {
    public var requests: Int
    public var seconds: Double

    /// The least time `count` requests can take under all of `windows` at
    /// once: the first window's worth go at once, then one window's worth
    /// per window length. No windows: no wait.
    public static func minimumSeconds(for count: Int, under windows: [RateLimitWindow]) -> Double {
        windows.map { w in count <= w.requests ? 0 : Double((count + w.requests - 1) / w.requests - 1) * w.seconds }.max() ?? 0
    }

    public init(requests: Int, seconds: Double) {
        self.requests = requests
        self.seconds = seconds
    }

    public var description: String {
        if seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(requests)/\(Int(seconds / 3600))h" }
        if seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(requests)/\(Int(seconds / 60))m" }
        return seconds == seconds.rounded() ? "\(requests)/\(Int(seconds))s" : "\(requests)/\(seconds)s"
    }

    /// Parses a `rate_limit` value: `"none"`, or windows separated by
    /// commas, each `REQUESTS/DURATION` where DURATION is a number with the
    /// unit s, m or h (`"100/10s, 4000/30m"`; `"5/s"` is 5 per second).
    /// Returns the reason when the text is not one.
    public static func parseList(_ text: String) -> Result<[RateLimitWindow], RateLimitSyntaxError> {
        let trimmed = text.trimmingWhitespace()
        if trimmed.lowercased() == "none" { return .success([]) }
        var out: [RateLimitWindow] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(part).trimmingWhitespace()
            let halves = item.split(separator: "/", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
            guard halves.count == 2, !halves[0].isEmpty, halves[0].allSatisfy({ $0.isASCII && $0.isNumber }),
                let requests = Int(halves[0]), (1...1_000_000).contains(requests)
            else {
                return .failure(RateLimitSyntaxError(item: item, reason: "expected REQUESTS/DURATION with REQUESTS from 1 to 1000000"))
            }
            guard let unit = halves[1].last, let scale = ["s": 1.0, "m": 60, "h": 3600][String(unit)] else {
                return .failure(RateLimitSyntaxError(item: item, reason: "the duration needs a unit: s, m or h"))
            }
            let number = String(halves[1].dropLast()).trimmingWhitespace()
            guard number.isEmpty || number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                let amount = number.isEmpty ? 1 : Double(number), amount > 0, amount * scale <= 86400
            else {
                return .failure(RateLimitSyntaxError(item: item, reason: "the duration must be more than 0 and at most 24h"))
            }
            out.append(RateLimitWindow(requests: requests, seconds: amount * scale))
        }
        return .success(out)
    }
}

public struct RateLimitSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var item: String
    public var reason: String
    public var description: String { "'\(item)': \(reason)" }
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
    /// `kind`: one of the catalog's ``ProviderSchema/kind``.
    public var kind: String
    /// `base_url`, or the kind's default (``ProviderSchema/defaultBaseURL``).
    public var baseURL: String
    /// Kind-specific settings (board_id, project_id, ...), as written.
    public var settings: [String: String]
    public var token: SecretSource
    /// Where in the file this provider was written, for messages.
    public var key: String
    /// `rate_limit`: the request budget, one window per published limit;
    /// empty: no limit on this side. Defaults to ``ProviderSchema/defaultRateLimit``.
    public var rateLimit: [RateLimitWindow] = []
    /// `[sync] retry_after_max`, carried here so that whoever builds the
    /// provider's transport has it.
    public var retryAfterMax: Double = 30
    /// `concurrency`: how many requests to this provider may be in flight at
    /// once (listing pages, comment reads, writes), always within its
    /// `rate_limit`. 1 to 16.
    public var concurrency: Int = ProviderConfig.defaultConcurrency

    /// Four requests at once: at 100-300 ms an answer, a few requests per
    /// second, below every published limit's burst.
    public static let defaultConcurrency = 4
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
