#if canImport(Glibc)
    import Glibc
#endif

/// `[metrics]`: the Prometheus endpoint `tasksync run` serves on
/// `GET /metrics`. No `[metrics]` table: no endpoint.
///
/// `listen` is `"PORT"` (on 127.0.0.1), `"HOST:PORT"` or `"[IPv6]:PORT"`,
/// where HOST is `localhost` (127.0.0.1) or an IP address: a name is never
/// looked up. An address other than loopback (`0.0.0.0`, a LAN address) is
/// served as written: it is only ever bound when the config names it.
public struct MetricsSettings: Sendable, Equatable, CustomStringConvertible {
    /// The address to bind, an IPv4 or IPv6 literal (no brackets).
    public var host: String
    public var port: Int

    /// The ports `listen` takes: the service runs without capabilities, so
    /// it cannot bind a port below 1024.
    public static let ports = 1024...65535
    /// The host when `listen` gives only a port.
    public static let defaultHost = "127.0.0.1"

    public init(host: String = MetricsSettings.defaultHost, port: Int) {
        self.host = host
        self.port = port
    }

    public var isIPv6: Bool { host.contains(":") }

    /// Whether only this machine can reach the endpoint (127.0.0.0/8, ::1).
    public var isLoopback: Bool {
        isIPv6 ? Self.ipv6Bytes(host) == Array(repeating: 0, count: 15) + [1] : host.hasPrefix("127.")
    }

    /// As `listen` would write it: `127.0.0.1:9464`, `[::1]:9464`.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Reads a `listen` value; the failure is the reason, for the message.
    public static func parse(listen text: String) -> Result<MetricsSettings, ListenSyntaxError> {
        let form = "expected \"PORT\", \"HOST:PORT\" or \"[IPv6]:PORT\" (like \"9464\" or \"127.0.0.1:9464\")"
        let value = text.trimmingWhitespace()
        var host = ""
        let portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"), value[value.index(after: close)...].hasPrefix(":") else {
                return .failure(ListenSyntaxError("\(form); an IPv6 address in brackets needs \":PORT\" after it"))
            }
            host = String(value[value.index(after: value.startIndex)..<close])
            portText = value[value.index(close, offsetBy: 2)...]
            guard ipv6Bytes(host) != nil else { return .failure(ListenSyntaxError("'\(host)' is not an IPv6 address")) }
        } else if let colon = value.lastIndex(of: ":") {
            host = String(value[..<colon])
            portText = value[value.index(after: colon)...]
            if host.contains(":") {
                return .failure(ListenSyntaxError("\(form); an IPv6 address goes in brackets, like \"[::1]:9464\""))
            }
        } else {
            portText = Substring(value)
        }
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText) else {
            return .failure(ListenSyntaxError(value.isEmpty ? form : "\(form); no port in '\(value)'"))
        }
        guard ports.contains(port) else {
            return .failure(
                ListenSyntaxError(
                    "port \(port): expected \(ports.lowerBound) to \(ports.upperBound) (the service has no capability to bind a lower port)"))
        }
        if host.isEmpty || host.lowercased() == "localhost" {
            host = defaultHost
        } else if !host.contains(":") && !isIPv4(host) {
            return .failure(ListenSyntaxError("'\(host)' is not an IP address: HOST is localhost or an IP address (no name is looked up)"))
        }
        return .success(MetricsSettings(host: host, port: port))
    }

    /// Four decimal numbers 0 to 255, dotted, nothing else.
    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { p in
                !p.isEmpty && p.count <= 3 && p.allSatisfy { $0.isASCII && $0.isNumber } && (Int(p) ?? 256) <= 255
            }
    }

    static func ipv6Bytes(_ s: String) -> [UInt8]? {
        var address = in6_addr()
        guard !s.isEmpty, inet_pton(AF_INET6, s, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}

/// Why a `[metrics] listen` value was refused.
public struct ListenSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
