/// Runs `body` for each item, at most `limit` at once, and returns the
/// results in the items' order: the reads a cycle makes per task (comments,
/// subtasks, direct reads), or an adapter per listed task. After a failure
/// that is provider-wide (network, 401, 429, 5xx) the items not started yet
/// are not sent: their result is ``ProviderError/notSent``.
public func concurrentResults<Item: Sendable, Value: Sendable>(
    _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async throws -> Value
) async -> [Result<Value, ProviderError>] {
    var results: [Result<Value, ProviderError>?] = Array(repeating: nil, count: items.count)
    await withTaskGroup(of: (Int, Result<Value, ProviderError>).self) { group in
        var next = 0
        var stopped = false
        func start() {
            let i = next
            next += 1
            let item = items[i]
            group.addTask {
                do { return (i, .success(try await body(item))) } catch {
                    return (i, .failure(error as? ProviderError ?? .malformed("\(error)")))
                }
            }
        }
        while next < items.count && next < max(1, limit) { start() }
        while let (i, result) = await group.next() {
            results[i] = result
            if case .failure(let e) = result, e.isProviderWide { stopped = true }
            if !stopped && next < items.count { start() }
        }
    }
    return results.map { $0 ?? .failure(.notSent) }
}

extension ProviderError {
    /// What ``concurrentResults(_:limit:_:)`` gives the items it did not send
    /// after a provider-wide failure.
    public static let notSent = ProviderError.unsupported("not sent: an earlier read failed for the whole provider")
}
