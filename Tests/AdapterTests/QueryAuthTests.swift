import AdapterSupport
import Testing

@Suite("Auth: credential headers or a token in the query string")
struct QueryAuthTests {
    let token = "1-spUJiaAK5kQqU87OnB4nHZUuYWRlzjDP4cY5CxXN"

    @Test("a query token is added to every request's URL, after the caller's query (ActiveCollab's api.php)")
    func queryTokenInURL() async throws {
        let transport = ScriptedTransport(status: 200, body: "<tasks/>")
        let client = APIClient(
            baseURL: "https://ac.example/api.php", auth: .queryToken(name: "auth_api_token", value: token), transport: transport)
        _ = try await client.call("GET", "", query: [("path_info", "projects/7/tasks")])
        _ = try await client.call(
            "POST", "", query: [("path_info", "projects/7/tasks/add")],
            body: .form(FormEncoding.flatten([("task", .object(["name": .string("New Task")])), ("submitted", .string("submitted"))])))
        #expect(
            transport.requests.map(\.url) == [
                "https://ac.example/api.php?path_info=projects%2F7%2Ftasks&auth_api_token=\(token)",
                "https://ac.example/api.php?path_info=projects%2F7%2Ftasks%2Fadd&auth_api_token=\(token)",
            ])
        #expect(transport.requests.allSatisfy { $0.headers.isEmpty == ($0.method == "GET") })
        #expect(String(decoding: transport.requests[1].body ?? [], as: UTF8.self) == "task%5Bname%5D=New+Task&submitted=submitted")
    }

    @Test("a token with reserved characters is percent-encoded in the URL")
    func tokenEncoded() async throws {
        let transport = ScriptedTransport(status: 200, body: "")
        _ = try await APIClient(baseURL: "http://h/api.php", auth: .queryToken(name: "auth_api_token", value: "a+b/c"), transport: transport)
            .call("GET", "")
        #expect(transport.requests.first?.url == "http://h/api.php?auth_api_token=a%2Bb%2Fc")
    }

    @Test("header auth goes after the fixed and extra headers, on every request")
    func headerAuth() async throws {
        let transport = ScriptedTransport(status: 200, body: "[]")
        let client = APIClient(
            baseURL: "https://acme.proofhub.com/api/v3/", auth: .headers([("X-API-KEY", "ph-key-123")]),
            headers: [("User-Agent", "tasksync (ops@example.com)")], transport: transport)
        _ = try await client.call("GET", "/projects", query: [("start", "0"), ("limit", "100")], extraHeaders: [("Accept", "application/json")])
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://acme.proofhub.com/api/v3/projects?start=0&limit=100")
        #expect(request.headers.map { "\($0.0): \($0.1)" } == ["User-Agent: tasksync (ops@example.com)", "Accept: application/json", "X-API-KEY: ph-key-123"])
    }

    @Test("the secret is never in an error message nor in what the auth prints")
    func neverShown() async throws {
        let echo = "Invalid token \(token) for /api.php?path_info=x&auth_api_token=\(token)"
        let client = APIClient(
            baseURL: "https://ac.example/api.php", auth: .queryToken(name: "auth_api_token", value: token),
            transport: ScriptedTransport(status: 403, body: echo))
        await #expect(
            throws: ProviderError.unauthorized(status: 403, message: "Invalid token <redacted> for /api.php?path_info=x&auth_api_token=<redacted>")
        ) { _ = try await client.call("GET", "", query: [("path_info", "x")]) }
        let auth = ProviderAuth.queryToken(name: "auth_api_token", value: token)
        // A client as an adapter holds it (the scripted transport above keeps the URLs it was sent).
        let held = APIClient(baseURL: "https://ac.example/api.php", auth: auth, transport: ScriptedTransport(status: 200, body: ""))
        var dumped = ""
        dump(held, to: &dumped)
        for shown in ["\(auth)", String(reflecting: auth), "\(held)", String(reflecting: held), dumped] {
            #expect(!shown.contains(token))
        }
        #expect("\(auth)" == "query token auth_api_token=<redacted>")
        let bearer = ProviderAuth.headers([("Authorization", "Bearer grow-key-456")])
        #expect(bearer.redact("key grow-key-456 refused") == "key <redacted> refused")
        #expect("\(bearer)" == "headers Authorization: <redacted>")
    }
}
