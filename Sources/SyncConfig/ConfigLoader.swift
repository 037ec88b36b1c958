import Foundation
import ProviderKit

/// One thing wrong with a config: the file, the key, the line, what is wrong.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var key: String
    public var message: String
    /// The line the key (or, for a missing key, its table's header) is on.
    public var line: Int?

    public init(file: String, key: String, message: String, line: Int? = nil) {
        self.file = file
        self.key = key
        self.message = message
        self.line = line
    }

    public var description: String {
        // A syntax error has no key; its message starts with "line N, column C:".
        if key.isEmpty { return "\(file): \(message)" }
        return "\(file): \(key): \(message)\(line.map { " (line \($0))" } ?? "")"
    }
}

/// All the errors of one file, reported together.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

public enum ConfigLoader {
    /// A systemd instance name as the template unit uses it (`tasksync@NAME`,
    /// `/etc/tasksync/NAME.toml`): letters, digits, '-' and '_'. The one rule
    /// for `--instance` and for finding an instance's credentials.
    public static func isInstanceName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// Reads and validates the TOML file at `path`. `kinds`: the provider
    /// kinds there are (`ProviderCatalog.schemas`), whose keys are checked.
    public static func load(path: String, kinds: [ProviderSchema]) throws -> SyncConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors(errors: [ConfigError(file: path, key: "", message: "cannot read the file (missing, or no permission)")])
        }
        guard let text = String(validatingUTF8: data) else {
            throw ConfigErrors(errors: [ConfigError(file: path, key: "", message: "not UTF-8 text")])
        }
        return try parse(text, source: path, kinds: kinds)
    }

    public static func parse(_ text: String, source: String, kinds: [ProviderSchema]) throws -> SyncConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(text)
        } catch {
            // The message starts with "line N, column C:", as before.
            throw ConfigErrors(errors: [ConfigError(file: source, key: "", message: error.description, line: error.line)])
        }
        var reader = TableReader(file: source, kinds: kinds)
        let config = reader.read(table)
        if !reader.errors.isEmpty { throw ConfigErrors(errors: reader.errors) }
        return config
    }
}

extension String {
    fileprivate init?(validatingUTF8 data: Data) {
        guard let s = String(bytes: data, encoding: .utf8) else { return nil }
        self = s
    }
}

/// Walks the TOML tables, collecting every error with its key path and line.
struct TableReader {
    let file: String
    let kinds: [ProviderSchema]
    var errors: [ConfigError] = []

    mutating func fail(_ key: String, _ message: String, line: Int?) {
        errors.append(ConfigError(file: file, key: key, message: message, line: line))
    }

    /// Fails at `key` of `table`: its line, or the table's when the key is missing.
    mutating func fail(_ t: TOMLTable, _ key: String, _ path: String, _ message: String) {
        fail(path.isEmpty ? key : "\(path).\(key)", message, line: t[key]?.line ?? t.line)
    }

