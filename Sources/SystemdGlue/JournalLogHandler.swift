import CSystemd
import Foundation
import Logging

/// A swift-log handler that writes to journald through libsystemd
/// (`sd_journal_sendv`), with structured fields: every metadata key becomes
/// `TASKSYNC_<KEY>` (`provider` -> `TASKSYNC_PROVIDER`), so
/// `journalctl -u tasksync TASKSYNC_PROVIDER=productive` works.
///
/// Contract: field names are upper-case letters, digits and underscores and
/// start with a letter (journald drops others); a value whose key names a
/// secret (token, authorization, password, secret, key) is never written.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let identifier: String

    public init(label: String, identifier: String = "tasksync") {
        self.label = label
        self.identifier = identifier
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let fields = Self.fields(
            level: event.level, message: "\(event.message)", metadata: merged, identifier: identifier,
            file: event.file, function: event.function, line: event.line)
        Self.send(fields)
    }

    /// The journal entry for one log event, as (NAME, value) pairs.
    public static func fields(
        level: Logger.Level, message: String, metadata: Logger.Metadata, identifier: String, file: String, function: String,
        line: UInt
    ) -> [(String, String)] {
        var out: [(String, String)] = [
            ("MESSAGE", message), ("PRIORITY", String(priority(level))), ("SYSLOG_IDENTIFIER", identifier),
            ("CODE_FILE", file), ("CODE_LINE", String(line)), ("CODE_FUNC", function),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            guard !isSecret(key), let name = fieldName(key) else { continue }
            out.append((name, "\(value)"))
        }
        return out
    }

    /// syslog priorities: 2 critical ... 7 debug.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `remote_id` -> `TASKSYNC_REMOTE_ID`; nil when nothing valid is left.
    public static func fieldName(_ key: String) -> String? {
        var name = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9": name.unicodeScalars.append(scalar)
            default: if !name.hasSuffix("_") { name += "_" }
            }
        }
        while name.hasSuffix("_") { name.removeLast() }
        while name.hasPrefix("_") { name.removeFirst() }
        return name.isEmpty ? nil : "TASKSYNC_" + name
    }

    static func isSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return ["token", "authorization", "password", "secret", "api_key", "apikey", "credential"].contains { k.contains($0) }
    }

    static func send(_ fields: [(String, String)]) {
        // sd_journal_sendv copies the data; the buffers need only live through the call.
        let buffers = fields.map { Array("\($0.0)=\($0.1)".utf8) }
        var pointers: [UnsafeMutablePointer<UInt8>] = []
        defer { pointers.forEach { $0.deallocate() } }
        var vectors: [iovec] = []
        for b in buffers {
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, b.count))
            p.initialize(from: b, count: b.count)
            pointers.append(p)
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(p), iov_len: b.count))
        }
        _ = sd_journal_sendv(&vectors, Int32(vectors.count))
    }

    /// True when stderr is connected to the journal (systemd sets
    /// `JOURNAL_STREAM` to stderr's device and inode), so logs go to journald.
    public static var stderrIsJournal: Bool {
        guard let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }
}
