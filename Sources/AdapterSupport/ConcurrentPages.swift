/// Reads a listing paged by number with up to `concurrency` pages in
/// flight: the first page alone (it says how many there are), then the
/// others at once, at most `concurrency` at a time, within the provider's
/// request budget (its transport waits for room). For a full listing of
/// 10,000 HelpSpace tasks at 100 ms an answer, four at a time takes a
/// quarter of the time one after another does.
///
/// Contract: `fetch(page)` returns that page's items and, from the server,
/// its number and the last page's. The result holds the pages' items in
/// page order, whatever order they arrived in. When the first page names
/// no last page (or `concurrency` is 1), the pages are read one after
/// another as ``fetchNumberedPages(firstPage:pageSize:maxRequests:isolation:_:)``
/// reads them. A page that fails fails the listing; the pages still in
/// flight are cancelled.
public func fetchNumberedPagesConcurrently<Item: Sendable>(
    concurrency: Int, pageSize: Int? = nil, maxPages: Int = 10_000,
    _ fetch: @escaping @Sendable (_ page: Int) async throws -> NumberedPage<Item>
) async throws -> Paged<Item> {
    let first = try await fetch(1)
    guard concurrency > 1, let last = first.lastPage, !first.items.isEmpty else {
        // One at a time: the sequential reader, starting again from page 1's answer.
        var pages = [first]
        var requests = 1
        var page = (first.currentPage ?? 1) + 1
        while let previous = pages.last, !previous.items.isEmpty {
            if let lastPage = previous.lastPage {
                guard (previous.currentPage ?? page - 1) < lastPage else { break }
            } else {
                guard let pageSize, previous.items.count >= pageSize else { break }
            }
            guard requests < maxPages else { throw ProviderError.malformed("listing: more than \(maxPages) pages") }
            pages.append(try await fetch(page))
            requests += 1
            page += 1
        }
        return Paged(items: pages.flatMap(\.items), requestCount: requests)
    }
    guard last <= maxPages else { throw ProviderError.malformed("listing: \(last) pages, more than \(maxPages)") }
    var byPage: [Int: [Item]] = [1: first.items]
    if last >= 2 {
        try await withThrowingTaskGroup(of: (Int, [Item]).self) { group in
            var next = 2
            func start() {
                let page = next
                next += 1
                group.addTask { (page, try await fetch(page).items) }
            }
            while next <= last && next - 2 < concurrency { start() }
            while let (page, items) = try await group.next() {
                byPage[page] = items
                if next <= last { start() }
            }
        }
    }
    return Paged(items: (1...last).flatMap { byPage[$0] ?? [] }, requestCount: last)
}

/// Reads an offset-paged listing (ProofHub's `start` and `limit`) with up to
/// `concurrency` pages in flight. Such a listing says nothing of its length,
/// so the next offsets are asked for ahead: `fetch(0, limit)`,
/// `fetch(limit, limit)`, ... and no new one once a page comes back short.
/// That costs at most `concurrency - 1` requests past the end, each within
/// the provider's budget.
///
/// Contract: `limit` is clamped to `1...maxLimit`. The result holds the
/// items of the pages up to and including the first short one (fewer than
/// `limit` items, none included), in offset order; pages asked for past it
/// are counted in ``Paged/requestCount`` and their items dropped. With
/// `concurrency` 1 it reads as ``fetchOffsetPages(limit:maxLimit:maxRequests:isolation:_:)``.
/// More than `maxRequests` pages throws ``ProviderError/malformed(_:)``. A
/// page that fails fails the listing; the pages still in flight are cancelled.
public func fetchOffsetPagesConcurrently<Item: Sendable>(
    limit: Int, maxLimit: Int, concurrency: Int, maxRequests: Int = 10_000,
    _ fetch: @escaping @Sendable (_ start: Int, _ limit: Int) async throws -> [Item]
) async throws -> Paged<Item> {
    let limit = min(max(limit, 1), max(maxLimit, 1))
    var byPage: [Int: [Item]] = [:]
    var requests = 0
    var end: Int?  // the index of the first short page
    try await withThrowingTaskGroup(of: (Int, [Item]).self) { group in
        var next = 0
        func start() throws {
            guard next < maxRequests else { throw ProviderError.malformed("listing: more than \(maxRequests) pages") }
            let page = next
            next += 1
            group.addTask { (page, try await fetch(page * limit, limit)) }
        }
        while next < max(1, concurrency) { try start() }
        while let (page, items) = try await group.next() {
            requests += 1
            byPage[page] = items
            if items.count < limit { end = min(end ?? page, page) }
            if end == nil { try start() }
        }
    }
    let last = end ?? (byPage.keys.max() ?? 0)
    return Paged(items: (0...last).flatMap { byPage[$0] ?? [] }, requestCount: requests)
}