    mutating func unknownKeys(_ table: TOMLTable, _ prefix: String, allowed: Set<String>) {
        for key in table.keys where !allowed.contains(key) {
            fail(table, key, prefix, "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// A string value. Integers are refused: a quoted value was meant.
    mutating func string(_ t: TOMLTable, _ key: String, _ path: String, required: Bool = false) -> String? {
        guard let node = t[key] else {
            if required { fail(t, key, path, "is required") }
            return nil
        }
        guard case .string(let s) = node.value else {
            fail(t, key, path, "expected a string, found \(node.value.typeName)")
            return nil
        }
        return s
    }

    /// An id in the given form (``IDForm``); `what` says what kind of id, for the message.
    mutating func id(_ t: TOMLTable, _ key: String, _ path: String, form: IDForm, required: Bool = false, what: String) -> String? {
        guard let node = t[key] else {
            if required { fail(t, key, path, "is required") }
            return nil
        }
        if let id = Self.id(node.value, form: form) { return id }
        fail(t, key, path, "expected \(what) (\(Self.example(form))), found \(Self.shown(node.value))")
        return nil
    }

    /// An id of the form: a positive integer or a string of digits; for
    /// ``IDForm/text``, also a word (no spaces, no control characters).
    static func id(_ value: TOMLValue, form: IDForm) -> String? {
        switch value {
        case .integer(let n) where n > 0: return String(n)
        case .string(let s) where Self.isDigits(s): return s
        case .string(let s) where form == .text && !s.isEmpty && s.utf8.count <= 255:
            return s.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) ? nil : s
        default: return nil
        }
    }

    static func example(_ form: IDForm) -> String {
        switch form {
        case .integer: "an integer, like 3"
        case .digits: "digits, like \"1234\""
        case .text: "a word without spaces, like \"in-progress\" or 3"
        }
    }

    static func isDigits(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 18 && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && Int64(s).map { $0 > 0 } == true
    }

    /// A value as the message shows it: strings quoted and cut short.
    static func shown(_ value: TOMLValue) -> String {
        switch value {
        case .string(let s):
            let cut = s.count > 40 ? String(s.prefix(40)) + "..." : s
            return "\"\(cut.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : $0.escaped(asASCII: true) }.joined())\""
        case .integer(let n): return String(n)
        default: return value.typeName
        }
    }

    mutating func number(_ t: TOMLTable, _ key: String, _ path: String, range: ClosedRange<Double>, integer: Bool = false) -> Double? {
        guard let node = t[key] else { return nil }
        let n: Double
        switch node.value {
        case .integer(let i): n = Double(i)
        case .float(let x) where !integer: n = x
        default:
            fail(t, key, path, "expected \(integer ? "a whole number" : "a number"), found \(Self.shown(node.value))")
            return nil
        }
        guard range.contains(n) else {
            let bound = { (x: Double) in x == x.rounded() ? String(Int(x)) : String(x) }
            fail(t, key, path, "must be between \(bound(range.lowerBound)) and \(bound(range.upperBound))")
            return nil
        }
        return n
    }

    mutating func read(_ root: TOMLTable) -> SyncConfiguration {
        unknownKeys(root, "", allowed: ["sync", "provider", "link", "metrics"])
        var sync = SyncSettings()
        if let s = root["sync"] {
            if case .table(let t) = s.value {
                unknownKeys(
                    t, "sync",
                    allowed: [
                        "mirror", "poll_interval", "full_listing_every", "cursor_overlap", "request_timeout", "retry_after_max", "comments_every",
                        "journal_retention_days", "create_batch",
                    ])
                if let m = string(t, "mirror", "sync") {
                    if m.isEmpty || m.contains("\0") { fail(t, "mirror", "sync", "expected the path of the SQLite file") } else { sync.mirrorPath = m }
                }
                if let n = number(t, "poll_interval", "sync", range: 5...86400) { sync.pollInterval = n }
                if let n = number(t, "full_listing_every", "sync", range: 1...10000, integer: true) { sync.fullListingEvery = Int(n) }
                if let n = number(t, "cursor_overlap", "sync", range: 0...86400) { sync.cursorOverlap = n }
                if let n = number(t, "request_timeout", "sync", range: 1...600) { sync.requestTimeout = n }
                if let n = number(t, "comments_every", "sync", range: 1...10000, integer: true) { sync.commentsEvery = Int(n) }
                if let n = number(t, "journal_retention_days", "sync", range: 0...36500, integer: true) { sync.journalRetentionDays = Int(n) }
                if let n = number(t, "create_batch", "sync", range: 1...1_000_000, integer: true) { sync.createBatch = Int(n) }
                // Bounded well below the unit's WatchdogSec=180s: waits make no progress.
                if let n = number(t, "retry_after_max", "sync", range: 0...120) { sync.retryAfterMax = n }
            } else {
                fail("sync", "expected a table ([sync])", line: s.line)
            }
        }
        let metrics = readMetrics(root["metrics"])
        let providers = readProviders(root["provider"], sync: sync)
        let links = readLinks(root["link"], providers: providers)
        if links.isEmpty && errors.isEmpty { fail("link", "no [[link]]: nothing to sync", line: nil) }
        return SyncConfiguration(source: file, sync: sync, providers: providers, links: links, metrics: metrics)
    }

    /// `[metrics]`: `listen` is required in it (without the table, no endpoint).
    mutating func readMetrics(_ node: TOMLNode?) -> MetricsSettings? {
        guard let node else { return nil }
        guard case .table(let t) = node.value else {
            fail("metrics", "expected a table ([metrics])", line: node.line)
            return nil
        }
        unknownKeys(t, "metrics", allowed: ["listen"])
        guard let listen = t["listen"] else {
            fail(t, "listen", "metrics", "is required: the address to serve GET /metrics on, like \"127.0.0.1:9464\" (or remove [metrics])")
            return nil
        }
        let text: String
        switch listen.value {
        case .string(let s): text = s
        case .integer(let n): text = String(n)
        default:
            fail(t, "listen", "metrics", "expected a string like \"127.0.0.1:9464\" or a port, found \(Self.shown(listen.value))")
            return nil
        }
        switch MetricsSettings.parse(listen: text) {
        case .success(let settings): return settings
        case .failure(let error):
            fail(t, "listen", "metrics", "\(Self.shown(listen.value)): \(error.reason)")
            return nil
        }
    }

    mutating func tables(_ node: TOMLNode?, _ name: String) -> [TOMLTable] {
        guard let node else { return [] }
        let items: [TOMLValue]
        switch node.value {
        case .tableArray(let a): return a.tables
        case .array(let nodes): items = nodes.map(\.value)
        default:
            fail(name, "expected an array of tables ([[\(name)]]), found \(node.value.typeName)", line: node.line)
            return []
        }
        return items.enumerated().compactMap { i, v in
            guard case .table(let t) = v else {
                fail("\(name)[\(i)]", "expected a table", line: node.line)
                return nil
            }
            return t
        }
    }

    mutating func readProviders(_ value: TOMLNode?, sync: SyncSettings) -> [ProviderConfig] {
        var out: [ProviderConfig] = []
        var seen: Set<String> = []
        for (i, t) in tables(value, "provider").enumerated() {
            let path = "provider[\(i)]"
            guard let name = string(t, "name", path, required: true) else { continue }
            let keyPath = "provider[\(i)] (\(name))"
            if !Self.validName(name) { fail(t, "name", keyPath, Self.nameRule) }
            if !seen.insert(name).inserted { fail(t, "name", keyPath, "another provider has this name") }
            guard let kindText = string(t, "kind", keyPath, required: true) else { continue }
            guard let schema = kinds.first(where: { $0.kind == kindText }) else {
                fail(t, "kind", keyPath, "unknown kind '\(kindText)' (known: \(kinds.map(\.kind).joined(separator: ", ")))")
                continue
            }
            unknownKeys(
                t, keyPath,
                allowed: Set(["name", "kind", "base_url", "token_file", "token_credential", "token", "rate_limit", "concurrency"] + schema.settings.map(\.key)))
            var settings: [String: String] = [:]
            var settingsOK = true
            for spec in schema.settings {
                let key = spec.key
                let value: String?
                switch spec.rule {
                case .id(let form):
                    value = id(t, key, keyPath, form: form, required: spec.required, what: "a \(schema.displayName) id")
                case .word:
                    value = string(t, key, keyPath, required: spec.required)
                    if let v = value, v.isEmpty || v.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) {
                        fail(t, key, keyPath, "expected a value without spaces")
                    }
                case .line:
                    value = string(t, key, keyPath, required: spec.required)
                    if let v = value, v.trimmingWhitespace().isEmpty || v.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                        fail(t, key, keyPath, "expected one line of text (\(spec.help))")
                    }
                case .integer(let range):
                    value = number(t, key, keyPath, range: Double(range.lowerBound)...Double(range.upperBound), integer: true).map { String(Int($0)) }
                }
                if value == nil && (spec.required || t[key] != nil) { settingsOK = false }
                settings[key] = value
            }
            let baseURL = string(t, "base_url", keyPath, required: schema.defaultBaseURL == nil)
            if let baseURL, let problem = Self.baseURLProblem(baseURL) { fail(t, "base_url", keyPath, problem) }
            if t["token"] != nil {
                fail(t, "token", keyPath, "tokens never go in the main config: use token_file or token_credential")
            }
            var token: SecretSource?
            switch (string(t, "token_file", keyPath), string(t, "token_credential", keyPath)) {
            case (let f?, nil):
                if f.isEmpty || f.contains("\0") { fail(t, "token_file", keyPath, "expected the path of a file") } else { token = .file(f) }
            case (nil, let c?):
                if Secrets.validCredentialName(c) {
                    token = .credential(c)
                } else {
                    fail(t, "token_credential", keyPath, "expected a credential name: letters, digits, '-', '_' and '.', no '/' and not '.' or '..'")
                }
            case (.some, .some): fail(keyPath, "give token_file or token_credential, not both", line: t.line)
            case (nil, nil):
                if t["token_file"] == nil && t["token_credential"] == nil { fail(t, "token_file", keyPath, "is required (or token_credential)") }
            }
            var rateLimit = (try? RateLimitWindow.parseList(schema.defaultRateLimit).get()) ?? []
            if let node = t["rate_limit"] {
                if case .string(let text) = node.value {
                    switch RateLimitWindow.parseList(text) {
                    case .success(let windows): rateLimit = windows
                    case .failure(let error):
                        fail(t, "rate_limit", keyPath, "\(error) (expected \"none\" or windows like \"100/10s, 4000/30m\")")
                    }
                } else {
                    fail(t, "rate_limit", keyPath, "expected a string like \"100/10s, 4000/30m\" or \"none\"")
                }
            }
            let concurrency = number(t, "concurrency", keyPath, range: 1...16, integer: true).map { Int($0) } ?? ProviderConfig.defaultConcurrency
            guard let token, settingsOK, let resolvedBaseURL = baseURL ?? schema.defaultBaseURL else { continue }
            out.append(
                ProviderConfig(
                    name: name, kind: schema.kind, baseURL: resolvedBaseURL, settings: settings, token: token, key: keyPath, rateLimit: rateLimit,
                    retryAfterMax: sync.retryAfterMax, concurrency: concurrency))
        }
        // The same account and scope under two names would be two providers to the
        // engine: each link would copy the other's tasks back to it.
        var scopes: [String: String] = [:]
        for p in out {
            guard let schema = kinds.first(where: { $0.kind == p.kind }) else { continue }
            // The ids a kind's config names (board, project, list) are its scope.
            let ids = schema.settings.filter { if case .id = $0.rule { $0.required } else { false } }
            let scope = ([p.kind, p.baseURL.lowercased()] + ids.map { "\($0.key)=\(p.settings[$0.key] ?? "")" }).joined(separator: "|")
            if let first = scopes[scope] {
                let keys = ids.map(\.key).joined(separator: ", ")
                fail(
                    "\(p.key).name",
                    "the same \(schema.displayName) account and scope as provider '\(first)' (same base_url and \(keys)): "
                        + "name it once and list that name in one link", line: nil)
            } else {
                scopes[scope] = p.name
            }
        }
        return out
    }

