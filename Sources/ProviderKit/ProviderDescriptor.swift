/// What a provider kind registers: its config keys and their validation
/// (``schema``) and how to build an adapter from a validated
/// `[[provider]]` table (``make``). The executables hold the one list of
/// descriptors (the `ProviderCatalog` module); the config module validates
/// against their schemas and the engine builds through them, and neither
/// knows a provider by name.
public struct ProviderDescriptor: Sendable {
    public var schema: ProviderSchema
    /// Builds the adapter. Throws ``SetupError`` for a setting it cannot use.
    public var make: @Sendable (ProviderSetup) throws -> any TaskProvider

    public init(schema: ProviderSchema, make: @escaping @Sendable (ProviderSetup) throws -> any TaskProvider) {
        self.schema = schema
        self.make = make
    }
}

/// A provider kind's config: `kind = ...`, the keys of its
/// `[[provider]]` table beyond the common ones (name, kind, base_url,
/// token_file / token_credential, rate_limit), and the form its status ids
/// take in `[[link.status]]`.
public struct ProviderSchema: Sendable {
    /// `kind = ...` in the config.
    public var kind: String
    /// The provider's own name, for messages: "HelpSpace".
    public var displayName: String
    /// The API root when `base_url` is not given; nil when the account's
    /// URL is its own (`https://<company>.proofhub.com/api/v3`) and
    /// `base_url` is required.
    public var defaultBaseURL: String?
    /// The kind's own keys, in the order `--help` and messages list them.
    public var settings: [SettingSpec]
    /// The `rate_limit` a provider of this kind gets when its config gives
    /// none, in the config's syntax (`"100/10s, 4000/30m"`, `"none"`): the
    /// published limits (NOTES.md).
    public var defaultRateLimit: String
    /// How a status id of this kind is written in `[[link.status]]`.
    public var statusID: IDForm

    public init(
        kind: String, displayName: String, defaultBaseURL: String?, settings: [SettingSpec], defaultRateLimit: String,
        statusID: IDForm
    ) {
        self.kind = kind
        self.displayName = displayName
        self.defaultBaseURL = defaultBaseURL
        self.settings = settings
        self.defaultRateLimit = defaultRateLimit
        self.statusID = statusID
    }
}

/// The form of an id in the config.
public enum IDForm: Sendable, Equatable {
    /// A positive integer (`3`); a string of digits is accepted too.
    case integer
    /// Digits, as a string or an integer (`"2547"` or `2547`).
    case digits
    /// Any text without spaces or control characters (`"in-progress"`).
    case text
}

/// One key of a kind's `[[provider]]` table.
public struct SettingSpec: Sendable {
    public enum Rule: Sendable, Equatable {
        /// An id in the given form.
        case id(IDForm)
        /// A word: text without spaces or control characters.
        case word
        /// A line of text: no control characters, not empty (a User-Agent).
        case line
        /// An integer within the range.
        case integer(ClosedRange<Int>)
    }

    public var key: String
    public var required: Bool
    public var rule: Rule
    /// What the key is, for `--help`, the example config and messages.
    public var help: String

    public init(_ key: String, required: Bool, _ rule: Rule, help: String) {
        self.key = key
        self.required = required
        self.rule = rule
        self.help = help
    }
}

/// A validated `[[provider]]` table, as a descriptor's ``ProviderDescriptor/make`` gets it.
public struct ProviderSetup: Sendable {
    public var name: String
    /// `base_url`, or the schema's default.
    public var baseURL: String
    /// The kind's own keys as written (validated by their ``SettingSpec``).
    public var settings: [String: String]
    /// The token, read from its file or credential.
    public var token: String
    /// The provider's own transport (its rate limit already applied).
    public var transport: any HTTPTransport
    /// `concurrency`: how many requests the adapter may have in flight at
    /// once (pages of a listing).
    public var concurrency: Int

    public init(
        name: String, baseURL: String, settings: [String: String], token: String, transport: any HTTPTransport, concurrency: Int = 1
    ) {
        self.name = name
        self.baseURL = baseURL
        self.settings = settings
        self.token = token
        self.transport = transport
        self.concurrency = max(1, concurrency)
    }

    /// A setting the schema requires (validated already).
    public func required(_ key: String) throws -> String {
        guard let v = settings[key], !v.isEmpty else { throw SetupError(message: "\(key) is required") }
        return v
    }

    /// A setting read as a 64-bit integer.
    public func int64(_ key: String) throws -> Int64 {
        guard let v = Int64(try required(key)) else { throw SetupError(message: "\(key): expected a number") }
        return v
    }

    /// An optional integer setting, or `fallback`.
    public func int(_ key: String, default fallback: Int) -> Int { settings[key].flatMap { Int($0) } ?? fallback }
}

/// A setting a descriptor could not use.
public struct SetupError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
