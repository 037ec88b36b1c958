import AdapterSupport
import Foundation
import HTTPTransport
import ProviderFakes
import Testing

@testable import HelpSpaceAdapter

@Suite("JSONReader: the fast path for full listings")
struct JSONReaderTests {
    @Test("escapes, \\u sequences and surrogate pairs read as JSONDecoder reads them")
    func strings() throws {
        let json = #"["plain", "q\"b\\s\/", "caf\u00e9 \ud83d\ude80", "tab\tnl\n", "日本語 🍣", ""]"#
        var r = JSONReader(Array(json.utf8))
        var read: [String] = []
        try r.readArray { read.append(try $0.readString()) }
        try r.end()
        #expect(read == (try JSONDecoder().decode([String].self, from: Data(json.utf8))))
    }

    @Test(
        "JSON that is not well formed is refused, with the byte offset",
        arguments: [
            #"{"a": "unterminated}"#, #"{"a": 1} trailing"#, #"{"a" 1}"#, #"[1,]"#, "", #"{"a": tru}"#,
        ])
    func malformed(_ json: String) {
        #expect(throws: JSONReader.Failure.self) {
            var r = JSONReader(Array(json.utf8))
            try r.skipValue()
            try r.end()
        }
    }

    @Test("a lone surrogate is refused where a string is read")
    func loneSurrogate() {
        #expect(throws: JSONReader.Failure.self) {
            var r = JSONReader(Array(#""\ud83d x""#.utf8))
            _ = try r.readString()
        }
    }

    @Test("a task of the wrong shape fails alone; the others on the page are read")
    func lenientItems() throws {
        let page =
            #"{"data": [{"id": 1, "title": "ok"}, {"id": 2, "title": 5}, {"id": 3, "title": "also ok", "status": {"id": 2}}], "meta": {"current_page": 1, "last_page": 1}}"#
        let decoded = try HSListPage(Array(page.utf8))
        #expect(decoded.tasks.compactMap { try? $0.get().title } == ["ok", "also ok"])
        #expect(decoded.tasks.filter { (try? $0.get()) == nil }.count == 1)
        #expect(decoded.lastPage == 1)
    }

    @Test("on the fake's pages, the reader and JSONDecoder give the same tasks")
    func sameAsJSONDecoder() async throws {
        let fake = FakeHelpSpace()
        let url = try await fake.start()
        defer { Task { await fake.stop() } }
        await fake.seed(
            title: #"Quotes "x" and \ backslash"#, description: "<p>é &amp; ü</p>", statusID: 2, tags: ["a", "b c"], priority: "high",
            subtasks: ["one", "two"], dueAt: "2026-01-31")
        let t = await fake.seed(title: "Done one 🚀", description: nil, statusID: 3)
        await fake.edit(t) { $0.doneAt = Date() }
        await fake.seed(title: "日本語", tags: [])
        let response = try await CurlTransport().send(
            HTTPRequest(
                method: "GET", url: url + "/api/v1/scrum/tasks?per-page=50",
                headers: [("Authorization", "Bearer \(fake.token)"), ("Hs-Client-Id", fake.clientID)]))
        let fast = try HSListPage(response.body).tasks.map { try $0.get().remote() }
        let slow = try JSONDecoder().decode(HSPage<HSTask>.self, from: Data(response.body)).data.map { try $0.value.get().remote() }
        #expect(fast.count == 3)
        #expect(fast == slow)
    }
}