    /// Why `text` is not a usable base URL, or nil.
    static func baseURLProblem(_ text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil, url.user == nil, url.password == nil
        else {
            return "expected a URL like https://api.example.com (no query, no user)"
        }
        switch scheme {
        case "https": return nil
        case "http" where ["127.0.0.1", "localhost", "[::1]", "::1"].contains(host.lowercased()): return nil
        default: return "must be https:// (plain http only to 127.0.0.1 or localhost)"
        }
    }

    mutating func readLinks(_ value: TOMLNode?, providers: [ProviderConfig]) -> [LinkConfig] {
        var out: [LinkConfig] = []
        var taken: [String: String] = [:]
        for (i, t) in tables(value, "link").enumerated() {
            let path = "link[\(i)]"
            guard let name = string(t, "name", path, required: true) else { continue }
            let keyPath = "link[\(i)] (\(name))"
            unknownKeys(t, keyPath, allowed: ["name", "members", "on_delete", "max_delete_share", "status"])
            if !Self.validName(name) { fail(t, "name", keyPath, Self.nameRule) }
            if out.contains(where: { $0.name == name }) { fail(t, "name", keyPath, "another link has this name") }
            guard let membersNode = t["members"] else {
                fail(t, "members", keyPath, "is required: the providers this link keeps the same, e.g. members = [\"support-board\", \"web-project\"]")
                continue
            }
            var members: [String] = []
            if case .array(let items) = membersNode.value {
                for item in items { if case .string(let s) = item.value { members.append(s) } }
                if members.count != items.count { members = [] }
            }
            guard !members.isEmpty || membersNode.value.isEmptyArray else {
                fail(t, "members", keyPath, "expected an array of provider names")
                continue
            }
            if members.count < 2 { fail(t, "members", keyPath, "a link needs two or more providers") }
            if Set(members).count != members.count { fail(t, "members", keyPath, "a provider is named twice") }
            var schemas: [String: ProviderSchema] = [:]
            for m in members {
                if let p = providers.first(where: { $0.name == m }) {
                    schemas[m] = kinds.first { $0.kind == p.kind }
                } else {
                    fail(t, "members", keyPath, "no [[provider]] is named '\(m)'")
                }
                if let other = taken[m] {
                    fail(
                        t, "members", keyPath,
                        "'\(m)' is already in link '\(other)': a provider belongs to one link (each link keeps its own copies, "
                            + "so one board in two links would copy every task twice); put all of them in one link of up to five members")
                }
                taken[m] = name
            }
            var link = LinkConfig(name: name, members: members)
            if let d = string(t, "on_delete", keyPath) {
                if let policy = DeletionPolicy(rawValue: d) {
                    link.onDelete = policy
                } else {
                    fail(t, "on_delete", keyPath, "expected delete, archive or ignore")
                }
            }
            if let share = number(t, "max_delete_share", keyPath, range: 0...1) { link.maxDeleteShare = share }
            for (j, s) in tables(t["status"], "\(keyPath).status").enumerated() {
                let sPath = "\(keyPath).status[\(j)]"
                guard let statusName = string(s, "name", sPath, required: true) else { continue }
                if !Self.validStatusName(statusName) { fail(s, "name", sPath, Self.statusNameRule) }
                var remote: [String: String] = [:]
                for key in s.keys where key != "name" {
                    guard members.contains(key) else {
                        fail(s, key, sPath, "not a member of this link (members: \(members.joined(separator: ", ")))")
                        continue
                    }
                    guard let node = s[key] else { continue }
                    // A member's status id has the type of that member's ids.
                    guard let schema = schemas[key] else { continue }  // the member itself is already an error
                    guard let id = Self.id(node.value, form: schema.statusID) else {
                        fail(s, key, sPath, "expected a \(schema.displayName) status id (\(Self.example(schema.statusID))), found \(Self.shown(node.value))")
                        continue
                    }
                    remote[key] = id
                }
                if link.statuses.contains(where: { $0.name == statusName }) { fail(s, "name", sPath, "status '\(statusName)' is mapped twice") }
                for (provider, id) in remote.sorted(by: { $0.key < $1.key }) where link.statuses.contains(where: { $0.remote[provider] == id }) {
                    fail(s, provider, sPath, "status id \(id) is already mapped to another status")
                }
                link.statuses.append(StatusMapping(name: statusName, remote: remote))
            }
            out.append(link)
        }
        return out
    }

