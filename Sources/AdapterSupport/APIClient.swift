import Foundation
@_exported import HTTPTransport
@_exported import TaskModel

/// A provider's base URL, fixed headers and transport, with the one mapping
/// from HTTP status codes to ``ProviderError`` that every adapter uses.
public struct APIClient: Sendable {
    public var baseURL: String
    public var headers: [(String, String)]
    public var transport: any HTTPTransport

    public init(baseURL: String, headers: [(String, String)], transport: any HTTPTransport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.headers = headers
        self.transport = transport
    }

    /// Sends a request to `path` (relative to the base URL) and returns the
    /// response when its status is 2xx; throws the matching ``ProviderError``
    /// otherwise.
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
            method: method, url: url(baseURL + path, query: query), headers: headers + extraHeaders, body: body, retryable: retryable)
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch let error as TransportError {
            throw error.outcomeUnknown ? ProviderError.outcomeUnknown(error.message) : ProviderError.transport(error.message)
        } catch let wait as RateLimitWait {
            throw ProviderError.rateLimited(retryAfter: wait.retryAfter, message: wait.description)
        }
        try Self.check(response)
        return response
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

    /// The human part of an error body, in any of the providers' formats:
    /// `{"message": ...}`, `{"errors": [{"title","detail"}]}`, `{"error": ...}`.
    public static func errorMessage(_ body: [UInt8]) -> String {
        struct Shapes: Decodable {
            struct Item: Decodable {
                var title: String?
                var detail: String?
                var source: [String: String]?
            }
            var message: String?
            var error: String?
            var errors: [Item]?
        }
        if let shapes = try? JSONDecoder().decode(Shapes.self, from: Data(body)) {
            if let items = shapes.errors, !items.isEmpty {
                return items.map { item in
                    [item.title, item.detail, item.source?["pointer"].map { "(\($0))" }].compactMap { $0 }
                        .joined(separator: ": ")
                }.joined(separator: "; ")
            }
            if let m = shapes.message ?? shapes.error { return m }
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return text.isEmpty ? "(empty body)" : text
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
public struct FlexibleID: Codable, Hashable, Sendable {
    public var value: String
    public init(_ value: String) { self.value = value }
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
