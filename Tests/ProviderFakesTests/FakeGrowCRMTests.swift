import Foundation
import HTTPTransport
import ProviderFakes
import Testing

/// `application/x-www-form-urlencoded` as curl's `-d` and PHP's
/// `http_build_query` write it: unreserved characters stay, the rest `%XX`.
func formEncode(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        if (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || "-._~".utf8.contains(byte) {
            out.append(Character(UnicodeScalar(byte)))
        } else {
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}

extension Client {
    static func growCRM(_ base: String) -> Client { Client(base: base, headers: [("Authorization", "Bearer gc-token")]) }

    /// A form body, in order, as the documents' examples send one.
    func form(_ method: String, _ path: String, _ fields: [(String, String)] = [], headers extra: [(String, String)] = []) async throws -> Answer {
        let body = fields.map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&")
        var headers = headers + [("Content-Type", "application/x-www-form-urlencoded")]
        headers = headers.filter { h in !extra.contains { $0.0.lowercased() == h.0.lowercased() } } + extra
        let response = try await transport.send(
            HTTPRequest(method: method, url: base + path, headers: headers.filter { !$0.1.isEmpty }, body: Array(body.utf8)))
        return Answer(
            status: response.status, headers: response.headers.mapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
            rawHeaders: response.headers, body: response.body)
    }
}

func withGrowCRM(_ options: FakeGrowCRM.Options = .init(), _ body: (FakeGrowCRM, Client) async throws -> Void) async throws {
    let fake = FakeGrowCRM(options: options)
    let base = try await fake.start()
    do {
        try await body(fake, .growCRM(base))
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}

func gcIDs(_ answer: Answer) -> [Int64] { answer.list.compactMap { ($0["id"] as? NSNumber)?.int64Value } }

/// The fields the document's "Create a task" example sends.
let gcMinimal = [("task_projectid", "7"), ("task_title", "Design homepage"), ("task_status", "1"), ("task_priority", "2")]

@Suite("FakeGrowCRM follows its documents")
struct FakeGrowCRMTests {
    /// Every key of "The task object".
    static let taskKeys: Set<String> = [
        "id", "title", "description", "status", "priority", "active_state", "client_visibility", "billable", "project", "client", "milestone",
        "dates", "time_logged", "assigned", "tags",
    ]

    @Test("a Bearer key is required; without it 401 with NOTES.md's message")
    func auth() async throws {
        try await withGrowCRM { fake, client in
            let none = try await client.get("/tasks", headers: [("Authorization", "")])
            #expect(none.status == 401)
            #expect(none.json["message"] as? String == "Unauthorized. A valid API key is required.")
            #expect(try await client.get("/tasks", headers: [("Authorization", "Bearer wrong")]).status == 401)
            #expect(try await client.get("/tasks", headers: [("Authorization", "gc-token")]).status == 401)
            #expect(try await client.form("POST", "/tasks", gcMinimal, headers: [("Authorization", "")]).status == 401)
            #expect(await fake.allTasks().isEmpty)
            let ok = try await client.get("/tasks")
            #expect(ok.status == 200)
            #expect(Set(ok.json.keys) == ["data", "meta", "message"])
            #expect(await fake.requestCount("GET", pathPrefix: "/api/tasks") == 4)
        }
    }

    @Test("a create takes form fields; a JSON body is no input (or, switched, is read)")
    func formNotJSON() async throws {
        try await withGrowCRM { fake, client in
            let json = try await client.send(
                "POST", "/tasks", ["task_projectid": 7, "task_title": "JSON", "task_status": 1, "task_priority": 2],
                headers: [("Content-Type", "application/json")])
            #expect(json.status == 422)
            let errors = try #require(json.json.dict("errors"))
            #expect(Set(errors.keys) == ["task_projectid", "task_title", "task_status", "task_priority"])
            #expect(json.json["message"] as? String == "The task projectid field is required. (and 3 more errors)")
            #expect(await fake.allTasks().isEmpty)

            let created = try await client.form("POST", "/tasks", gcMinimal)
            #expect(created.status == 201)
            #expect(created.json["message"] as? String == "Task created successfully.")
            #expect(Set(created.data.keys) == Self.taskKeys)
            #expect(created.data.string("title") == "Design homepage")
            #expect(created.data.dict("status")?["id"] as? Int == 1 && created.data.string("status.title") == "To do")
            #expect(created.data.string("priority.title") == "High" && created.data.string("priority.color") == "#ff5b5b")
            #expect(created.data.string("client.name") == "Acme Inc" && created.data.string("project.title") == "Website Redesign")
            #expect(created.data.string("milestone.name") == "Uncategorised" && created.data.dict("milestone")?["id"] as? Int == 21)
            #expect(created.data.string("active_state") == "active")
            #expect(created.data.string("client_visibility") == "no" && created.data.string("billable") == "no")
            #expect(created.data["description"] is NSNull && created.data.dict("dates")?["due"] is NSNull)
            #expect(created.data.string("dates.created")?.range(of: #"^\d{4}-\d\d-\d\d$"#, options: .regularExpression) != nil)
            #expect((created.data["assigned"] as? [Any])?.isEmpty == true && (created.data["tags"] as? [Any])?.isEmpty == true)

            await fake.setOptions(.init(acceptsJSONBodies: true))
            let read = try await client.send(
                "POST", "/tasks", ["task_projectid": 7, "task_title": "JSON", "task_status": 1, "task_priority": 2],
                headers: [("Content-Type", "application/json")])
            #expect(read.status == 201)
        }
    }

    @Test("errors: 404, 409 for a milestone, 422 per field; date-only dates; 'on' flags")
    func errors() async throws {
        try await withGrowCRM { fake, client in
            let missing = try await client.get("/tasks/99999")
            #expect(missing.status == 404 && missing.json["message"] is String)
            let wrongMilestone = try await client.form("POST", "/tasks", gcMinimal + [("task_milestoneid", "31")])
            #expect(wrongMilestone.status == 409 && wrongMilestone.json["message"] as? String == "Invalid milestone for the project.")
            let noDefault = try await client.form(
                "POST", "/tasks", [("task_projectid", "9"), ("task_title", "x"), ("task_status", "1"), ("task_priority", "1")])
            #expect(noDefault.status == 409)
            let backwards = try await client.form("POST", "/tasks", gcMinimal + [("task_date_start", "2026-06-30"), ("task_date_due", "2026-06-01")])
            #expect(backwards.status == 422 && backwards.json.dict("errors")?["task_date_due"] is [String])
            let timed = try await client.form("POST", "/tasks", gcMinimal + [("task_date_due", "2026-06-30T10:00:00Z")])
            #expect(timed.status == 422 && timed.json.dict("errors")?["task_date_due"] is [String])
            let unknown = try await client.form("POST", "/tasks", gcMinimal + [("task_colour", "red"), ("assigned[]", "53")])
            #expect(unknown.status == 422)
            #expect(Set(unknown.json.dict("errors")?.keys.map { $0 } ?? []) == ["task_colour", "assigned"])
            let badStatus = try await client.form(
                "POST", "/tasks", [("task_projectid", "7"), ("task_title", "x"), ("task_status", "77"), ("task_priority", "x")])
            #expect(badStatus.json.dict("errors")?["task_status"] as? [String] == ["The selected task status is invalid."])
            #expect(badStatus.json.dict("errors")?["task_priority"] as? [String] == ["The task priority must be an integer."])
            #expect(try await client.form("POST", "/tasks", gcMinimal + [("task_billable", "yes")]).status == 422)
            #expect(await fake.allTasks().isEmpty)

            let flagged = try await client.form(
                "POST", "/tasks",
                gcMinimal + [
                    ("task_billable", "on"), ("task_client_visibility", "on"), ("task_date_start", "2026-06-01"), ("task_date_due", "2026-06-30"),
                    ("task_milestoneid", "22"), ("task_description", "First draft."),
                ])
            #expect(flagged.status == 201)
            #expect(flagged.data.string("billable") == "yes" && flagged.data.string("client_visibility") == "yes")
            #expect(flagged.data.string("dates.start") == "2026-06-01" && flagged.data.string("dates.due") == "2026-06-30")
            #expect(flagged.data.string("milestone.name") == "Launch")
            await fake.setOptions(.init(checkbox: .otherMeansOff, dateTimeInDates: true))
            let lenient = try await client.form("POST", "/tasks", gcMinimal + [("task_billable", "yes"), ("task_date_due", "2026-06-30 10:00:00")])
            #expect(lenient.status == 201 && lenient.data.string("billable") == "no" && lenient.data.string("dates.due") == "2026-06-30")
        }
    }

    @Test("the list pages with limit (max 100) and page, newest first, with the document's filters")
    func paging() async throws {
        try await withGrowCRM { fake, client in
            for i in 0..<130 { await fake.seedTask(title: "Task \(i)", projectID: i < 120 ? 7 : 8) }
            let plain = try await client.get("/tasks")
            #expect(plain.list.count == 20)
            #expect(plain.list.first?["title"] as? String == "Task 129")
            let first = try await client.get("/tasks?limit=100&page=1")
            #expect(first.list.count == 100)
            #expect(first.json.dict("meta")?["total"] as? Int == 130 && first.json.dict("meta")?["last_page"] as? Int == 2)
            #expect(first.json.dict("meta")?["per_page"] as? Int == 100 && first.json.dict("meta")?["current_page"] as? Int == 1)
            let second = try await client.get("/tasks?limit=100&page=2")
            #expect(second.list.count == 30)
            #expect(Set((first.list + second.list).compactMap { $0["id"] as? Int }).count == 130)
            #expect(try await client.get("/tasks?limit=100&page=3").list.isEmpty)
            let over = try await client.get("/tasks?limit=101")
            #expect(over.status == 422 && over.json.dict("errors")?["limit"] is [String])
            #expect(try await client.get("/tasks?updated_since=2026-01-01").status == 422)
            #expect(try await client.get("/tasks?order=up").status == 422)
            #expect(try await client.get("/tasks?sort=task_created&order=asc&limit=1").list.first?["title"] as? String == "Task 0")
            #expect(try await client.get("/tasks?project_id=8&limit=100").list.count == 10)
            #expect(try await client.get("/tasks?client_id=13&limit=100").list.count == 10)
            #expect(try await client.get("/tasks?search=task%2012&limit=100").list.count == 11)
            await fake.setOptions(.init(unknownQueryParameters: .ignore, overLimit: .cap))
            #expect(try await client.get("/tasks?limit=500").list.count == 100)
            #expect(try await client.get("/tasks?updated_since=2026-01-01").list.count == 20)
        }
    }

    @Test("filters by status, priority, milestone and assignee; sorts by title and due date")
    func filtersAndSorts() async throws {
        try await withGrowCRM { fake, client in
            let a = await fake.seedTask(title: "beta", statusID: 3, priorityID: 2, milestoneID: 22, dueDate: "2026-07-01", assigned: [53])
            let b = await fake.seedTask(title: "Alpha", dueDate: "2026-06-01")
            let c = await fake.seedTask(title: "gamma")
            let byStatus = try await client.get("/tasks?status=3")
            #expect(gcIDs(byStatus) == [a])
            #expect(try await gcIDs(client.get("/tasks?priority=2")) == [a])
            #expect(try await gcIDs(client.get("/tasks?milestone_id=22")) == [a])
            #expect(try await gcIDs(client.get("/tasks?assigned_user_id=53")) == [a])
            #expect(try await gcIDs(client.get("/tasks?sort=task_title&order=asc")) == [b, a, c])
            #expect(try await gcIDs(client.get("/tasks?sort=task_date_due&order=asc")) == [c, b, a])
            #expect(try await gcIDs(client.get("/tasks?sort=task_date_due")) == [a, b, c])
            #expect(try await client.get("/tasks?status=x").status == 422)
        }
    }

    @Test("PATCH is a full update: a field not sent is cleared (or, switched, kept)")
    func fullUpdate() async throws {
        try await withGrowCRM { fake, client in
            let id = await fake.seedTask(
                title: "Design homepage", description: "First draft.", statusID: 1, priorityID: 2, milestoneID: 22, startDate: "2026-06-01",
                dueDate: "2026-06-30", clientVisible: true, billable: true, assigned: [53], tags: ["priority"], timeLogged: 3600)
            let seeded = try await client.get("/tasks/\(id)")
            #expect(seeded.json["message"] as? String == "Task retrieved successfully.")
            #expect(seeded.data["time_logged"] as? Int == 3600 && seeded.data.string("assigned.0.name") == "Sam Lee")
            let patched = try await client.form("PATCH", "/tasks/\(id)", [("task_title", "Design homepage v2"), ("task_status", "1"), ("task_priority", "2")])
            #expect(patched.status == 200 && patched.json["message"] as? String == "Task updated successfully.")
            #expect(patched.data.string("title") == "Design homepage v2")
            #expect(patched.data["description"] is NSNull)
            #expect(patched.data.dict("dates")?["start"] is NSNull && patched.data.dict("dates")?["due"] is NSNull)
            #expect(patched.data.string("billable") == "no" && patched.data.string("client_visibility") == "no")
            #expect(patched.data.string("milestone.name") == "Uncategorised")
            // Assignees and tags are not editable fields: they stay.
            #expect(patched.data.string("assigned.0.name") == "Sam Lee" && patched.data.string("tags.0") == "priority")

            let partial = try await client.form("PATCH", "/tasks/\(id)", [("task_title", "Only a title")])
            #expect(partial.status == 422)
            #expect(Set(partial.json.dict("errors")?.keys.map { $0 } ?? []) == ["task_status", "task_priority"])
            let moved = try await client.form(
                "PATCH", "/tasks/\(id)", [("task_projectid", "8"), ("task_title", "x"), ("task_status", "1"), ("task_priority", "1")])
            #expect(moved.status == 422 && moved.json.dict("errors")?["task_projectid"] is [String])
            #expect(try await client.form("PUT", "/tasks/\(id)", [("task_title", "x"), ("task_status", "1"), ("task_priority", "1")]).status == 405)

            await fake.setOptions(.init(missingOnUpdate: .unchanged, putUpdates: true))
            await fake.edit(id) { $0.description = "Kept" }
            let kept = try await client.form("PATCH", "/tasks/\(id)", [("task_title", "  Only a title  ")])
            #expect(kept.status == 200 && kept.data.string("title") == "Only a title" && kept.data.string("description") == "Kept")
            #expect(try await client.form("PATCH", "/tasks/\(id)", [("task_description", "")]).data["description"] is NSNull)
            #expect(try await client.form("PATCH", "/tasks/\(id)", [("task_title", "")]).status == 422)
            #expect(try await client.form("PUT", "/tasks/\(id)", [("task_title", "By PUT")]).status == 200)
        }
    }

    @Test("an update that changes nothing leaves dates.updated alone")
    func unchangedKeepsUpdated() async throws {
        let clock = FakeClock(frozenAt: Date(timeIntervalSince1970: 1_780_000_000))
        let fake = FakeGrowCRM(clock: clock, options: .init(timestamps: .dateTime))
        let client = Client.growCRM(try await fake.start())
        let id = await fake.seedTask(title: "Same", statusID: 1, priorityID: 2)
        let before = try await client.get("/tasks/\(id)").data.string("dates.updated")
        #expect(before?.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"#, options: .regularExpression) != nil)
        clock.advance(seconds: 60)
        let same = try await client.form("PATCH", "/tasks/\(id)", [("task_title", "Same"), ("task_status", "1"), ("task_priority", "2")])
        #expect(same.data.string("dates.updated") == before)
        let changed = try await client.form("PATCH", "/tasks/\(id)", [("task_title", "Other"), ("task_status", "1"), ("task_priority", "2")])
        #expect(changed.data.string("dates.updated") != before)
        await fake.stop()
    }

    @Test("status, assignees and tags change through their own PUT actions; assignees and tags are full sets")
    func actions() async throws {
        try await withGrowCRM { fake, client in
            let id = await fake.seedTask(title: "Acted on", statusID: 1)
            let status = try await client.form("PUT", "/tasks/\(id)/status", [("status", "2")])
            #expect(status.status == 200 && status.json["message"] as? String == "Task status updated successfully.")
            #expect(status.data.dict("status")?["id"] as? Int == 2)
            let completed = try #require(await fake.task(id))
            #expect(completed.completedBy == fake.userID && completed.statusChangedAt != nil)
            #expect(try await client.form("PUT", "/tasks/\(id)/status", []).status == 422)
            #expect(try await client.form("PUT", "/tasks/\(id)/status", [("task_status", "1")]).status == 422)
            #expect(try await client.form("POST", "/tasks/\(id)/status", [("status", "1")]).status == 405)

            func assigned(_ fields: [(String, String)]) async throws -> Answer { try await client.form("PUT", "/tasks/\(id)/assigned", fields) }
            let two = try await assigned([("assigned[]", "53"), ("assigned[]", "54")])
            #expect(two.status == 200 && two.json["message"] as? String == "Task assignees updated successfully.")
            #expect((two.data["assigned"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [53, 54])
            #expect(try await assigned([("assigned[]", "54")]).data.string("assigned.0.name") == "Jo Park")
            #expect(await fake.task(id)?.assigned == [54])
            #expect(try await assigned([("assigned[]", "999")]).json.dict("errors")?["assigned.0"] is [String])
            #expect(try await assigned([]).status == 422)
            #expect(try await assigned([("assigned", "")]).status == 422)
            #expect((try await assigned([("assigned[]", "")]).data["assigned"] as? [Any])?.isEmpty == true)
            await fake.setOptions(.init(emptySet: .bareKeyToo))
            #expect(try await assigned([("assigned", "")]).status == 200)

            let tags = try await client.form("PUT", "/tasks/\(id)/tags", [("tags[]", "priority"), ("tags[]", "web")])
            #expect(tags.data["tags"] as? [String] == ["priority", "web"])
            let replaced = try await client.form("PUT", "/tasks/\(id)/tags", [("tags[]", "web"), ("tags[]", "launch")])
            #expect(replaced.data["tags"] as? [String] == ["web", "launch"])
            #expect(try await client.form("PUT", "/tasks/\(id)/tags", [("tags[]", "")]).data["tags"] as? [String] == [])
        }
    }

    @Test("archive and activate toggle active_state; archived tasks leave the plain list (or, switched, stay)")
    func archive() async throws {
        try await withGrowCRM { fake, client in
            let id = await fake.seedTask(title: "Old")
            await fake.seedTask(title: "Current")
            let archived = try await client.form("PUT", "/tasks/\(id)/archive")
            #expect(archived.status == 200 && archived.data.string("active_state") == "archived")
            #expect(try await client.get("/tasks").list.map { $0["title"] as? String } == ["Current"])
            #expect(try await client.get("/tasks?active_state=archived").list.map { $0["title"] as? String } == ["Old"])
            #expect(try await client.get("/tasks?active_state=gone").status == 422)
            await fake.setOptions(.init(plainListIncludesArchived: true))
            #expect(try await client.get("/tasks").list.count == 2)
            #expect(try await client.form("PUT", "/tasks/\(id)/activate").data.string("active_state") == "active")
            #expect(try await client.get("/tasks?active_state=active").list.count == 2)
        }
    }

    @Test("comments are listed, added and deleted; DELETE answers the document's body")
    func commentsAndDelete() async throws {
        try await withGrowCRM { fake, client in
            let id = await fake.seedTask(title: "Discussed")
            let other = await fake.seedTask(title: "Elsewhere")
            let seeded = await fake.seedComment(id, text: "Seeded")
            let foreign = await fake.seedComment(other, text: "Not here")
            let listed = try await client.get("/tasks/\(id)/comments")
            #expect(listed.list.map { $0["comment"] as? String } == ["Seeded"])
            #expect((listed.list.first?["user"] as? [String: Any])?["name"] as? String == "Sam Lee")
            let added = try await client.form("POST", "/tasks/\(id)/comments", [("comment", "Looks good")])
            #expect(added.status == 201 && added.data.string("comment") == "Looks good")
            #expect(try await client.form("POST", "/tasks/\(id)/comments", []).json.dict("errors")?["comment"] is [String])
            #expect(await fake.comments(of: id).map(\.text) == ["Seeded", "Looks good"])
            let deleted = try await client.send("DELETE", "/tasks/\(id)/comments/\(seeded)")
            #expect(deleted.status == 200 && (deleted.data["id"] as? NSNumber)?.int64Value == seeded)
            #expect(try await client.send("DELETE", "/tasks/\(id)/comments/\(seeded)").status == 404)
            #expect(try await client.send("DELETE", "/tasks/\(id)/comments/\(foreign)").status == 404)

            let gone = try await client.send("DELETE", "/tasks/\(id)")
            #expect(gone.status == 200 && gone.json["message"] as? String == "Task deleted successfully.")
            #expect((gone.data["id"] as? NSNumber)?.int64Value == id)
            #expect(try await client.get("/tasks/\(id)").status == 404)
            #expect(await fake.comments(of: id).isEmpty)
            #expect(try await client.form("POST", "/tasks/\(other)/clone", [("task_title", "Copy")]).status == 501)
        }
    }

    @Test("timers are read-only; stop-timers stops the running ones")
    func timers() async throws {
        try await withGrowCRM { fake, client in
            let id = await fake.seedTask(title: "Timed", timeLogged: 600)
            await fake.seedTimer(id, userID: 54, seconds: 60, running: true)
            let listed = try await client.get("/tasks/\(id)/timers").list
            #expect(listed.map { $0["status"] as? String } == ["stopped", "running"])
            #expect(listed.last?["stopped"] is NSNull)
            let stopped = try await client.form("PUT", "/tasks/\(id)/stop-timers")
            #expect(stopped.status == 200 && (stopped.data["id"] as? NSNumber)?.int64Value == id)
            #expect(await fake.timers(of: id).allSatisfy { $0.stopped != nil })
            #expect((try await client.get("/tasks/\(id)").data["time_logged"] as? Int ?? 0) >= 660)
            #expect(try await client.form("POST", "/tasks/\(id)/timers").status == 405)
        }
    }

    @Test("injected faults: a status, a body that is not JSON, a create whose answer is lost")
    func faults() async throws {
        try await withGrowCRM { fake, client in
            await fake.inject(.status(503), method: "GET")
            #expect(try await client.get("/tasks").status == 503)
            await fake.inject(.malformedBody)
            let broken = try await client.get("/tasks")
            #expect(broken.status == 200 && (try? JSONSerialization.jsonObject(with: Data(broken.body))) == nil)
            await fake.inject(.rateLimited(seconds: 7))
            #expect(try await client.get("/tasks").headers["retry-after"] == "7")
            await fake.inject(.dropAfterCreate)
            await #expect(throws: (any Error).self) { try await client.form("POST", "/tasks", gcMinimal) }
            #expect(await fake.allTasks().count == 1)
            #expect(try await client.get("/tasks").status == 200)
        }
    }
}
