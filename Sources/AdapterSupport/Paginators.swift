/// Everything a paged listing returned, and how many requests it took.
///
/// `Item` is whatever one page yields per entry: for a listing decoded
/// with ``Lenient``, the `Lenient<T>` itself, so that an item that does not
/// parse stays in the list as a failure (and still counts toward the page's
/// size) while the others go on; ``partitioned()`` splits them afterwards.
public struct Paged<Item> {
    public var items: [Item]
    public var requestCount: Int

    public init(items: [Item], requestCount: Int) {
        self.items = items
        self.requestCount = requestCount
    }

    /// The items that parsed and, on their own, why the others did not.
    public func partitioned<T>() -> (values: [T], problems: [ProviderError]) where Item == Lenient<T> {
        var values: [T] = []
        var problems: [ProviderError] = []
        for item in items {
            switch item.value {
            case .success(let value): values.append(value)
            case .failure(let error): problems.append(error)
            }
        }
        return (values, problems)
    }
}

extension Paged: Sendable where Item: Sendable {}
extension NumberedPage: Sendable where Item: Sendable {}

/// One page of a page-numbered listing (Laravel's `meta.current_page` and
/// `meta.last_page`, JSON:API's `meta.current_page` and `meta.total_pages`).
public struct NumberedPage<Item> {
    public var items: [Item]
    /// The page the server says this is; nil when it does not say.
    public var currentPage: Int?
    /// The last page (or the page count); nil when the server does not say.
    public var lastPage: Int?

    public init(items: [Item], currentPage: Int? = nil, lastPage: Int? = nil) {
        self.items = items
        self.currentPage = currentPage
        self.lastPage = lastPage
    }
}

/// Reads a page-numbered listing to its end: `fetch(1)`, `fetch(2)`, ...
///
/// Contract: the next page is the one after the page the server named
/// (``NumberedPage/currentPage``, else the one asked for). It stops after
/// a page with no items; after the last page when the server names one;
/// when it names none, after a page with fewer than `pageSize` items (or
/// after the first page when `pageSize` is nil). A page whose number does
/// not move forward, or more than `maxRequests` requests, throws
/// ``ProviderError/malformed(_:)`` rather than loop. Errors from `fetch`
/// pass through: a page that fails fails the listing, an item that fails
/// is the caller's (``Paged``). It runs on the caller's actor, so `fetch`
/// need not be `Sendable`; the pages are read one after the other.
public func fetchNumberedPages<Item>(
    firstPage: Int = 1, pageSize: Int? = nil, maxRequests: Int = 10_000, isolation: isolated (any Actor)? = #isolation,
    _ fetch: (_ page: Int) async throws -> NumberedPage<Item>
) async throws -> Paged<Item> {
    var items: [Item] = []
    var requests = 0
    var page = firstPage
    while true {
        guard requests < maxRequests else { throw ProviderError.malformed("listing: more than \(maxRequests) pages") }
        let answer = try await fetch(page)
        requests += 1
        items += answer.items
        let current = answer.currentPage ?? page
        guard !answer.items.isEmpty else { break }
        if let last = answer.lastPage {
            guard current < last else { break }
        } else {
            guard let pageSize, answer.items.count >= pageSize else { break }
        }
        guard current + 1 > page else {
            throw ProviderError.malformed("listing: page \(page) was answered as page \(current)")
        }
        page = current + 1
    }
    return Paged(items: items, requestCount: requests)
}

/// Reads an offset-paged listing to its end: `fetch(0, limit)`,
/// `fetch(limit, limit)`, ... (ProofHub's `start` and `limit`, at most 100).
///
/// Contract: `limit` is clamped to `1...maxLimit`. Each next offset is the
/// previous plus the number of items that came back. It stops after a page
/// with fewer than `limit` items (including none); a full page is always
/// followed by one more request, which may come back empty. More than
/// `maxRequests` requests throws ``ProviderError/malformed(_:)`` rather
/// than loop. Errors from `fetch` pass through; items that fail are the
/// caller's (``Paged``), and they count toward the page's size.
public func fetchOffsetPages<Item>(
    limit: Int, maxLimit: Int, maxRequests: Int = 10_000, isolation: isolated (any Actor)? = #isolation,
    _ fetch: (_ start: Int, _ limit: Int) async throws -> [Item]
) async throws -> Paged<Item> {
    let limit = min(max(limit, 1), max(maxLimit, 1))
    var items: [Item] = []
    var requests = 0
    var start = 0
    while true {
        guard requests < maxRequests else { throw ProviderError.malformed("listing: more than \(maxRequests) pages") }
        let page = try await fetch(start, limit)
        requests += 1
        items += page
        guard page.count >= limit else { break }
        start += page.count
    }
    return Paged(items: items, requestCount: requests)
}
