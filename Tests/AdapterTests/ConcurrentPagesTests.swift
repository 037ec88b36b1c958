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

    @Test("offset pages, four at a time: every item once in offset order, the pages past the end counted and dropped")
    func offsets() async throws {
        let flight = InFlight()
        // 23 items, pages of 5: offsets 0, 5, 10, 15 full, 20 short (3 items), 25 and later empty.
        let paged = try await fetchOffsetPagesConcurrently(limit: 5, maxLimit: 100, concurrency: 4) { start, limit in
            await flight.enter()
            // Later offsets answer sooner: arrival order is not offset order.
            try await Task.sleep(for: .milliseconds(max(0, 40 - start)))
            await flight.leave()
            return start < 23 ? Array(start..<min(start + limit, 23)) : []
        }
        #expect(paged.items == Array(0..<23))
        let most = await flight.most
        #expect((2...4).contains(most), "\(most) in flight")
        #expect((5...8).contains(paged.requestCount), "five pages hold the items; at most three asked for past the end: \(paged.requestCount)")
    }

    @Test("offset pages with concurrency 1 are read one after another, as the sequential reader reads them")
    func offsetsOneAtATime() async throws {
        let flight = InFlight()
        let paged = try await fetchOffsetPagesConcurrently(limit: 5, maxLimit: 100, concurrency: 1) { start, limit in
            await flight.enter()
            await flight.leave()
            return Array((start..<min(start + limit, 10)))
        }
        #expect(paged.items == Array(0..<10))
        #expect(paged.requestCount == 3, "two full pages, then the empty one that ends it")
        #expect(await flight.most == 1)
    }

    @Test("an offset page that fails fails the listing")
    func offsetFailure() async {
        await #expect(throws: ProviderError.self) {
            _ = try await fetchOffsetPagesConcurrently(limit: 2, maxLimit: 100, concurrency: 3) { start, limit -> [Int] in
                if start == 4 { throw ProviderError.server(status: 500, message: "boom") }
                return [start, start + 1]
            }
        }
    }
}