    static let nameRule = "use letters, digits, '-' and '_', starting with a letter"

    /// Provider and link names: `[A-Za-z][A-Za-z0-9_-]*`, at most 64 characters.
    static func validName(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 64, (0x41...0x5A).contains(first) || (0x61...0x7A).contains(first) else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static let statusNameRule =
        "a status name uses letters, digits, spaces and - _ . ' & ( ), starts with a letter or digit, has no space at either end and is at most 64 characters"

    /// Canonical status names: letters (any script), ASCII digits, single
    /// spaces and `- _ . ' & ( )`, starting with a letter or digit, 1 to 64
    /// characters. Never `?` or `:` (an unmapped status is `?PROVIDER:ID`),
    /// nor `/`, quotes or control characters.
    static func validStatusName(_ s: String) -> Bool {
        guard let first = s.first, let last = s.last, s.count <= 64, first.isLetter || (first.isASCII && first.isNumber), last != " " else {
            return false
        }
        if s.contains("  ") { return false }
        return s.allSatisfy { c in
            (c.isLetter && !c.isASCII && c.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
                || (c.isASCII && (c.isLetter || c.isNumber || " -_.'&()".contains(c)))
        }
    }
}

/// Reads secrets from files or systemd credentials.
public enum Secrets {
    /// Where `scripts/install` puts credentials, and where the unit's
    /// `LoadCredential=` reads them from: used when `$CREDENTIALS_DIRECTORY`
    /// is not set (`check-config` or `sync` from a shell).
    public static let defaultCredentialsDirectory = "/etc/tasksync/credentials"

    /// The folder credentials are read from, and whether it came from
    /// `$CREDENTIALS_DIRECTORY`. Without it: /etc/tasksync/credentials, or,
    /// for an instance's config `/etc/tasksync/NAME.toml`, the folder
    /// `tasksync@NAME.service` loads them from, /etc/tasksync/credentials/NAME.
    public static func credentialsDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment, configPath: String? = nil
    ) -> (path: String, fromEnvironment: Bool) {
        if let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty { return (dir, true) }
        if let configPath, configPath.hasPrefix("/etc/tasksync/"), configPath.hasSuffix(".toml") {
            let name = String(configPath.dropFirst("/etc/tasksync/".count).dropLast(".toml".count))
            if name != "tasksync", ConfigLoader.isInstanceName(name) { return (defaultCredentialsDirectory + "/" + name, false) }
        }
        return (defaultCredentialsDirectory, false)
    }

    /// A systemd credential name: no `/`, not `.` or `..`.
    public static func validCredentialName(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".." && s.utf8.count <= 255
            && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    public static func read(
        _ source: SecretSource, environment: [String: String] = ProcessInfo.processInfo.environment, configPath: String? = nil
    ) throws -> String {
        let path: String
        switch source {
        case .file(let p): path = p
        case .credential(let name):
            guard validCredentialName(name) else { throw SecretError(message: "credential '\(name)': not a credential name") }
            let (dir, fromEnvironment) = credentialsDirectory(environment: environment, configPath: configPath)
            path = dir + "/" + name
            if !fromEnvironment && FileManager.default.contents(atPath: path) == nil {
                throw SecretError(
                    message: "credential '\(name)': cannot read \(path) ($CREDENTIALS_DIRECTORY is not set, so \(dir)/ was checked)")
            }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SecretError(message: "\(source): cannot read \(path)")
        }
        let value = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        guard !value.isEmpty else { throw SecretError(message: "\(source): \(path) is empty") }
        return value
    }
}

public struct SecretError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
