import AdapterSupport
import Testing

@Suite("Error envelopes: a 2xx whose body is an error")
struct ErrorEnvelopeTests {
    func client(_ transport: ScriptedTransport) -> APIClient {
        APIClient(
            baseURL: "https://acme.proofhub.com/api/v3", auth: .headers([("X-API-KEY", "ph-secret-key")]), envelope: .proofHub,
            transport: transport)
    }

    @Test("ProofHub's 200 with {\"code\":2033,...} is a rejected item, with the message and the code")
    func code2033() async throws {
        let body = #"{"code":2033,"message":"Value of the custom field does not match its type."}"#
        await #expect(throws: ProviderError.rejected(status: 200, message: "Value of the custom field does not match its type. (code 2033)")) {
            _ = try await client(ScriptedTransport(status: 200, body: body)).call("POST", "/projects/1/todolists/2/tasks", body: .json(.object([:])))
        }
    }

    @Test("a 200 with {\"status\":false,\"error\":...} is a rejected item")
    func statusFalse() async throws {
        let body = #"{"status":false,"error":"Rate limit exceeded. Try after 10 seconds"}"#
        await #expect(throws: ProviderError.rejected(status: 200, message: "Rate limit exceeded. Try after 10 seconds")) {
            _ = try await client(ScriptedTransport(status: 200, body: body)).call("GET", "/projects")
        }
    }

    @Test(
        "answers pass: a task (it has an id), a list, a body that is not JSON, an empty body",
        arguments: [#"{"id":985356917305,"title":"t","code":7,"message":"x"}"#, #"[{"code":1,"message":"m"}]"#, "<ok/>", ""])
    func answersPass(_ body: String) async throws {
        let response = try await client(ScriptedTransport(status: 200, body: body)).call("GET", "/x")
        #expect(response.text == body)
    }

    @Test("without an envelope check a 2xx is a success whatever its body (HelpSpace, Productive, Grow CRM, ActiveCollab)")
    func noEnvelope() async throws {
        let transport = ScriptedTransport(status: 200, body: #"{"status":false,"error":"e"}"#)
        let response = try await APIClient(baseURL: "http://x", headers: [], transport: transport).call("GET", "/x")
        #expect(response.status == 200)
    }

    @Test(
        "errorMessage reads every provider's error shape",
        arguments: [
            (
                #"{"message":"The given data was invalid.","errors":{"task_title":["The title is required."],"task_status":["Bad.","Worse."]}}"#,
                "The given data was invalid. (task_status: Bad. Worse.; task_title: The title is required.)"
            ),
            (#"{"message":"Unauthorized. A valid API key is required."}"#, "Unauthorized. A valid API key is required."),
            (
                #"{"message":"The per-page must be between 1 and 50.","errors":{"per-page":["The per-page must be between 1 and 50."]}}"#,
                "The per-page must be between 1 and 50."
            ),
            (
                #"{"errors":[{"status":422,"title":"Invalid Attribute","detail":"can't be blank","source":{"pointer":"/data/attributes/title"}}]}"#,
                "Invalid Attribute: can't be blank: (/data/attributes/title)"
            ),
            (
                #"{"code":2033,"message":"Value of the custom field does not match its type."}"#,
                "Value of the custom field does not match its type. (code 2033)"
            ),
            (#"{"status":false,"error":"Rate limit exceeded."}"#, "Rate limit exceeded."),
            ("<error>Operation Failed</error>", "<error>Operation Failed</error>"),
            ("", "(empty body)"),
        ])
    func errorMessages(_ body: String, _ expected: String) {
        #expect(APIClient.errorMessage(Array(body.utf8)) == expected)
    }

    @Test("a 422 from Grow CRM carries its field errors")
    func growValidation() async throws {
        let body = #"{"message":"Validation failed","errors":{"task_title":["The task title field is required."]}}"#
        await #expect(throws: ProviderError.rejected(status: 422, message: "Validation failed (task_title: The task title field is required.)")) {
            _ = try await APIClient(baseURL: "http://x", auth: .headers([("Authorization", "Bearer k")]), transport: ScriptedTransport(status: 422, body: body))
                .call("POST", "/tasks", body: .form([("task_title", "")]))
        }
    }
}
