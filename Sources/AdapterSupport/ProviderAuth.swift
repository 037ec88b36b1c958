/// How a provider knows who is calling: credential headers (HelpSpace,
/// Productive, ProofHub's `X-API-KEY`, Grow CRM's bearer key) or a token in
/// the query string (ActiveCollab's legacy `auth_api_token`).
///
/// Contract: ``APIClient`` applies it to every request it sends, after the
/// caller's query and headers. The secret values never appear in what
/// this type prints (``description``, `dump`), and ``APIClient`` removes
/// them from the messages of the errors it throws (``redact(_:)``); the
/// transport already logs URLs without their query.
public enum ProviderAuth: Sendable {
    /// No credentials of this kind (the client's fixed headers may still
    /// carry some, as the adapters written before this type do).
    case none
    /// Headers sent with every request, e.g. `("X-API-KEY", key)`.
    case headers([(String, String)])
    /// A query parameter added to every request's URL, e.g.
    /// `auth_api_token=<token>`.
    case queryToken(name: String, value: String)

    /// The query with the token added (last), for ``APIClient``.
    public func query(_ query: [(String, String)]) -> [(String, String)] {
        guard case .queryToken(let name, let value) = self else { return query }
        return query + [(name, value)]
    }

    /// The headers with the credential headers added (last).
    public func headers(_ headers: [(String, String)]) -> [(String, String)] {
        guard case .headers(let credentials) = self else { return headers }
        return headers + credentials
    }

    /// The secret strings to keep out of messages: the token, or each
    /// header value and, for `Bearer <key>`, the key alone. Values shorter
    /// than 4 characters are left alone (they would blank out unrelated
    /// text and hide nothing).
    var secrets: [String] {
        let values: [String]
        switch self {
        case .none: values = []
        case .headers(let list):
            values = list.flatMap { _, value in
                [value] + (value.split(separator: " ", maxSplits: 1).dropFirst().map(String.init))
            }
        case .queryToken(_, let value): values = [value, percentEncode(value)]
        }
        return values.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    /// `message` with every secret replaced by `<redacted>`.
    public func redact(_ message: String) -> String {
        secrets.reduce(message) { text, secret in text.replacing(secret, with: "<redacted>") }
    }

    /// `error` with ``redact(_:)`` applied to its message.
    public func redact(_ error: ProviderError) -> ProviderError {
        switch error {
        case .transport(let m): .transport(redact(m))
        case .outcomeUnknown(let m): .outcomeUnknown(redact(m))
        case .unauthorized(let s, let m): .unauthorized(status: s, message: redact(m))
        case .rateLimited(let r, let m): .rateLimited(retryAfter: r, message: redact(m))
        case .server(let s, let m): .server(status: s, message: redact(m))
        case .malformed(let m): .malformed(redact(m))
        case .rejected(let s, let m): .rejected(status: s, message: redact(m))
        case .unsupported(let m): .unsupported(redact(m))
        }
    }
}

extension ProviderAuth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Names only: `query token auth_api_token=<redacted>`.
    public var description: String {
        switch self {
        case .none: "no auth"
        case .headers(let list): "headers " + list.map { "\($0.0): <redacted>" }.joined(separator: ", ")
        case .queryToken(let name, _): "query token \(name)=<redacted>"
        }
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }
}
