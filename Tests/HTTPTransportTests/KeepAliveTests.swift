import AdapterSupport
import Foundation
import Testing

@testable import HTTPTransport

/// A request that may create something goes out once, even when the kept-alive
/// connection it would have reused turns out dead (issue 7, finding 6).
@Suite("requests that must not be sent twice", .serialized)
struct KeepAliveTests {
    /// Answers GETs and keeps the connection open; reads a POST (or PATCH),
    /// and closes the connection without answering.
    func dyingServer() throws -> RawServer {
        try RawServer { request in
            if request.method == "GET" || request.method == "PUT" {
                return .bytes(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}".utf8))
            }
            return .close
        }
    }

    @Test("a POST after a kept-alive GET reaches the server once; the error says the outcome is unknown")
    func postNotResent() async throws {
        let server = try dyingServer()
        defer { server.stop() }
        let transport = CurlTransport()
        let get = try await transport.send(HTTPRequest(method: "GET", url: server.url + "/tasks"))
        #expect(get.status == 200)
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(HTTPRequest(method: "POST", url: server.url + "/tasks", body: Array("{}".utf8)))
        }
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
        #expect(error?.outcomeUnknown == true)
        #expect(error?.description.contains("outcome unknown") == true)
    }

    @Test("a PATCH marked as creating is sent once too; APIClient reports outcomeUnknown")
    func patchThroughAPIClient() async throws {
        let server = try dyingServer()
        defer { server.stop() }
        let client = APIClient(baseURL: server.url, headers: [], transport: CurlTransport())
        _ = try await client.call("GET", "/tasks")
        await #expect {
            _ = try await client.call("PATCH", "/tasks/1", body: Array("{}".utf8), retryable: false)
        } throws: { error in
            guard case ProviderError.outcomeUnknown = error else { return false }
            return (error as? ProviderError)?.isProviderWide == true
        }
        #expect(server.requests.filter { $0.method == "PATCH" }.count == 1)
    }

    @Test("a request that could not be sent at all is not 'outcome unknown'")
    func notSent() async throws {
        let server = try RawServer(answer: "")
        let url = server.url
        server.stop()
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(method: "POST", url: url + "/tasks", body: []))
        }
        #expect(error?.outcomeUnknown == false)
    }

    @Test("defaults: POST and PATCH are not retryable, GET, HEAD, PUT and DELETE are; a caller may say otherwise")
    func defaults() {
        #expect(!HTTPRequest(method: "POST", url: "x").retryable)
        #expect(!HTTPRequest(method: "PATCH", url: "x").retryable)
        for m in ["GET", "HEAD", "PUT", "DELETE"] { #expect(HTTPRequest(method: m, url: "x").retryable, "\(m)") }
        #expect(HTTPRequest(method: "PATCH", url: "x", retryable: true).retryable)
        #expect(!HTTPRequest(method: "GET", url: "x", retryable: false).retryable)
    }
}
