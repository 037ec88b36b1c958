import AdapterSupport
import Testing

@Suite("Read or gone: 404 and 410 are the server's word that an item is gone")
struct ReadOrGoneTests {
    func read(status: Int, body: String) async throws -> ReadOrGone<String> {
        let client = APIClient(baseURL: "http://x", headers: [], transport: ScriptedTransport(status: status, body: body))
        return try await readOrGone { try await client.call("GET", "/tasks/1").text }
    }

    @Test("404 and 410 give gone, with the status and the server's message")
    func gone() async throws {
        #expect(try await read(status: 404, body: #"{"message":"Record Not Found"}"#) == .gone(reason: "HTTP 404: Record Not Found"))
        #expect(try await read(status: 410, body: "") == .gone(reason: "HTTP 410: (empty body)"))
    }

    @Test("a 2xx gives the item")
    func found() async throws {
        #expect(try await read(status: 200, body: "task") == .found("task"))
    }

    @Test("everything else passes through: 403, 422, 500, a network error, a body that does not parse")
    func passThrough() async throws {
        await #expect(throws: ProviderError.unauthorized(status: 403, message: "no")) { _ = try await read(status: 403, body: "no") }
        await #expect(throws: ProviderError.rejected(status: 422, message: "bad")) { _ = try await read(status: 422, body: "bad") }
        await #expect(throws: ProviderError.server(status: 500, message: "oops")) { _ = try await read(status: 500, body: "oops") }
        await #expect(throws: ProviderError.transport("reset")) {
            _ = try await readOrGone { () async throws -> Int in throw ProviderError.transport("reset") }
        }
        await #expect(throws: ProviderError.malformed("task 1: x")) {
            _ = try await readOrGone { () async throws -> Int in throw ProviderError.malformed("task 1: x") }
        }
    }

    @Test("the DirectRead form keeps the adapter's own gone and adds the server's")
    func directRead() async throws {
        let archived: DirectRead = try await readOrGone { .gone(reason: "archived") }
        #expect(archived == .gone(reason: "archived"))
        let missing: DirectRead = try await readOrGone { throw ProviderError.rejected(status: 404, message: "Not Found") }
        #expect(missing == .gone(reason: "HTTP 404: Not Found"))
    }
}
