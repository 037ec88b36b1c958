import AdapterSupport
import Testing

@Suite("Listing pages read concurrently")
struct ConcurrentPagesTests {
    actor InFlight {
        var now = 0
        var most = 0
        func enter() {
            now += 1
            most = max(most, now)
        }
        func leave() { now -= 1 }
    }

    @Test("ten pages, three at a time: every item once, in page order, never more than three in flight")
    func orderAndBound() async throws {
        let flight = InFlight()
        let paged = try await fetchNumberedPagesConcurrently(concurrency: 3) { page in
            await flight.enter()
            // Later pages answer sooner: arrival order is not page order.
            try await Task.sleep(for: .milliseconds(5 * (11 - page)))
            await flight.leave()
            return NumberedPage(items: (0..<4).map { page * 10 + $0 }, currentPage: page, lastPage: 10)
        }
        var expected: [Int] = []
        for p in 1...10 { for i in 0..<4 { expected.append(p * 10 + i) } }
        #expect(paged.items == expected)
        #expect(paged.requestCount == 10)
        let most = await flight.most
        #expect(most <= 3)
        #expect(most >= 2, "the pages after the first were read concurrently")
    }

    @Test("a page that fails fails the listing")
    func failure() async {
        await #expect(throws: ProviderError.self) {
            _ = try await fetchNumberedPagesConcurrently(concurrency: 4) { page -> NumberedPage<Int> in
                if page == 3 { throw ProviderError.server(status: 500, message: "boom") }
                return NumberedPage(items: [page], currentPage: page, lastPage: 5)
            }
        }
    }

    @Test("without a last page, or with concurrency 1, pages are read one after another until a short one")
    func sequential() async throws {
        let flight = InFlight()
        let paged = try await fetchNumberedPagesConcurrently(concurrency: 1, pageSize: 2) { page in
            await flight.enter()
            await flight.leave()
            return NumberedPage(items: page < 3 ? [page, page] : [page], currentPage: page, lastPage: nil)
        }
        #expect(paged.items == [1, 1, 2, 2, 3])
        #expect(paged.requestCount == 3)
        #expect(await flight.most == 1)
    }
}
