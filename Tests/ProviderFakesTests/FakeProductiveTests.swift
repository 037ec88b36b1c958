import Foundation
import HTTPTransport
import ProviderFakes
import Testing

func withProductive(
    _ options: FakeProductive.Options = .init(), clock: FakeClock = FakeClock(), _ body: (FakeProductive, Client) async throws -> Void
) async throws {
    let fake = FakeProductive(clock: clock, options: options)
    let base = try await fake.start()
    do {
        try await body(fake, .productive(base))
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}

/// A POST body as the document's "creates task" example writes it.
func productiveTask(_ title: String, status: String? = nil, attributes: [String: Any] = [:], parent: Int? = nil) -> [String: Any] {
    var relationships: [String: Any] = [
        "project": ["data": ["type": "projects", "id": "1911"]], "task_list": ["data": ["type": "task_lists", "id": "361"]],
    ]
    if let status { relationships["workflow_status"] = ["data": ["type": "workflow_statuses", "id": status]] }
    if let parent { relationships["parent_task"] = ["data": ["type": "tasks", "id": String(parent)]] }
    return ["data": ["type": "tasks", "attributes": attributes.merging(["title": title]) { $1 }, "relationships": relationships]]
}

func productivePatch(attributes: [String: Any] = [:], status: String? = nil) -> [String: Any] {
    var data: [String: Any] = ["type": "tasks", "attributes": attributes]
    if let status { data["relationships"] = ["workflow_status": ["data": ["type": "workflow_statuses", "id": status]]] }
    return ["data": data]
}

@Suite("FakeProductive follows its documents")
struct FakeProductiveTests {
    @Test("a POST without include answers every relationship but organization as {meta: {included: false}}")
    func postWithoutInclude() async throws {
        try await withProductive { _, client in
            let answer = try await client.send("POST", "/tasks", productiveTask("Plain"))
            #expect(answer.status == 201)
            let relationships = try #require(answer.data.dict("relationships"))
            #expect(relationships.count == 12)
            for name in ["project", "creator", "assignee", "last_actor", "task_list", "parent_task", "workflow_status", "repeated_task", "attachments"] {
                #expect(isNotIncluded(relationships[name]), "\(name)")
            }
            #expect(answer.data.string("relationships.organization.data.id") == "1987")
            #expect(answer.json["included"] == nil)
        }
    }

    @Test("include= is honoured on GET, and on POST and PATCH when the switch says so")
    func includeHonoured() async throws {
        try await withProductive(.init(includeOnWrites: .honoured)) { fake, client in
            let parent = await fake.seed(title: "Parent")
            let created = try await client.send("POST", "/tasks?include=workflow_status,parent_task", productiveTask("Child", parent: parent))
            #expect(created.status == 201)
            #expect(created.data.string("relationships.workflow_status.data.id") == "2545")
            // NOTES.md: "an occasional relationship id arrives as a number".
            #expect(created.data[path: "relationships.parent_task.data.id"] as? Int == parent)
            #expect(isNotIncluded(created.data.dict("relationships")?["project"]))
            let included = created.json["included"] as? [[String: Any]] ?? []
            #expect(included.contains { $0["type"] as? String == "workflow_statuses" && $0.string("attributes.name") == "Not started" })
            let id = try #require(created.data["id"] as? String)

            let patched = try await client.send("PATCH", "/tasks/\(id)?include=workflow_status", productivePatch(status: "2546"))
            #expect(patched.status == 200)
            #expect(patched.data.string("relationships.workflow_status.data.id") == "2546")
            let plainPatch = try await client.send("PATCH", "/tasks/\(id)", productivePatch(attributes: ["title": "Renamed"]))
            #expect(isNotIncluded(plainPatch.data.dict("relationships")?["workflow_status"]))

            let one = try await client.get("/tasks/\(id)?include=workflow_status")
            #expect(one.data.string("relationships.workflow_status.data.id") == "2546")
            let plainOne = try await client.get("/tasks/\(id)")
            #expect(isNotIncluded(plainOne.data.dict("relationships")?["workflow_status"]))
            let list = try await client.get("/tasks?include=workflow_status")
            #expect(list.list.allSatisfy { $0.string("relationships.workflow_status.data.type") == "workflow_statuses" })
            let plainList = try await client.get("/tasks")
            #expect(plainList.list.allSatisfy { isNotIncluded($0.dict("relationships")?["workflow_status"]) })
            #expect(try await client.get("/tasks?include=no_such_thing").status == 400)

            var strings = await fake.options
            strings.numericRelationshipIDs = []
            await fake.setOptions(strings)
            let child = try await client.get("/tasks/\(id)?include=parent_task")
            #expect(child.data.string("relationships.parent_task.data.id") == String(parent))
        }
    }

    @Test("with include ignored on writes (the default), POST and PATCH answers never carry relationship data")
    func includeIgnoredOnWrites() async throws {
        try await withProductive { _, client in
            let created = try await client.send("POST", "/tasks?include=workflow_status,project", productiveTask("Child", status: "2546"))
            #expect(created.status == 201)
            #expect(isNotIncluded(created.data.dict("relationships")?["workflow_status"]))
            #expect(isNotIncluded(created.data.dict("relationships")?["project"]))
            let id = try #require(created.data["id"] as? String)
            let patched = try await client.send("PATCH", "/tasks/\(id)?include=workflow_status", productivePatch(status: "2547"))
            #expect(isNotIncluded(patched.data.dict("relationships")?["workflow_status"]))
            // GET still honours it.
            #expect(try await client.get("/tasks/\(id)?include=workflow_status").data.string("relationships.workflow_status.data.id") == "2547")
        }
    }

    @Test("closed is read-only: a PATCH with closed true leaves the task open (or, switched, answers 422)")
    func closedIsReadOnly() async throws {
        try await withProductive { fake, client in
            let id = await fake.seed(title: "Open")
            let answer = try await client.send(
                "PATCH", "/tasks/\(id)", productivePatch(attributes: ["closed": true, "closed_at": "2025-01-01T00:00:00.000+01:00"]))
            #expect(answer.status == 200)
            #expect(answer.data.dict("attributes")?["closed"] as? Bool == false)
            #expect(answer.data.dict("attributes")?["closed_at"] is NSNull)
            #expect(await fake.tasks[id]?.closed == false)
            let created = try await client.send("POST", "/tasks", productiveTask("Born closed?", attributes: ["closed": true]))
            #expect(created.data.dict("attributes")?["closed"] as? Bool == false)

            var strict = FakeProductive.Options()
            strict.readOnlyAttributes = .reject
            await fake.setOptions(strict)
            let refused = try await client.send("PATCH", "/tasks/\(id)", productivePatch(attributes: ["title": "x", "closed": true]))
            #expect(refused.status == 422)
            let error = try #require((refused.json["errors"] as? [[String: Any]])?.first)
            #expect(error.string("source.pointer") == "data/attributes/closed")
            #expect(error["status"] as? String == "422")
            #expect(await fake.tasks[id]?.title == "Open")
            // What the document writes is still fine.
            let fine = try await client.send("PATCH", "/tasks/\(id)", productivePatch(attributes: ["title": "new title", "tag_list": ["bug", "ux"]]))
            #expect(fine.status == 200)
            #expect(fine.data.dict("attributes")?["tag_list"] as? [String] == ["bug", "ux"])
        }
    }

    @Test("closed and closed_at follow the workflow status's category")
    func closedFollowsStatus() async throws {
        try await withProductive { fake, client in
            let id = await fake.seed(title: "Work")
            let done = try await client.send("PATCH", "/tasks/\(id)", productivePatch(status: "2547"))
            #expect(done.data.dict("attributes")?["closed"] as? Bool == true)
            let closedAt = try #require(done.data.string("attributes.closed_at"))
            #expect(closedAt.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0[12]:00$"#, options: .regularExpression) != nil)
            #expect(try await client.get("/tasks?filter[status]=2").list.map { $0["id"] as? String } == [String(id)])
            #expect(try await client.get("/tasks?filter[workflow_status_category_id]=3").list.count == 1)

            let started = try await client.send("PATCH", "/tasks/\(id)", productivePatch(status: "2546"))
            #expect(started.data.dict("attributes")?["closed"] as? Bool == false)
            #expect(started.data.dict("attributes")?["closed_at"] is NSNull)

            // Closed in the UI: the task moves to the closed status.
            await fake.edit(id) { $0.closed = true }
            #expect(await fake.tasks[id]?.workflowStatusID == "2547")
            // Created straight into Done.
            let born = try await client.send("POST", "/tasks", productiveTask("Done already", status: "2547"))
            #expect(born.data.dict("attributes")?["closed"] as? Bool == true)
        }
    }

    @Test("a new comment leaves its task's updated_at alone (or, switched, moves it)")
    func commentKeepsUpdatedAt() async throws {
        let clock = FakeClock()
        try await withProductive(clock: clock) { fake, client in
            let id = await fake.seed(title: "Commented")
            let before = try await client.get("/tasks/\(id)").data.string("attributes.updated_at")
            clock.advance(seconds: 5)
            let comment: [String: Any] = [
                "data": ["type": "comments", "attributes": ["body": "hi"], "relationships": ["task": ["data": ["type": "tasks", "id": String(id)]]]]
            ]
            #expect(try await client.send("POST", "/comments", comment).status == 201)
            let after = try await client.get("/tasks/\(id)").data
            #expect(after.string("attributes.updated_at") == before)
            // last_activity_at does move: a comment is activity.
            #expect(after.string("attributes.last_activity_at") != after.string("attributes.created_at"))

            await fake.setOptions(.init(commentTouchesUpdatedAt: true))
            clock.advance(seconds: 5)
            #expect(try await client.send("POST", "/comments", comment).status == 201)
            #expect(try await client.get("/tasks/\(id)").data.string("attributes.updated_at") != before)
        }
    }

    @Test("a 429 carries X-RateLimit-Reset and NOTES.md's body with a numeric status")
    func rateLimitedAnswer() async throws {
        try await withProductive { fake, client in
            await fake.inject(.rateLimited(seconds: 7))
            let answer = try await client.get("/tasks")
            #expect(answer.status == 429)
            #expect(answer.headers["x-ratelimit-reset"] == "7")
            let error = try #require((answer.json["errors"] as? [[String: Any]])?.first)
            #expect(error["status"] is NSNumber)
            #expect((error["status"] as? NSNumber)?.intValue == 429)
            #expect(error["title"] as? String == "Too many requests")
        }
    }

    @Test("switched on, NOTES.md's 100 requests per 10 s per token are enforced with real 429s")
    func enforcedRateLimit() async throws {
        let clock = FakeClock(frozenAt: Date())  // the window must not slide while a slow machine sends 100 requests
        try await withProductive(.init(enforceRateLimits: true), clock: clock) { _, client in
            for _ in 0..<100 { #expect(try await client.get("/tasks?page[size]=1").status == 200) }
            let refused = try await client.get("/tasks?page[size]=1")
            #expect(refused.status == 429)
            let reset = try #require(refused.headers["x-ratelimit-reset"].flatMap(Int.init))
            #expect((1...10).contains(reset))
            // Another token has its own window (and is then refused for being wrong).
            #expect(try await client.get("/tasks", headers: [("X-Auth-Token", "other")]).status == 401)
            clock.advance(seconds: 10.5)
            #expect(try await client.get("/tasks?page[size]=1").status == 200)
        }
    }

    @Test("415 without the JSON:API content type, 400 on an unknown filter and above page[size] 200, timestamps with ms and offset")
    func strictRequests() async throws {
        try await withProductive { fake, client in
            await fake.seed(title: "One")
            #expect(try await client.get("/tasks", headers: [("Content-Type", "application/json")]).status == 415)
            #expect(try await client.get("/tasks", headers: [("Content-Type", "")]).status == 415)
            #expect(try await client.get("/tasks?filter[no_such_filter]=1").status == 400)
            #expect(try await client.get("/tasks?filter[project_id]=1911").list.count == 1)
            #expect(try await client.get("/tasks?page[size]=201").status == 400)
            let page = try await client.get("/tasks?page[size]=200")
            #expect(page.status == 200)
            #expect(page.json.dict("meta")?["max_page_size"] as? Int == 200)
            let pattern = #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0[12]:00$"#
            for field in ["created_at", "updated_at", "last_activity_at"] {
                let stamp = try #require(page.list.first?.string("attributes.\(field)"))
                #expect(stamp.range(of: pattern, options: .regularExpression) != nil, "\(field): \(stamp)")
            }
            // NOTES.md: `+` must be sent as `%2B`; a bare one reads as a space.
            #expect(try await client.get("/tasks?filter[updated_at][gt_eq]=2020-01-01T00:00:00+01:00").status == 400)
            #expect(try await client.get("/tasks?filter[updated_at][gt_eq]=2020-01-01T00:00:00%2B01:00").list.count == 1)
        }
    }

    @Test("a blank create answers the document's three 422 items in its order")
    func blankCreate() async throws {
        try await withProductive { _, client in
            let answer = try await client.send("POST", "/tasks", ["data": ["type": "tasks", "attributes": ["title": ""]]])
            #expect(answer.status == 422)
            let errors = answer.json["errors"] as? [[String: Any]] ?? []
            #expect(errors.map { $0.string("source.pointer") } == ["data/attributes/title", "data/attributes/project", "data/attributes/task_list"])
            #expect(errors.allSatisfy { $0["status"] as? String == "422" && $0["code"] as? String == "invalid_attribute" })
        }
    }

    @Test("the page[after] cursor walks every task until links.next is absent")
    func cursor() async throws {
        try await withProductive { fake, client in
            var seeded: [String] = []
            for i in 0..<5 { seeded.append(String(await fake.seed(title: "t\(i)"))) }
            var seen: [String] = []
            var next: String? = "/tasks?page[after]=&page[size]=2"
            var pages = 0
            while let path = next {
                let answer = try await client.get(path.replacingOccurrences(of: client.base, with: ""))
                seen += answer.list.compactMap { $0["id"] as? String }
                next = answer.json.string("links.next")
                pages += 1
            }
            #expect(seen == seeded)
            #expect(pages == 3)
        }
    }

    @Test("an unchanged page is served as the same bytes; a change changes them")
    func samePageSameBytes() async throws {
        try await withProductive { fake, client in
            for i in 0..<250 { await fake.seed(title: "t\(i)", tags: ["x"]) }
            let first = try await client.get("/tasks?page[size]=200&page[number]=2")
            let again = try await client.get("/tasks?page[size]=200&page[number]=2")
            #expect(first.body == again.body)
            #expect(first.list.count == 50)
            let id = try #require(Int(first.list[0]["id"] as? String ?? ""))
            await fake.edit(id) { $0.title = "changed" }
            #expect(try await client.get("/tasks?page[size]=200&page[number]=2").body != first.body)
        }
    }

    @Test("the drop-after-create fault creates the task and leaves the client without an answer")
    func dropAfterCreate() async throws {
        try await withProductive { fake, client in
            await fake.inject(.dropAfterCreate)
            // A GET passes the fault by.
            #expect(try await client.get("/tasks").status == 200)
            let fresh = Client.productive(client.base)  // its own connection: curl has nothing to retry on
            await #expect(throws: TransportError.self) {
                _ = try await fresh.send("POST", "/tasks", productiveTask("Sent once"))
            }
            #expect(await fake.liveTasks().filter { $0.title == "Sent once" }.count == 1)

            // On the wire: not one byte, then the end.
            await fake.inject(.dropAfterCreate)
            let raw = try RawConnection(client.base)
            let body = String(decoding: try JSONSerialization.data(withJSONObject: productiveTask("Raw")), as: UTF8.self)
            raw.write(
                "POST /api/v2/tasks HTTP/1.1\r\nHost: x\r\nX-Auth-Token: pr-token\r\nX-Organization-Id: 1987\r\n"
                    + "Content-Type: application/vnd.api+json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(await onThread { raw.read() } == .end)
            #expect(await fake.liveTasks().filter { $0.title == "Raw" }.count == 1)
        }
    }
}
