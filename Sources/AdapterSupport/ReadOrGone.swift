/// What a direct read of one item found: the item, or that it is gone.
public enum ReadOrGone<Value> {
    case found(Value)
    /// The server answered 404 or 410: `reason` names the status and the
    /// server's message, e.g. `HTTP 404: Record Not Found`.
    case gone(reason: String)
}

extension ReadOrGone: Sendable where Value: Sendable {}
extension ReadOrGone: Equatable where Value: Equatable {}

/// Runs a direct read and turns "not there" into a result.
///
/// Contract: a ``ProviderError/rejected(status:message:)`` with status 404
/// or 410 becomes ``ReadOrGone/gone(reason:)``; every other error (401,
/// 422, 5xx, a network error, a body that does not parse) passes through
/// unchanged, so only the server's own word makes an item gone. Runs on the
/// caller's actor; `read` need not be `Sendable`.
public func readOrGone<Value>(
    isolation: isolated (any Actor)? = #isolation, _ read: () async throws -> Value
) async throws -> ReadOrGone<Value> {
    do {
        return .found(try await read())
    } catch let error as ProviderError {
        guard let reason = goneReason(error) else { throw error }
        return .gone(reason: reason)
    }
}

/// The same for a read that already answers a ``DirectRead`` (for an item
/// that is there but deleted or archived, `.gone` with the adapter's own
/// reason): a 404 or 410 gives `.gone` with the status and message.
public func readOrGone(
    isolation: isolated (any Actor)? = #isolation, _ read: () async throws -> DirectRead
) async throws -> DirectRead {
    do {
        return try await read()
    } catch let error as ProviderError {
        guard let reason = goneReason(error) else { throw error }
        return .gone(reason: reason)
    }
}

/// `HTTP 404: <message>` for a 404 or 410 rejection, nil for anything else.
public func goneReason(_ error: ProviderError) -> String? {
    guard case .rejected(let status, let message) = error, status == 404 || status == 410 else { return nil }
    return "HTTP \(status): \(message)"
}
