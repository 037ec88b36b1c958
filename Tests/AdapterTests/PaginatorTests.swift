import AdapterSupport
import Foundation
import Testing

@Suite("Paginators: offset/limit and page numbers")
struct PaginatorTests {
    struct Item: Decodable, Equatable { var id: Int64 }

    /// A server of `count` items (ids 1...count) that answers `start`/`limit`
    /// with at most `cap` of them, and counts the requests it got.
    final class OffsetServer: @unchecked Sendable {
        let count: Int
        let cap: Int
        var calls: [(start: Int, limit: Int)] = []
        init(count: Int, cap: Int = 100) {
            self.count = count
            self.cap = cap
        }
        func page(start: Int, limit: Int) -> [Int] {
            calls.append((start, limit))
            let end = min(start + min(limit, cap), count)
            return start < end ? Array((start + 1)...end) : []
        }
    }

    @Test("250 items in pages of 100: three requests (100, 100, 50), every item once")
    func offset250() async throws {
        let server = OffsetServer(count: 250)
        let all = try await fetchOffsetPages(limit: 100, maxLimit: 100) { start, limit in server.page(start: start, limit: limit) }
        #expect(all.requestCount == 3)
        #expect(all.items == Array(1...250))
        #expect(server.calls.map(\.start) == [0, 100, 200])
        #expect(server.calls.map(\.limit) == [100, 100, 100])
    }

    @Test("a listing that ends on a full page costs one more request, which comes back empty")
    func offsetExactMultiple() async throws {
        let server = OffsetServer(count: 200)
        let all = try await fetchOffsetPages(limit: 100, maxLimit: 100) { server.page(start: $0, limit: $1) }
        #expect(all.requestCount == 3)
        #expect(all.items.count == 200)
    }

    @Test("a limit above the maximum is cut to it (ProofHub returns at most 100)")
    func offsetClamped() async throws {
        let server = OffsetServer(count: 150)
        let all = try await fetchOffsetPages(limit: 500, maxLimit: 100) { server.page(start: $0, limit: $1) }
        #expect(server.calls.map(\.limit) == [100, 100])
        #expect(all.items.count == 150)
    }

    @Test("one item that does not parse fails alone: it counts toward the page, the listing goes on")
    func lenientItems() async throws {
        let pages = [
            #"[{"id": 1}, {"id": "not a number"}, {"id": 9007199254740993}]"#,
            #"[{"id": 4}]"#,
        ]
        let all = try await fetchOffsetPages(limit: 3, maxLimit: 100) { start, _ in
            try JSONDecoder().decode([Lenient<Item>].self, from: Data(pages[start / 3].utf8))
        }
        #expect(all.requestCount == 2)
        let (values, problems) = all.partitioned()
        #expect(values == [Item(id: 1), Item(id: 9_007_199_254_740_993), Item(id: 4)])
        #expect(problems == [.malformed("[1].id: Expected to decode Int64 but found a string instead.")])
    }

    @Test("page numbers: follows current_page to last_page")
    func numbered() async throws {
        var asked: [Int] = []
        let all = try await fetchNumberedPages { page in
            asked.append(page)
            return NumberedPage(items: Array(((page - 1) * 2 + 1)...(page * 2)), currentPage: page, lastPage: 3)
        }
        #expect(asked == [1, 2, 3])
        #expect(all.items == [1, 2, 3, 4, 5, 6])
        #expect(all.requestCount == 3)
    }

    @Test("page numbers without a last page: stops at a short page, or after one page when no page size is known")
    func numberedWithoutMeta() async throws {
        let sized = try await fetchNumberedPages(pageSize: 100) { page in
            NumberedPage(items: Array(repeating: page, count: page < 3 ? 100 : 50))
        }
        #expect(sized.requestCount == 3)
        #expect(sized.items.count == 250)
        let unsized = try await fetchNumberedPages { page in NumberedPage(items: [page]) }
        #expect(unsized.requestCount == 1)
    }

    @Test("a server that answers every page as page 1 is an error, not an endless loop")
    func numberedStuck() async throws {
        await #expect(throws: ProviderError.malformed("listing: page 2 was answered as page 1")) {
            _ = try await fetchNumberedPages { _ in NumberedPage(items: [1], currentPage: 1, lastPage: 5) }
        }
    }

    @Test("an error fetching a page fails the listing")
    func pageErrorPassesThrough() async throws {
        await #expect(throws: ProviderError.server(status: 502, message: "bad gateway")) {
            _ = try await fetchOffsetPages(limit: 1, maxLimit: 100) { start, _ -> [Int] in
                if start == 2 { throw ProviderError.server(status: 502, message: "bad gateway") }
                return [start]
            }
        }
    }
}
