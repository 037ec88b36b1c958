import Foundation
import HTTPTransport
import HelpSpaceAdapter
import ProductiveAdapter
import ProviderFakes
import ProviderKit
import Testing

@Suite("Adapters against their fakes: headers, paging, errors")
struct AdapterTests {
    @Test("HelpSpace lists every page to the last one (per-page is at most 50)")
    func helpspacePaging() async throws {
        let fake = FakeHelpSpace()
        let url = try await fake.start()
        defer { Task { await fake.stop() } }
        for i in 0..<123 { await fake.seed(title: "t\(i)") }
        let p = HelpSpaceProvider(name: "hs", settings: .init(baseURL: url, token: fake.token, clientID: fake.clientID, boardID: 1), transport: CurlTransport())
        let listing = try await p.listTasks(changedSince: nil)
        #expect(listing.tasks.count == 123)
        #expect(listing.requestCount == 3)
        #expect(listing.isComplete)
    }

    @Test("a wrong token is a 401 the adapter reports as unauthorized, without the token")
    func unauthorized() async throws {
        let fake = FakeProductive()
        let url = try await fake.start()
        defer { Task { await fake.stop() } }
        let p = ProductiveProvider(
            name: "pr", settings: .init(baseURL: url, token: "wrong-secret", organizationID: fake.organizationID, projectID: "1911", taskListID: "361"),
            transport: CurlTransport())
        await #expect {
            _ = try await p.listTasks(changedSince: nil)
        } throws: { error in
            guard case ProviderError.unauthorized(401, _) = error else { return false }
            return !"\(error)".contains("wrong-secret")
        }
    }

    @Test("Productive's changed-since listing sends the feature flag and %2B, and returns only changed tasks")
    func productiveIncremental() async throws {
        let clock = FakeClock()
        let fake = FakeProductive(clock: clock)
        let url = try await fake.start()
        defer { Task { await fake.stop() } }
        await fake.seed(title: "old")
        clock.advance(seconds: 10)
        let cut = Timestamp.now.adding(seconds: 5)
        clock.advance(seconds: 10)
        await fake.seed(title: "new")
        let p = ProductiveProvider(
            name: "pr", settings: .init(baseURL: url, token: fake.token, organizationID: fake.organizationID, projectID: "1911", taskListID: "361"),
            transport: CurlTransport())
        let listing = try await p.listTasks(changedSince: cut)
        #expect(listing.tasks.map(\.fields.title) == ["new"])
        #expect(!listing.isComplete)
        #expect(await fake.ledger.lines.last?.contains("%2B00%3A00") == true)
    }

    @Test("an item that does not parse fails alone; the listing is then not complete")
    func lenientItems() async throws {
        let fake = FakeHelpSpace()
        let url = try await fake.start()
        defer { Task { await fake.stop() } }
        await fake.seed(title: "good")
        let bad = await fake.seed(title: "bad")
        await fake.edit(bad) { $0.dueAt = "not a date" }
        let p = HelpSpaceProvider(name: "hs", settings: .init(baseURL: url, token: fake.token, clientID: fake.clientID, boardID: 1), transport: CurlTransport())
        let listing = try await p.listTasks(changedSince: nil)
        #expect(listing.tasks.map(\.fields.title) == ["good"])
        #expect(listing.problems.count == 1)
        #expect(!listing.isComplete)
    }

    @Test("no server on the port: a transport error, not a crash")
    func connectionRefused() async throws {
        let p = HelpSpaceProvider(name: "hs", settings: .init(baseURL: "http://127.0.0.1:9", token: "t", clientID: "c", boardID: 1), transport: CurlTransport())
        await #expect {
            _ = try await p.listTasks(changedSince: nil)
        } throws: { error in
            if case ProviderError.transport = error { return true }
            return false
        }
    }
}
