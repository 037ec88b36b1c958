import Foundation
import HTTPTransport
import ProviderFakes
import Testing

extension Client {
    static func proofHub(_ base: String) -> Client {
        Client(base: base, headers: [("X-API-KEY", "ph-token"), ("User-Agent", "tasksync-tests (ops@example.com)"), ("Content-Type", "application/json")])
    }
}

extension Answer {
    /// A list answer: ProofHub's lists are bare JSON arrays.
    var array: [[String: Any]] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [[String: Any]]) ?? [] }
}

func withProofHub(
    _ options: FakeProofHub.Options = .init(), clock: FakeClock = FakeClock(), _ body: (FakeProofHub, Client) async throws -> Void
) async throws {
    let fake = FakeProofHub(clock: clock, options: options)
    let base = try await fake.start()
    do {
        try await body(fake, .proofHub(base))
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}

/// The document's example project and todolist, the fake's defaults.
let phTasks = "/projects/4469983073/todolists/169808767259/tasks"

func int64(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }

@Suite("FakeProofHub follows its documents")
struct FakeProofHubTests {
    /// Every key of the document's "Get task" example.
    static let taskKeys: Set<String> = [
        "ticket", "id", "title", "description", "start_date", "due_date", "estimated_hours", "estimated_mins", "logged_hours", "logged_mins",
        "updated_at", "created_at", "completed", "assigned", "labels", "sub_tasks", "rrule", "task_history", "percent_progress", "attachments",
        "comments", "by_me", "template", "form_task", "timesheet_id", "user_stages", "project", "creator", "list", "workflow", "stage",
        "custom_fields",
    ]

    @Test("X-API-KEY, a User-Agent with a contact, and application/json on writes are required")
    func headers() async throws {
        try await withProofHub { fake, client in
            let wrongKey = try await client.get(phTasks, headers: [("X-API-KEY", "nope")])
            #expect(wrongKey.status == 401)
            #expect(wrongKey.json["status"] as? Bool == false)
            #expect(wrongKey.json["error"] is String)
            #expect(try await client.get(phTasks, headers: [("User-Agent", "tasksync/0.1")]).status == 400)
            let raw = try RawConnection(client.base)
            raw.write("GET /api/v3/labels HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: ph-token\r\n\r\n")
            let bare = await onThread { raw.readResponse() }
            #expect(bare?.head.hasPrefix("HTTP/1.1 400 ") == true)
            #expect(try await client.get(phTasks).status == 200)

            let plain = try await client.send("POST", phTasks, ["title": "Typed wrong"], headers: [("Content-Type", "text/plain")])
            #expect(plain.status == 415)
            let charset = try await client.send("PUT", "/labels/1", ["name": "x"], headers: [("Content-Type", "application/json; charset=utf-8")])
            #expect(charset.status == 415)
            #expect(await fake.allTasks().isEmpty)
            await fake.setOptions(.init(contentTypeParameters: true))
            let ok = try await client.send("POST", phTasks, ["title": "Typed right"], headers: [("Content-Type", "application/json; charset=utf-8")])
            #expect(ok.status == 200)
            #expect(try await client.get(phTasks + "/1").status == 404)
            #expect(try await client.get("/projects/4469983073/todolists/1/tasks").status == 404)
        }
    }

    @Test("lists page with start and limit, newest first, never more than 100")
    func paging() async throws {
        try await withProofHub { fake, client in
            for i in 0..<130 { await fake.seedTask(title: "Task \(i)") }
            let newest = try #require(await fake.allTasks().last?.id)
            #expect(try await client.get(phTasks).array.count == 20)
            let first = try await client.get(phTasks + "?start=0&limit=100").array
            #expect(first.count == 100)
            #expect(int64(first.first?["id"]) == newest)
            let second = try await client.get(phTasks + "?start=100&limit=100").array
            #expect(second.count == 30)
            #expect(Set((first + second).compactMap { int64($0["id"]) }).count == 130)
            #expect(try await client.get(phTasks + "?limit=500").array.count == 100)
            #expect(try await client.get(phTasks + "?start=-1").status == 400)
            await fake.setOptions(.init(overLimit: .reject, taskListOrder: .oldestFirst))
            #expect(try await client.get(phTasks + "?limit=101").status == 400)
            #expect(try await client.get(phTasks + "?start=129&limit=100").array.first?["title"] as? String == "Task 129")
            #expect(await fake.requestCount("GET", pathPrefix: "/api/v3/projects") == 7)
        }
    }

    @Test("a create answers 200 with the document's task (or, switched, 201)")
    func createShape() async throws {
        try await withProofHub { fake, client in
            let body: [String: Any] = [
                "title": "Get it signed", "description": "Need to get it signed off immediately", "start_date": "2016-11-10",
                "due_date": "2016-11-10", "estimated_hours": 5, "estimated_mins": 30, "assigned": [fake.colleagueID],
            ]
            let created = try await client.send("POST", phTasks, body)
            #expect(created.status == 200)
            #expect(Set(created.json.keys) == Self.taskKeys)
            #expect(created.json["ticket"] is String)
            #expect(created.json.string("stage.name") == "New")
            #expect(created.json["by_me"] as? Bool == true)
            #expect(int64(created.json["assigned"].flatMap { ($0 as? [Any])?.first }) == fake.colleagueID)
            let stamp = #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$"#
            #expect(created.json.string("created_at")?.range(of: stamp, options: .regularExpression) != nil)
            let id = try #require(int64(created.json["id"]))
            #expect(Set(try await client.get(phTasks + "/\(id)").json.keys) == Self.taskKeys)
            await fake.setOptions(.init(createStatus: 201))
            #expect(try await client.send("POST", phTasks, ["title": "Older docs"]).status == 201)
        }
    }

    @Test("ids beyond 2^53 are written as exact integers; ticket is a string")
    func exactIDs() async throws {
        try await withProofHub { fake, client in
            let label = await fake.seedLabel("Urgent")
            #expect(label == 9_007_199_254_740_993)
            #expect(Int64(exactly: Double(label)) != label)
            let created = try await client.send("POST", phTasks, ["title": "Big", "labels": [label]])
            let id = try #require(await fake.allTasks().first?.id)
            #expect(id > 1 << 53)
            #expect(created.text.contains("\"id\":\(id),"))
            #expect(created.text.contains("\"labels\":[9007199254740993]"))
            #expect(int64(created.json["id"]) == id)
            let sub = try await client.send("POST", phTasks + "/\(id)/subtasks", ["title": "Part"])
            let comment = try await client.send("POST", phTasks + "/\(id)/comments", ["description": "Call with client"])
            let subID = try #require(await fake.subtasks(of: id).first?.id)
            let commentID = try #require(await fake.comments(of: id).first?.id)
            for (answer, expected) in [(sub, subID), (comment, commentID)] {
                #expect(answer.status == 200)
                #expect(expected > 1 << 53 && answer.text.contains("\"id\":\(expected),"))
            }
            #expect(comment.text.contains("\"task\":{\"id\":\(id)}"))
            #expect(try await client.get(phTasks + "/\(id)/subtasks/\(try #require(int64(sub.json["id"])))").status == 200)
        }
    }

    @Test("sub_tasks and comments in a task are counts; completed items add completed_at and completed_by")
    func countsAndCompletion() async throws {
        try await withProofHub { fake, client in
            let id = await fake.seedTask(title: "Parent")
            await fake.seedSubtask(id, title: "Open")
            await fake.seedSubtask(id, title: "Done", completed: true)
            let seeded = await fake.seedComment(id, text: "Meeting with the client")
            let task = try await client.get(phTasks + "/\(id)").json
            #expect(task["sub_tasks"] as? Int == 2 && !(task["sub_tasks"] is [Any]))
            #expect(task["comments"] as? Int == 1 && !(task["comments"] is [Any]))
            let subs = try await client.get(phTasks + "/\(id)/subtasks").array
            #expect(subs.map { $0["completed"] as? Bool } == [false, true])
            #expect(subs[0]["completed_at"] == nil && subs[1]["completed_at"] is String && subs[1]["completed_by"] != nil)
            #expect(subs[0]["ticket"] == nil && subs[0]["stage"] == nil)
            let comments = try await client.get(phTasks + "/\(id)/comments").array
            #expect(comments.first?["updated_at"] == nil && comments.first?["comments_count"] as? Int == 1)
            // A colleague's comment is not ours to change.
            #expect(try await client.send("PUT", phTasks + "/\(id)/comments/\(seeded)", ["description": "Mine now"]).status == 403)

            let done = try await client.send("PUT", phTasks + "/\(id)", ["completed": true])
            #expect(done.json["completed"] as? Bool == true)
            #expect(done.json.string("completed_at")?.hasSuffix("+00:00") == true)
            #expect(int64(done.json["completed_by"]) == fake.userID)
            #expect(done.json["percent_progress"] as? Int == 100)
            // A completed task leaves "Get all tasks" (or, switched, stays).
            #expect(try await client.get(phTasks).array.isEmpty)
            await fake.setOptions(.init(completedInTaskLists: true))
            #expect(try await client.get(phTasks).array.count == 1)
            let reopened = try await client.send("PUT", phTasks + "/\(id)", ["completed": false])
            #expect(reopened.json["completed"] as? Bool == false && reopened.json["completed_at"] == nil && reopened.json["completed_by"] == nil)

            let own = try await client.send("POST", phTasks + "/\(id)/comments", ["description": "Call with client"])
            let ownID = try #require(int64(own.json["id"]))
            let edited = try await client.send("PUT", phTasks + "/\(id)/comments/\(ownID)", ["description": "Call postponed"])
            #expect(edited.json.string("description") == "Call postponed")
            #expect(try await client.send("DELETE", phTasks + "/\(id)/comments/\(ownID)").status == 204)
            #expect(try await client.send("DELETE", phTasks + "/\(id)").status == 204)
            #expect(try await client.get(phTasks + "/\(id)").status == 404)
            #expect(await fake.subtasks(of: id).isEmpty)
            #expect(await fake.comments(of: id).isEmpty)
        }
    }

    @Test(
        "subTasksField: a task's sub_tasks is its count, always 0, or absent, in the listing, a read and a write's answer",
        arguments: [FakeProofHub.Options.SubTasksField.count, .alwaysZero, .absent])
    func subTasksField(_ field: FakeProofHub.Options.SubTasksField) async throws {
        try await withProofHub(.init(subTasksField: field)) { fake, client in
            let id = await fake.seedTask(title: "Parent")
            await fake.seedSubtask(id, title: "One")
            let expected: Int? = field == .count ? 1 : field == .alwaysZero ? 0 : nil
            let listed = try #require(try await client.get(phTasks).array.first)
            let read = try await client.get(phTasks + "/\(id)").json
            let written = try await client.send("PUT", phTasks + "/\(id)", ["title": "Parent, renamed"]).json
            let created = try await client.send("POST", phTasks + "/\(id)/subtasks", ["title": "Two"])
            for task in [listed, read, written] {
                #expect(task["sub_tasks"] as? Int == expected)
                #expect((task["sub_tasks"] == nil) == (field == .absent))
            }
            // Subtasks themselves never carry the field, and are listed whatever it says.
            #expect(created.json["sub_tasks"] == nil)
            #expect(try await client.get(phTasks + "/\(id)/subtasks").array.count == 2)
        }
    }

    @Test("start_date and due_date are date-only; null clears one")
    func dateOnly() async throws {
        try await withProofHub { fake, client in
            let created = try await client.send("POST", phTasks, ["title": "Dated", "due_date": "2016-11-20"])
            #expect(created.json.string("due_date") == "2016-11-20")
            #expect(created.json["start_date"] is NSNull)
            let id = try #require(int64(created.json["id"]))
            let timed = try await client.send("POST", phTasks, ["title": "Timed", "due_date": "2016-11-20T10:00:00+00:00"])
            #expect(timed.status == 400)
            #expect(timed.json["code"] is Int && timed.json["message"] is String)
            #expect(await fake.allTasks().count == 1)
            #expect(try await client.send("PUT", phTasks + "/\(id)", ["due_date": ""]).status == 400)
            #expect(try await client.send("PUT", phTasks + "/\(id)", ["due_date": NSNull()]).json["due_date"] is NSNull)
            await fake.setOptions(.init(emptyStringClearsDate: true))
            #expect(try await client.send("PUT", phTasks + "/\(id)", ["start_date": ""]).status == 200)
        }
    }

    @Test("labels are global ids from v3/labels; an unknown one is refused (or, switched, dropped)")
    func labels() async throws {
        try await withProofHub { fake, client in
            let medium = await fake.seedLabel("Medium")
            let made = try await client.send("POST", "/labels", ["name": "In-progress"])
            #expect(made.status == 200)
            #expect(Set(made.json.keys) == ["id", "name", "color"])
            let progress = try #require(int64(made.json["id"]))
            #expect(try await client.get("/labels").array.compactMap { int64($0["id"]) } == [medium, progress])
            #expect(try await client.get("/labels/\(progress)").json.string("name") == "In-progress")
            let tagged = try await client.send("POST", phTasks, ["title": "Tagged", "labels": [progress, medium]])
            #expect((tagged.json["labels"] as? [Any])?.compactMap { int64($0) } == [progress, medium])
            let unknown = try await client.send("POST", phTasks, ["title": "Unknown label", "labels": [12_254_912]])
            #expect(unknown.status == 400 && unknown.json["code"] is Int)
            #expect(await fake.allTasks().count == 1)
            #expect(try await client.send("POST", "/labels", ["name": "Red", "color": "#BF0000"]).status == 400)
            await fake.setOptions(.init(unknownLabels: .ignore))
            let dropped = try await client.send("POST", phTasks, ["title": "Unknown label", "labels": [12_254_912, medium]])
            #expect((dropped.json["labels"] as? [Any])?.compactMap { int64($0) } == [medium])
            #expect(try await client.send("DELETE", "/labels/\(medium)").status == 204)
            #expect(await fake.allTasks().allSatisfy { !$0.labelIDs.contains(medium) })
        }
    }

    @Test("an unknown or read-only field is refused (or, switched, ignored); a stage changes by a move")
    func unknownFields() async throws {
        try await withProofHub { fake, client in
            let refused = try await client.send("POST", phTasks, ["title": "Urgent", "priority": "high"])
            #expect(refused.status == 400)
            #expect(refused.json["code"] is Int && refused.json.string("message")?.contains("priority") == true)
            #expect(await fake.allTasks().isEmpty)
            let id = await fake.seedTask(title: "Seeded")
            #expect(try await client.send("PUT", phTasks + "/\(id)", ["ticket": "7"]).status == 400)
            #expect(try await client.send("PUT", phTasks + "/\(id)", ["stage": 6_074_498_297]).status == 400)
            #expect(try await client.send("PUT", phTasks + "/\(id)", ["title": "Renamed"]).json.string("title") == "Renamed")
            let move: [String: Any] = ["move_task": true, "project": 4_469_983_073, "list_id": 169_808_767_259, "stage": 6_074_498_297, "id": id]
            let moved = try await client.send("PUT", phTasks + "/\(id)", move)
            #expect(moved.status == 200 && moved.json.string("stage.name") == "In progress")
            await fake.setOptions(.init(updatableFields: .updateExample))
            #expect(try await client.send("PUT", phTasks + "/\(id)", ["title": "Again"]).status == 400)
            await fake.setOptions(.init(unknownFields: .ignore))
            let ignored = try await client.send("POST", phTasks, ["title": "Urgent", "priority": "high", "completed": true])
            #expect(ignored.status == 200 && ignored.json["completed"] as? Bool == false)
        }
    }

    @Test("a 200 whose body is an error changes nothing")
    func okWithError() async throws {
        try await withProofHub { fake, client in
            let id = await fake.seedTask(title: "Unchanged")
            let before = await fake.stateDump()
            await fake.injectErrorBody(method: "PUT")
            let answer = try await client.send("PUT", phTasks + "/\(id)", ["title": "Renamed"])
            #expect(answer.status == 200)
            #expect(answer.json["code"] as? Int == 2033 && answer.json["id"] == nil)
            #expect(await fake.stateDump() == before)

            // The document's own case: a custom field value of the wrong type.
            let field = await fake.seedCustomField(title: "Submit", type: "Date")
            let before2 = await fake.stateDump()
            let wrong = try await client.send("PUT", phTasks + "/\(id)", ["title": "Renamed", "custom_fields": ["\(field)": ["value": "tomorrow"]]])
            #expect(wrong.status == 200 && wrong.json["code"] as? Int == 2033)
            #expect(await fake.stateDump() == before2)
            let created = try await client.send("POST", phTasks, ["title": "New", "custom_fields": ["\(field)": ["value": "someday"]]])
            #expect(created.status == 200 && created.json["code"] as? Int == 2033)
            #expect(await fake.allTasks().count == 1)
            let right = try await client.send("PUT", phTasks + "/\(id)", ["custom_fields": ["\(field)": ["value": "2021-08-13"]]])
            #expect((right.json["custom_fields"] as? [[String: Any]])?.first?["value"] as? String == "2021-08-13")
        }
    }

    @Test("over 25 requests in 10 s answer 429 with Retry-After when enforcing")
    func rateLimit() async throws {
        let clock = FakeClock(frozenAt: Date(timeIntervalSince1970: 1_750_000_000))
        try await withProofHub(.init(enforceRateLimits: true), clock: clock) { fake, client in
            for _ in 0..<25 { #expect(try await client.get("/labels").status == 200) }
            let limited = try await client.get("/labels")
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "10")
            #expect(limited.json["status"] as? Bool == false)
            #expect(limited.json.string("error") == "Rate limit exceeded. Try after 10 seconds")
            clock.advance(seconds: 10)
            #expect(try await client.get("/labels").status == 200)
            await fake.setOptions(.init())
            await fake.inject(.rateLimited(seconds: 10))
            #expect(try await client.get("/labels").headers["retry-after"] == "10")
        }
    }

    @Test("faults: a status, a malformed body, a create whose answer never comes")
    func faults() async throws {
        try await withProofHub { fake, client in
            await fake.inject(.status(500))
            let failed = try await client.get(phTasks)
            #expect(failed.status == 500 && failed.json["status"] as? Bool == false)
            await fake.inject(.malformedBody)
            let malformed = try await client.get(phTasks)
            #expect(malformed.status == 200 && (try? JSONSerialization.jsonObject(with: Data(malformed.body))) == nil)
            await fake.inject(.dropAfterCreate)
            #expect(try await client.get(phTasks).status == 200)
            let fresh = Client.proofHub(client.base)
            await #expect(throws: TransportError.self) { _ = try await fresh.send("POST", phTasks, ["title": "Once"]) }
            #expect(await fake.allTasks().map(\.title) == ["Once"])
            #expect(await fake.requestCount("POST", pathPrefix: "/api/v3/projects/") == 1)
        }
    }
}
