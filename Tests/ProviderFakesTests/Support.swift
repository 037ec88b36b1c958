import Foundation
import HTTPTransport
import ProviderFakes

#if canImport(Glibc)
    import Glibc
#endif

/// A plain HTTP client for one fake: libcurl, the fake's headers, JSON in and out.
struct Client: Sendable {
    let base: String
    let headers: [(String, String)]
    var transport = CurlTransport()

    static func productive(_ base: String) -> Client {
        Client(base: base, headers: [("X-Auth-Token", "pr-token"), ("X-Organization-Id", "1987"), ("Content-Type", "application/vnd.api+json")])
    }

    static func helpSpace(_ base: String) -> Client {
        Client(
            base: base, headers: [("Authorization", "Bearer hs-token"), ("Hs-Client-Id", "hs-client"), ("Content-Type", "application/json; charset=utf-8")])
    }

    func send(_ method: String, _ path: String, _ body: Any? = nil, headers extra: [(String, String)] = []) async throws -> Answer {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        var headers = headers.filter { h in !extra.contains { $0.0.lowercased() == h.0.lowercased() } } + extra
        headers = headers.filter { !$0.1.isEmpty }
        let response = try await transport.send(
            HTTPRequest(method: method, url: base + path, headers: headers, body: data.map { Array($0) } ?? (method == "GET" || method == "DELETE" ? nil : [])))
        // CurlTransport's header parser keeps each line's CR LF in the value
        // (a Swift Character holds "\r\n" as one): the values are trimmed here,
        // and FakeServerTests shows the untrimmed ones.
        return Answer(
            status: response.status, headers: response.headers.mapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
            rawHeaders: response.headers, body: response.body)
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> Answer { try await send("GET", path, headers: headers) }
}

struct Answer: Sendable {
    var status: Int
    var headers: [String: String]
    /// The header values exactly as CurlTransport hands them over.
    var rawHeaders: [String: String]
    var body: [UInt8]

    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
    var data: [String: Any] { json["data"] as? [String: Any] ?? [:] }
    var list: [[String: Any]] { json["data"] as? [[String: Any]] ?? [] }
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension Dictionary where Key == String, Value == Any {
    subscript(path path: String) -> Any? {
        var value: Any? = self
        for step in path.split(separator: ".") {
            if let index = Int(step), let array = value as? [Any] {
                value = index < array.count ? array[index] : nil
            } else {
                value = (value as? [String: Any])?[String(step)]
            }
        }
        return value
    }

    func string(_ path: String) -> String? { self[path: path] as? String }
    func dict(_ path: String) -> [String: Any]? { self[path: path] as? [String: Any] }
}

/// `{"meta":{"included":false}}`, exactly.
func isNotIncluded(_ value: Any?) -> Bool {
    guard let rel = value as? [String: Any], rel.count == 1, let meta = rel["meta"] as? [String: Any], meta.count == 1 else { return false }
    return (meta["included"] as? Bool) == false
}

/// Runs blocking work on its own thread, off Swift's cooperative pool (the
/// fakes' connections need those threads meanwhile).
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// A bare TCP connection to a fake, to see exactly what arrives on the wire.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    /// Connects to `url`'s port on 127.0.0.1; reads give up after `timeout` seconds.
    init(_ url: String, timeout: Int = 30) throws {
        let port = UInt16(URLComponents(string: url)?.port ?? 0)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    enum Read: Equatable {
        case bytes([UInt8])
        /// The server closed the connection.
        case end
        /// Nothing arrived in time.
        case timeout
    }

    func read() -> Read {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        if n > 0 { return .bytes(Array(buffer[0..<n])) }
        if n == 0 { return .end }
        return errno == ECONNRESET ? .end : .timeout
    }

    /// One whole response (head and Content-Length body), or nil when the
    /// connection ends (or times out) first; `raw` holds every byte read.
    func readResponse() -> (head: String, body: String, raw: [UInt8])? {
        var raw: [UInt8] = []
        while true {
            if let end = raw.indices.dropLast(3).first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 && raw[$0 + 2] == 13 && raw[$0 + 3] == 10 }) {
                let head = String(decoding: raw[0..<end + 4], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if raw.count >= end + 4 + length {
                    return (head, String(decoding: raw[(end + 4)..<(end + 4 + length)], as: UTF8.self), raw)
                }
            }
            guard case .bytes(let more) = read() else { return nil }
            raw += more
        }
    }
}
