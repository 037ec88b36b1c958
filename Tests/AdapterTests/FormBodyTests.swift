import AdapterSupport
import Testing

@Suite("Request bodies: forms and JSON with their Content-Type")
struct FormBodyTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("nested names are written a[b]=c and a[]=x, brackets escaped as http_build_query escapes them")
    func nestedNames() {
        let fields = FormEncoding.flatten([
            ("task", .object(["name": .string("New Task"), "other_assignees": .array([.number(3), .number(4)]), "due_on": .null])),
            ("submitted", .string("submitted")),
        ])
        #expect(fields.map { "\($0.0)=\($0.1)" } == ["task[name]=New Task", "task[other_assignees][]=3", "task[other_assignees][]=4", "submitted=submitted"])
        #expect(
            text(FormEncoding.encode(fields))
                == "task%5Bname%5D=New+Task&task%5Bother_assignees%5D%5B%5D=3&task%5Bother_assignees%5D%5B%5D=4&submitted=submitted")
    }

    @Test("special characters: space as +, + & = % / ~ and UTF-8 as %XX; - _ . and alphanumerics as they are")
    func specialCharacters() {
        let bytes = FormEncoding.encode([("comment", "a+b & c=d 100% /x~y é-_.Z9"), ("assigned[]", "53")])
        #expect(text(bytes) == "comment=a%2Bb+%26+c%3Dd+100%25+%2Fx%7Ey+%C3%A9-_.Z9&assigned%5B%5D=53")
    }

    @Test("flattening an object: sorted keys, bools as 1 and 0, deeper nesting, nothing for null or a top-level scalar")
    func flattenObject() {
        let fields = FormEncoding.flatten(.object(["b": .bool(true), "a": .object(["x": .object(["y": .bool(false)])]), "n": .null]))
        #expect(fields.map { "\($0.0)=\($0.1)" } == ["a[x][y]=0", "b=1"])
        #expect(FormEncoding.flatten(.string("alone")).isEmpty)
    }

    @Test("each body names its Content-Type; JSON keeps 64-bit numbers exact")
    func contentTypes() {
        #expect(RequestBody.form([("a", "b")]).contentType == "application/x-www-form-urlencoded")
        #expect(RequestBody.json(.object(["id": .number(9_007_199_254_740_993)])).contentType == "application/json")
        #expect(text(RequestBody.json(.object(["id": .number(9_007_199_254_740_993)])).bytes) == #"{"id":9007199254740993}"#)
        #expect(RequestBody.json(.null, contentType: "application/vnd.api+json").contentType == "application/vnd.api+json")
    }

    @Test("APIClient sends the body's Content-Type in place of the fixed one, once")
    func clientReplacesContentType() async throws {
        let transport = ScriptedTransport(status: 201, body: "{}")
        let client = APIClient(
            baseURL: "https://crm.example/api/", auth: .headers([("Authorization", "Bearer k")]),
            headers: [("Accept", "application/json"), ("content-type", "application/json")], transport: transport)
        _ = try await client.call("POST", "/tasks/120/comments", body: .form([("comment", "Looks good")]))
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://crm.example/api/tasks/120/comments")
        #expect(text(request.body ?? []) == "comment=Looks+good")
        #expect(request.headers.filter { $0.0.lowercased() == "content-type" }.map(\.1) == ["application/x-www-form-urlencoded"])
        #expect(request.headers.map(\.0) == ["Accept", "Content-Type", "Authorization"])
        #expect(request.retryable == false)
    }
}
