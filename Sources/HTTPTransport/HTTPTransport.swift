import Foundation

/// An HTTP request as adapters build it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Whether the transport may send this request a second time when the
    /// first attempt may have reached the server (a reused keep-alive
    /// connection that turns out dead). A request that may create something
    /// is never sent twice: one attempt, and a failure after it may have
    /// left says so (``TransportError/outcomeUnknown``) so that the outbox
    /// reconciles it (DESIGN.md rules 4 and 15).
    ///
    /// Defaults to ``isIdempotent(_:)`` of the method: true for GET, HEAD,
    /// PUT, DELETE and OPTIONS; false for POST and PATCH. An adapter whose
    /// PATCH only updates may pass true; one whose PATCH creates (HelpSpace
    /// subtasks) keeps false.
    public var retryable: Bool

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, retryable: Bool? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.retryable = retryable ?? Self.isIdempotent(method)
    }

    /// RFC 9110 §9.2.2: the methods whose repetition has the same effect as
    /// one request.
    public static func isIdempotent(_ method: String) -> Bool {
        ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method.uppercased())
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body && a.retryable == b.retryable
            && a.headers.map { "\($0.0):\($0.1)" } == b.headers.map { "\($0.0):\($0.1)" }
    }
}

/// An HTTP response. Header names are lower case; a name that came more
/// than once holds its values joined with ", " in the order received
/// (RFC 9110 §5.3).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Errors below HTTP: the request got no response.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// True when a request that is not ``HTTPRequest/retryable`` failed
    /// after it may have reached the server: it may or may not have taken
    /// effect, and it was not sent again. Whoever sent it must find out
    /// (the engine's outbox reconciles a create) rather than repeat it.
    public var outcomeUnknown: Bool

    public init(_ message: String, outcomeUnknown: Bool = false) {
        self.message = message
        self.outcomeUnknown = outcomeUnknown
    }

    public var description: String {
        outcomeUnknown ? "\(message) (outcome unknown: the request may have reached the server; not sent again)" : message
    }
}

/// The one way adapters reach the network. ``CurlTransport`` is the real
/// one; ``RateLimitedTransport`` wraps it per provider with a request
/// budget; tests wrap it to inject faults.
public protocol HTTPTransport: Sendable {
    /// Sends the request and returns whatever status the server answered.
    /// Throws ``TransportError`` only when no response arrived, and
    /// ``RateLimitWait`` when the request was not sent because its provider
    /// must wait longer than the transport waits inside a cycle.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Timeouts and limits of a transport.
public struct TransportOptions: Sendable {
    /// Seconds to establish a connection.
    public var connectTimeout: Double = 10
    /// Seconds for the whole request.
    public var requestTimeout: Double = 60
    /// Requests in flight at once, across all adapters.
    public var maxConcurrent: Int = 8
    /// TLS peer and host verification. Only tests against plain-HTTP fakes
    /// ever run without TLS; verification itself is never turned off.
    public let verifyTLS: Bool = true
    public var userAgent: String = "tasksync/0.1"

    public init() {}
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
/// `+` becomes `%2B`, which Productive's filters need (NOTES.md).
public func percentEncode(_ value: String) -> String {
    var out = ""
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            out.append(Character(Unicode.Scalar(byte)))
        default:
            out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
        }
    }
    return out
}

/// Builds `base?k=v&k=v` with each key and value percent-encoded.
public func url(_ base: String, query: [(String, String)]) -> String {
    guard !query.isEmpty else { return base }
    let q = query.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    return base + (base.contains("?") ? "&" : "?") + q
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
