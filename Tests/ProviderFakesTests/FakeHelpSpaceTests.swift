import Foundation
import HTTPTransport
import ProviderFakes
import Testing

func withHelpSpace(
    _ options: FakeHelpSpace.Options = .init(), clock: FakeClock = FakeClock(), _ body: (FakeHelpSpace, Client) async throws -> Void
) async throws {
    let fake = FakeHelpSpace(clock: clock, options: options)
    let base = try await fake.start()
    do {
        try await body(fake, .helpSpace(base + "/api/v1/scrum"))
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}

@Suite("FakeHelpSpace follows its documents")
struct FakeHelpSpaceTests {
    @Test("a new comment leaves its task's updated_at alone (or, switched, moves it)")
    func commentKeepsUpdatedAt() async throws {
        let clock = FakeClock()
        try await withHelpSpace(clock: clock) { fake, client in
            let id = await fake.seed(title: "Commented")
            let before = try await client.get("/tasks/\(id)").data.string("updated_at")
            clock.advance(seconds: 5)
            await fake.addComment(id, text: "<p>hi</p>", author: "Alex")
            #expect(try await client.get("/tasks/\(id)").data.string("updated_at") == before)
            #expect(try await client.get("/task/\(id)/comments").list.count == 1)

            await fake.setOptions(.init(commentTouchesTask: true))
            clock.advance(seconds: 5)
            await fake.addComment(id, text: "<p>same second</p>", author: "Alex", keepingTimestamp: true)
            #expect(try await client.get("/tasks/\(id)").data.string("updated_at") == before)
            await fake.addComment(id, text: "<p>again</p>", author: "Alex")
            #expect(try await client.get("/tasks/\(id)").data.string("updated_at") != before)
        }
    }

    @Test("a task created without a priority gets medium (or, switched, none)")
    func defaultPriority() async throws {
        try await withHelpSpace { fake, client in
            let plain = try await client.send("POST", "/tasks", ["title": "No priority", "board_id": 1])
            #expect(plain.status == 201)
            #expect(plain.data.string("priority") == "medium")
            #expect(try await client.send("POST", "/tasks", ["title": "High", "board_id": 1, "priority": "high"]).data.string("priority") == "high")
            await fake.setOptions(.init(defaultPriority: nil))
            #expect(try await client.send("POST", "/tasks", ["title": "None", "board_id": 1]).data["priority"] is NSNull)
        }
    }

    @Test("PATCH sub_tasks replaces the list (or, switched, merges into it)")
    func subTasks() async throws {
        try await withHelpSpace { fake, client in
            for (mode, expected) in [(FakeHelpSpace.Options.SubTasks.replace, ["First, renamed", "New"]), (.merge, ["First, renamed", "Second", "New"])] {
                await fake.setOptions(.init(subTasks: mode))
                let created = try await client.send(
                    "POST", "/tasks", ["title": "Parent", "board_id": 1, "sub_tasks": [["title": "First"], ["title": "Second"]]])
                let id = try #require(created.data["id"] as? Int)
                let first = try #require((created.data["sub_tasks"] as? [[String: Any]])?.first?["id"] as? Int)
                let patched = try await client.send("PATCH", "/tasks/\(id)", ["sub_tasks": [["id": first, "title": "First, renamed"], ["title": "New"]]])
                #expect(patched.status == 201)
                #expect((patched.data["sub_tasks"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == expected, "\(mode)")
                #expect(patched.data["subtasks_count_total"] as? Int == expected.count)
            }
        }
    }

    @Test("timestamps come as +00:00, as Z, or both")
    func timestampForms() async throws {
        try await withHelpSpace { fake, client in
            let body: [String: Any] = ["title": "Due", "board_id": 1, "due_at": "2025-09-15T10:30:00Z", "sub_tasks": [["title": "s"]]]
            let both = try await client.send("POST", "/tasks", body).data
            #expect(both.string("created_at")?.hasSuffix("+00:00") == true)
            #expect(both.string("due_at") == "2025-09-15T10:30:00Z")
            #expect(both.string("sub_tasks.0.created_at")?.hasSuffix("Z") == true)
            await fake.setOptions(.init(timestamps: .offset))
            let offset = try await client.send("POST", "/tasks", body).data
            #expect(offset.string("due_at") == "2025-09-15T10:30:00+00:00")
            #expect(offset.string("sub_tasks.0.updated_at")?.hasSuffix("+00:00") == true)
            await fake.setOptions(.init(timestamps: .zulu))
            let zulu = try await client.send("POST", "/tasks", body).data
            #expect(zulu.string("updated_at")?.hasSuffix("Z") == true)
            #expect(zulu.string("due_at") == "2025-09-15T10:30:00Z")
        }
    }

    @Test("a body field the document does not list answers 422 (or, switched, is ignored)")
    func unknownFields() async throws {
        try await withHelpSpace { fake, client in
            let refused = try await client.send("POST", "/tasks", ["title": "Colourful", "board_id": 1, "colour": "red"])
            #expect(refused.status == 422)
            #expect((refused.json.dict("errors")?["colour"] as? [String])?.isEmpty == false)
            #expect(await fake.liveTasks().isEmpty)
            // The PATCH example's own spellings are known.
            let id = await fake.seed(title: "Known")
            #expect(try await client.send("PATCH", "/tasks/\(id)", ["assignee": 3, "piority": "low"]).data.string("priority") == "low")
            await fake.setOptions(.init(unknownFields: .ignore))
            #expect(try await client.send("POST", "/tasks", ["title": "Colourful", "board_id": 1, "colour": "red"]).status == 201)
        }
    }

    @Test("a 429 carries Retry-After in seconds (or, switched, as an HTTP-date)")
    func retryAfter() async throws {
        try await withHelpSpace { fake, client in
            await fake.inject(.rateLimited(seconds: 30))
            let seconds = try await client.get("/tasks")
            #expect(seconds.status == 429)
            #expect(seconds.headers["retry-after"] == "30")
            await fake.setOptions(.init(retryAfter: .httpDate))
            await fake.inject(.rateLimited(seconds: 30))
            let date = try #require(try await client.get("/tasks").headers["retry-after"])
            #expect(
                date.range(
                    of: #"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$"#,
                    options: .regularExpression) != nil)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let when = try #require(formatter.date(from: date)).timeIntervalSinceNow
            #expect((25...31).contains(when))
        }
    }

    @Test("the drop-after-create fault adds the sub task of a PATCH and leaves the client without an answer")
    func dropAfterSubtaskPatch() async throws {
        try await withHelpSpace { fake, client in
            let id = await fake.seed(title: "Parent", subtasks: ["Old"])
            let old = try #require(await fake.tasks[id]?.subtasks.first?.id)
            await fake.inject(.dropAfterCreate)
            // A PATCH that adds nothing passes the fault by.
            #expect(try await client.send("PATCH", "/tasks/\(id)", ["sub_tasks": [["id": old, "title": "Old"]]]).status == 201)
            let fresh = Client.helpSpace(client.base)
            await #expect(throws: TransportError.self) {
                _ = try await fresh.send("PATCH", "/tasks/\(id)", ["sub_tasks": [["id": old, "title": "Old"], ["title": "Added once"]]])
            }
            #expect(await fake.tasks[id]?.subtasks.map(\.title) == ["Old", "Added once"])
        }
    }

    @Test("Laravel reads a body that is not JSON as no input; PATCH answers 201")
    func laravelBodies() async throws {
        try await withHelpSpace { fake, client in
            let plain = try await client.send("POST", "/tasks", ["title": "Typed wrong", "board_id": 1], headers: [("Content-Type", "text/plain")])
            #expect(plain.status == 422)
            #expect((plain.json.dict("errors")?["title"] as? [String])?.isEmpty == false)
            let id = await fake.seed(title: "Patched")
            let patched = try await client.send("PATCH", "/tasks/\(id)", ["title": "Renamed"])
            #expect(patched.status == 201)
            #expect(patched.data.string("title") == "Renamed")
        }
    }

    @Test("a plain list leaves archived tasks out; links carry only ?page=N")
    func plainList() async throws {
        try await withHelpSpace { fake, client in
            let archived = await fake.seed(title: "Archived")
            await fake.edit(archived) { $0.isArchived = true }
            for i in 0..<3 { await fake.seed(title: "Live \(i)") }
            #expect(try await client.get("/tasks").list.count == 3)
            #expect(try await client.get("/tasks?archived=with").list.count == 4)
            #expect(try await client.get("/tasks?archived=only").list.count == 1)
            let page = try await client.get("/tasks?per-page=2&boards[]=1")
            #expect(page.json.string("links.next")?.hasSuffix("/api/v1/scrum/tasks?page=2") == true)
            #expect(page.json.dict("meta")?["last_page"] as? Int == 2)
            #expect(try await client.get("/tasks?per-page=51").status == 422)
        }
    }
}
