import Foundation
import TOMLKit
import TaskModel

/// One thing wrong with a config: the file, the key, what is wrong.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var key: String
    public var message: String

    public var description: String { key.isEmpty ? "\(file): \(message)" : "\(file): \(key): \(message)" }
}

/// All the errors of one file, reported together.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

public enum ConfigLoader {
    /// Reads and validates the TOML file at `path`.
    public static func load(path: String) throws -> SyncConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors(errors: [ConfigError(file: path, key: "", message: "cannot read the file (missing, or no permission)")])
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    public static func parse(_ text: String, source: String) throws -> SyncConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigErrors(errors: [
                ConfigError(
                    file: source, key: "", message: "line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
            ])
        }
        var reader = TableReader(file: source)
        let config = reader.read(table)
        if !reader.errors.isEmpty { throw ConfigErrors(errors: reader.errors) }
        return config
    }
}

/// Walks the TOML tables, collecting every error with its key path.
struct TableReader {
    let file: String
    var errors: [ConfigError] = []

    mutating func fail(_ key: String, _ message: String) {
        errors.append(ConfigError(file: file, key: key, message: message))
    }

    mutating func unknownKeys(_ table: TOMLTable, _ prefix: String, allowed: Set<String>) {
        for key in table.keys.sorted() where !allowed.contains(key) {
            fail(prefix.isEmpty ? key : "\(prefix).\(key)", "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    mutating func string(_ t: TOMLTable, _ key: String, _ path: String, required: Bool = false) -> String? {
        guard let value = t[key] else {
            if required { fail("\(path).\(key)", "is required") }
            return nil
        }
        if let s = value.string { return s }
        if let i = value.int { return String(i) }
        fail("\(path).\(key)", "expected a string")
        return nil
    }

    mutating func number(_ t: TOMLTable, _ key: String, _ path: String, range: ClosedRange<Double>) -> Double? {
        guard let value = t[key] else { return nil }
        guard let n = value.double ?? value.int.map(Double.init) else {
            fail("\(path.isEmpty ? key : "\(path).\(key)")", "expected a number")
            return nil
        }
        guard range.contains(n) else {
            fail("\(path.isEmpty ? key : "\(path).\(key)")", "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return n
    }

    mutating func read(_ root: TOMLTable) -> SyncConfiguration {
        unknownKeys(root, "", allowed: ["sync", "provider", "link"])
        var sync = SyncSettings()
        if let s = root["sync"] {
            if let t = s.table {
                unknownKeys(
                    t, "sync",
                    allowed: ["mirror", "poll_interval", "full_listing_every", "cursor_overlap", "request_timeout", "retry_after_max", "comments_every"])
                if let m = string(t, "mirror", "sync") { sync.mirrorPath = m }
                if let n = number(t, "poll_interval", "sync", range: 5...86400) { sync.pollInterval = n }
                if let n = number(t, "full_listing_every", "sync", range: 1...10000) { sync.fullListingEvery = Int(n) }
                if let n = number(t, "cursor_overlap", "sync", range: 0...86400) { sync.cursorOverlap = n }
                if let n = number(t, "request_timeout", "sync", range: 1...600) { sync.requestTimeout = n }
                if let n = number(t, "comments_every", "sync", range: 1...10000) { sync.commentsEvery = Int(n) }
                // Bounded well below the unit's WatchdogSec=180s: waits make no progress.
                if let n = number(t, "retry_after_max", "sync", range: 0...120) { sync.retryAfterMax = n }
            } else {
                fail("sync", "expected a table ([sync])")
            }
        }
        let providers = readProviders(root["provider"], sync: sync)
        let links = readLinks(root["link"], providers: providers)
        if links.isEmpty && errors.isEmpty { fail("link", "no [[link]]: nothing to sync") }
        return SyncConfiguration(source: file, sync: sync, providers: providers, links: links)
    }

    mutating func tables(_ value: TOMLValueConvertible?, _ name: String) -> [TOMLTable] {
        guard let value else { return [] }
        guard let array = value.array else {
            fail(name, "expected an array of tables ([[\(name)]])")
            return []
        }
        return array.enumerated().compactMap { i, v in
            guard let t = v.table else {
                fail("\(name)[\(i)]", "expected a table")
                return nil
            }
            return t
        }
    }

    static let providerKeys: [ProviderKind: (required: [String], optional: [String])] = [
        .helpspace: (["board_id", "client_id"], ["per_page"]),
        .productive: (["organization_id", "project_id", "task_list_id"], ["page_size", "closed_status_id", "open_status_id"]),
    ]

    mutating func readProviders(_ value: TOMLValueConvertible?, sync: SyncSettings) -> [ProviderConfig] {
        var out: [ProviderConfig] = []
        for (i, t) in tables(value, "provider").enumerated() {
            let path = "provider[\(i)]"
            guard let name = string(t, "name", path, required: true) else { continue }
            let keyPath = "provider[\(i)] (\(name))"
            if !Self.validName(name) { fail("\(keyPath).name", "use letters, digits, '-' and '_' only") }
            if out.contains(where: { $0.name == name }) { fail("\(keyPath).name", "another provider has this name") }
            guard let kindText = string(t, "kind", keyPath, required: true) else { continue }
            guard let kind = ProviderKind(rawValue: kindText) else {
                fail("\(keyPath).kind", "unknown kind '\(kindText)' (known: \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            let keys = Self.providerKeys[kind]!
            unknownKeys(
                t, keyPath, allowed: Set(["name", "kind", "base_url", "token_file", "token_credential", "token", "rate_limit"] + keys.required + keys.optional))
            var settings: [String: String] = [:]
            for key in keys.required { settings[key] = string(t, key, keyPath, required: true) }
            for key in keys.optional { settings[key] = string(t, key, keyPath) }
            let baseURL = string(t, "base_url", keyPath)
            if let baseURL, !(baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://127.0.0.1") || baseURL.hasPrefix("http://localhost")) {
                fail("\(keyPath).base_url", "must be https:// (plain http only to 127.0.0.1 or localhost)")
            }
            if t["token"] != nil {
                fail("\(keyPath).token", "tokens never go in the main config: use token_file or token_credential")
            }
            var token: SecretSource?
            switch (string(t, "token_file", keyPath), string(t, "token_credential", keyPath)) {
            case (let f?, nil): token = .file(f)
            case (nil, let c?): token = .credential(c)
            case (.some, .some): fail("\(keyPath)", "give token_file or token_credential, not both")
            case (nil, nil): fail("\(keyPath).token_file", "is required (or token_credential)")
            }
            var rateLimit = kind.defaultRateLimit
            if t["rate_limit"] != nil, let text = t["rate_limit"]?.string {
                switch RateLimitWindow.parseList(text) {
                case .success(let windows): rateLimit = windows
                case .failure(let error):
                    fail("\(keyPath).rate_limit", "\(error) (expected \"none\" or windows like \"100/10s, 4000/30m\")")
                }
            } else if t["rate_limit"] != nil {
                fail("\(keyPath).rate_limit", "expected a string like \"100/10s, 4000/30m\" or \"none\"")
            }
            guard let token else { continue }
            out.append(
                ProviderConfig(
                    name: name, kind: kind, baseURL: baseURL, settings: settings, token: token, key: keyPath, rateLimit: rateLimit,
                    retryAfterMax: sync.retryAfterMax))
        }
        return out
    }

    mutating func readLinks(_ value: TOMLValueConvertible?, providers: [ProviderConfig]) -> [LinkConfig] {
        var out: [LinkConfig] = []
        var taken: [String: String] = [:]
        for (i, t) in tables(value, "link").enumerated() {
            let path = "link[\(i)]"
            guard let name = string(t, "name", path, required: true) else { continue }
            let keyPath = "link[\(i)] (\(name))"
            unknownKeys(t, keyPath, allowed: ["name", "members", "on_delete", "max_delete_share", "status"])
            if out.contains(where: { $0.name == name }) { fail("\(keyPath).name", "another link has this name") }
            guard let members = t["members"]?.array?.compactMap({ $0.string }), members.count == t["members"]?.array?.count else {
                fail("\(keyPath).members", "expected an array of provider names")
                continue
            }
            if members.count < 2 { fail("\(keyPath).members", "a link needs two or more providers") }
            if Set(members).count != members.count { fail("\(keyPath).members", "a provider is named twice") }
            for m in members {
                if !providers.contains(where: { $0.name == m }) { fail("\(keyPath).members", "no [[provider]] is named '\(m)'") }
                if let other = taken[m] { fail("\(keyPath).members", "'\(m)' is already in link '\(other)'; a provider belongs to one link") }
                taken[m] = name
            }
            var link = LinkConfig(name: name, members: members)
            if let d = string(t, "on_delete", keyPath) {
                if let policy = DeletionPolicy(rawValue: d) {
                    link.onDelete = policy
                } else {
                    fail("\(keyPath).on_delete", "expected delete, archive or ignore")
                }
            }
            if let share = number(t, "max_delete_share", keyPath, range: 0...1) { link.maxDeleteShare = share }
            for (j, s) in tables(t["status"], "\(keyPath).status").enumerated() {
                let sPath = "\(keyPath).status[\(j)]"
                guard let statusName = string(s, "name", sPath, required: true) else { continue }
                var remote: [String: String] = [:]
                for key in s.keys.sorted() where key != "name" {
                    if !members.contains(key) { fail("\(sPath).\(key)", "not a member of this link") }
                    remote[key] = string(s, key, sPath)
                }
                if link.statuses.contains(where: { $0.name == statusName }) { fail("\(sPath).name", "status '\(statusName)' is mapped twice") }
                for (provider, id) in remote where link.statuses.contains(where: { $0.remote[provider] == id }) {
                    fail("\(sPath).\(provider)", "status id \(id) is already mapped to another status")
                }
                link.statuses.append(StatusMapping(name: statusName, remote: remote))
            }
            out.append(link)
        }
        return out
    }

    static func validName(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

/// Reads secrets from files or systemd credentials.
public enum Secrets {
    public static func read(_ source: SecretSource, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let path: String
        switch source {
        case .file(let p): path = p
        case .credential(let name):
            guard let dir = environment["CREDENTIALS_DIRECTORY"] else {
                throw SecretError(message: "credential '\(name)': $CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the unit, or token_file)")
            }
            path = dir + "/" + name
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
