import Foundation
@_exported import HTTPTransport
@_exported import TaskModel

/// A provider's base URL, fixed headers, credentials and transport, with
/// the one mapping from HTTP status codes to ``ProviderError`` that every
/// adapter uses.
///
/// Contract: every request gets the fixed ``headers``, then the caller's
/// extra headers, then the credentials of ``auth`` (headers, or a token
/// added to the query string). A non-2xx answer throws (``check(_:now:)``);
/// a 2xx answer whose body is an error by the provider's ``envelope``
/// throws ``ProviderError/rejected(status:message:)``. The messages of
/// thrown errors never contain ``auth``'s secrets.
public struct APIClient: Sendable {
    public var baseURL: String
    public var headers: [(String, String)]
    public var transport: any HTTPTransport
    public var auth: ProviderAuth
    /// The provider's check for errors inside 2xx answers (ProofHub:
    /// ``ErrorEnvelope/proofHub``); nil: a 2xx is a success.
    public var envelope: ErrorEnvelope?

    /// A client whose credentials are among `headers` (as the adapters
    /// written before ``ProviderAuth`` pass them).
    public init(baseURL: String, headers: [(String, String)], transport: any HTTPTransport) {
        self.init(baseURL: baseURL, auth: .none, headers: headers, transport: transport)
    }

    public init(
        baseURL: String, auth: ProviderAuth, headers: [(String, String)] = [], envelope: ErrorEnvelope? = nil,
        transport: any HTTPTransport
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.headers = headers
        self.transport = transport
        self.auth = auth
        self.envelope = envelope
    }

    /// Sends a request to `path` (relative to the base URL) and returns the
    /// response when its status is 2xx (and, with an ``envelope``, its body
    /// is no error); throws the matching ``ProviderError`` otherwise.
    ///
    /// `retryable` says whether the transport may send the request twice
    /// (``HTTPRequest/retryable``); nil takes the method's default (POST and
    /// PATCH: no). Pass false for any request that creates something, true
    /// for a PATCH that only updates. A non-retryable request that failed
    /// after it may have reached the server throws
    /// ``ProviderError/outcomeUnknown(_:)``.
    public func call(
        _ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        extraHeaders: [(String, String)] = [], retryable: Bool? = nil
    ) async throws -> HTTPResponse {
        let request = HTTPRequest(
            method: method, url: url(baseURL + path, query: auth.query(query)), headers: auth.headers(headers + extraHeaders),
            body: body, retryable: retryable)
        do {
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as TransportError {
                throw error.outcomeUnknown ? ProviderError.outcomeUnknown(error.message) : ProviderError.transport(error.message)
            } catch let wait as RateLimitWait {
                throw ProviderError.rateLimited(retryAfter: wait.retryAfter, message: wait.description)
            }
            try Self.check(response)
            try envelope?.check(response)
            return response
        } catch let error as ProviderError {
            throw auth.redact(error)
        }
    }

    /// The same with a ``RequestBody``: its bytes, and its Content-Type in
    /// place of any Content-Type among the fixed and extra headers.
    public func call(
        _ method: String, _ path: String, query: [(String, String)] = [], body: RequestBody,
        extraHeaders: [(String, String)] = [], retryable: Bool? = nil
    ) async throws -> HTTPResponse {
        var client = self
        client.headers = headers.filter { $0.0.lowercased() != "content-type" }
        let extra = extraHeaders.filter { $0.0.lowercased() != "content-type" } + [("Content-Type", body.contentType)]
        return try await client.call(method, path, query: query, body: body.bytes, extraHeaders: extra, retryable: retryable)
    }

    /// Maps a non-2xx response to its error. A 429 carries the seconds the
    /// server asked for (``HTTPResponse/retryAfter(now:)``), or nil when it
    /// named none.
    public static func check(_ response: HTTPResponse, now: Date = Date()) throws {
        let status = response.status
        guard !(200..<300).contains(status) else { return }
        let message = errorMessage(response.body)
        switch status {
        case 401, 403: throw ProviderError.unauthorized(status: status, message: message)
        case 429:
            throw ProviderError.rateLimited(retryAfter: response.retryAfter(now: now), message: message)
        case 500...: throw ProviderError.server(status: status, message: message)
        default: throw ProviderError.rejected(status: status, message: message)
        }
    }
}

extension HTTPResponse {
    /// Decodes the body; a body that does not parse is ``ProviderError/malformed(_:)``.
    public func decode<T: Decodable>(_ type: T.Type, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw ProviderError.malformed("\(what): \(Self.describe(error))")
        }
    }

    static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch e {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return "\(path(c)): \(c.debugDescription)"
        case .keyNotFound(let key, let c): return "\(path(c)).\(key.stringValue) is missing"
        @unknown default: return "\(error)"
        }
    }
}

/// Encodes a JSON body.
public func jsonBody(_ value: some Encodable) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
}

/// An id that arrives as a string or as a number ("an occasional
/// relationship id arrives as a number"), kept as a string.
///
/// Contract: a number is read as an `Int64`, digit for digit, never through
/// `Double`: ProofHub's ids exceed 2^53 (9007199254740993 stays that).
/// A number that is not a whole `Int64` is refused.
public struct FlexibleID: Codable, Hashable, Sendable {
    public var value: String
    public init(_ value: String) { self.value = value }
    public init(_ value: Int64) { self.value = String(value) }
    /// The id as an integer, when it is one.
    public var int64: Int64? { Int64(value) }
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            value = s
        } else if let i = try? c.decode(Int64.self) {
            value = String(i)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "an id is a string or an integer")
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// Decodes each element on its own, so that one item that does not parse
/// fails that item alone (rule 6).
public struct Lenient<T: Decodable>: Decodable {
    public var value: Result<T, ProviderError>
    public init(from decoder: Decoder) throws {
        do {
            value = .success(try T(from: decoder))
        } catch {
            value = .failure(.malformed(HTTPResponse.describe(error)))
        }
    }
}

/// A JSON value for bodies whose shape the adapter builds by hand.
public enum JSON: Encodable, Sendable {
    case string(String), number(Int64), bool(Bool), null
    case array([JSON]), object([String: JSON])

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension Lenient: Sendable where T: Sendable {}
