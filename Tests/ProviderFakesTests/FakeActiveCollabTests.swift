import Foundation
import HTTPTransport
import ProviderFakes
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An XML answer read with Foundation's parser (libxml2): a small tree, and
/// whether any text came in a CDATA section.
final class XMLTree: NSObject, XMLParserDelegate {
    final class Node {
        let name: String
        var children: [Node] = []
        var rawText = ""
        init(name: String) { self.name = name }
        var text: String { rawText.trimmingCharacters(in: .whitespacesAndNewlines) }
        func child(_ name: String) -> Node? { children.first { $0.name == name } }
        func all(_ name: String) -> [Node] { children.filter { $0.name == name } }
        subscript(_ name: String) -> String? { child(name)?.text }
    }

    private var stack: [Node] = []
    private var root: Node?
    private(set) var cdataSections = 0

    /// The root, or nil when the bytes are not well-formed XML.
    static func parse(_ bytes: [UInt8]) -> (root: Node, cdata: Int)? {
        let parser = XMLParser(data: Data(bytes))
        let tree = XMLTree()
        parser.delegate = tree
        guard parser.parse(), let root = tree.root else { return nil }
        return (root, tree.cdataSections)
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        stack.append(Node(name: elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last?.rawText += string }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        cdataSections += 1
        stack.last?.rawText += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        let node = stack.removeLast()
        if let parent = stack.last { parent.children.append(node) } else { root = node }
    }
}

/// Commands through `api.php?path_info=...&auth_api_token=...`.
struct ACClient {
    let client: Client
    let token: String

    func query(_ pathInfo: String, format: String? = nil, token: String? = nil) -> String {
        "?path_info=" + formEncode(pathInfo) + "&auth_api_token=" + formEncode(token ?? self.token) + (format.map { "&format=" + $0 } ?? "")
    }

    func get(_ pathInfo: String, format: String? = nil, token: String? = nil) async throws -> Answer {
        try await client.get(query(pathInfo, format: format, token: token))
    }

    /// A form POST; `submitted=submitted` last, unless told not to.
    func post(_ pathInfo: String, _ fields: [(String, String)] = [], submitted: Bool = true, format: String? = nil) async throws -> Answer {
        try await client.form("POST", query(pathInfo, format: format), fields + (submitted ? [("submitted", "submitted")] : []))
    }
}

extension Answer {
    var xml: XMLTree.Node? { XMLTree.parse(body)?.root }
    var jsonArray: [[String: Any]] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [[String: Any]]) ?? [] }
}

func withActiveCollab(_ options: FakeActiveCollab.Options = .init(), _ body: (FakeActiveCollab, ACClient) async throws -> Void) async throws {
    let fake = FakeActiveCollab(options: options)
    let base = try await fake.start()
    do {
        try await body(fake, ACClient(client: Client(base: base, headers: []), token: fake.token))
    } catch {
        await fake.stop()
        throw error
    }
    await fake.stop()
}

@Suite("FakeActiveCollab follows its documents")
struct FakeActiveCollabTests {
    @Test("the token goes in the query; without a valid one 403")
    func token() async throws {
        try await withActiveCollab { fake, ac in
            await fake.seedTask("Visible")
            #expect(try await ac.get("projects/70/tasks").status == 200)
            #expect(try await ac.get("projects/70/tasks", token: "1-wrong").status == 403)
            #expect(try await ac.client.get("?path_info=projects/70/tasks").status == 403)
            let header = try await ac.client.get("?path_info=projects/70/tasks", headers: [("Authorization", "Bearer \(fake.token)")])
            #expect(header.status == 403)
            #expect(try await ac.post("projects/70/tasks/add", [("task[name]", "x")], format: nil).status == 200)
            let noToken = try await ac.client.form("POST", "?path_info=projects/70/tasks/add", [("task[name]", "y"), ("submitted", "submitted")])
            #expect(noToken.status == 403)
            #expect(await fake.allTasks().count == 2)
            // A leading slash, as the document writes one command, is the same command.
            #expect(try await ac.get("/projects/70/tasks").status == 200)
            #expect(try await ac.get("projects/99/tasks").status == 404)
            #expect(try await ac.get("projects/70/tasks", format: "yaml").status == 400)
            #expect(await fake.requestCount() == 9)
        }
    }

    @Test("answers are XML with text in CDATA (or, switched, entities); JSON with format=json")
    func xmlShape() async throws {
        try await withActiveCollab { fake, ac in
            let html = "<p>Fish &amp; chips</p> and a ]]> inside"
            let id = await fake.seedTask("Task <example>", body: html, dueOn: "2014-07-25")
            let listed = try await ac.get("projects/70/tasks")
            #expect(listed.headers["content-type"]?.hasPrefix("application/xml") == true)
            #expect(listed.text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
            #expect(listed.text.contains("<name><![CDATA[Task <example>]]></name>"))
            let parsed = try #require(XMLTree.parse(listed.body))
            #expect(parsed.root.name == "tasks" && parsed.cdata > 0)
            let task = try #require(parsed.root.all("task").first)
            #expect(task["name"] == "Task <example>" && task["body"] == html)
            #expect(task["id"] == String(id) && task["due_on"] == "2014-07-25" && task["priority"] == "0")

            await fake.setOptions(.init(xmlText: .entities))
            let escaped = try await ac.get("projects/70/tasks/1")
            #expect(!escaped.text.contains("CDATA") && escaped.text.contains("<name>Task &lt;example&gt;</name>"))
            let entities = try #require(XMLTree.parse(escaped.body))
            #expect(entities.cdata == 0 && entities.root.name == "task" && entities.root["body"] == html)

            await fake.setOptions(.init())
            let json = try await ac.get("projects/70/tasks", format: "json")
            #expect(json.headers["content-type"]?.hasPrefix("application/json") == true)
            let first = try #require(json.jsonArray.first)
            #expect(first["name"] as? String == "Task <example>" && first["body"] as? String == html)
            #expect((first["due_on"] as? [String: Any])?["mysql"] as? String == "2014-07-25")
            await fake.setOptions(.init(jsonDates: .string))
            #expect(try await ac.get("projects/70/tasks/1", format: "json").json["due_on"] as? String == "2014-07-25")
        }
    }

    @Test("a task is addressed by its task_id within the project, never by its id")
    func taskIDs() async throws {
        try await withActiveCollab { fake, ac in
            let first = await fake.seedTask("First")
            let second = await fake.seedTask("Second")
            let other = await fake.seedTask("Elsewhere", project: 71)
            #expect(first >= 1000)
            #expect(await fake.task(id: other)?.taskID == 1)
            let read = try #require(try await ac.get("projects/70/tasks/2").xml)
            #expect(read["id"] == String(second) && read["task_id"] == "2" && read["name"] == "Second")
            #expect(try await ac.get("projects/70/tasks/\(second)").status == 404)
            #expect(try await ac.get("projects/71/tasks/1").xml?["name"] == "Elsewhere")
            let created = try #require(try await ac.post("projects/70/tasks/add", [("task[name]", "Third")]).xml)
            #expect(created["task_id"] == "3" && created["id"] != "3")
            #expect(try await ac.post("projects/70/tasks/\(first)/edit", [("task[name]", "x")]).status == 404)
        }
    }

    @Test("every POST needs submitted=submitted in its form body (or, switched, not)")
    func submitted() async throws {
        try await withActiveCollab { fake, ac in
            let bare = try await ac.post("projects/70/tasks/add", [("task[name]", "New Task")], submitted: false)
            #expect(bare.status == 400)
            let inQuery = try await ac.client.form(
                "POST", ac.query("projects/70/tasks/add") + "&submitted=submitted", [("task[name]", "New Task")])
            #expect(inQuery.status == 400)
            let json = try await ac.client.send(
                "POST", ac.query("projects/70/tasks/add"), ["task": ["name": "New Task"], "submitted": "submitted"],
                headers: [("Content-Type", "application/json")])
            #expect(json.status == 400)
            #expect(try await ac.get("projects/70/tasks/add").status == 400)
            #expect(await fake.allTasks().isEmpty)
            let made = try await ac.post("projects/70/tasks/add", [("task[name]", "New Task")])
            #expect(made.status == 200 && made.xml?.name == "task" && made.xml?["name"] == "New Task")
            #expect(try await ac.post("projects/70/tasks/1/edit", [("task[name]", "Updated")], submitted: false).status == 400)
            #expect(try await ac.post("projects/70/tasks/1/complete", submitted: false).status == 400)
            await fake.setOptions(.init(requiresSubmitted: false))
            #expect(try await ac.post("projects/70/tasks/add", [("task[name]", "Unsubmitted")], submitted: false).status == 200)
        }
    }

    @Test("create and edit take the document's task[...] fields; edit changes only what it sends")
    func fields() async throws {
        try await withActiveCollab { fake, ac in
            let all: [(String, String)] = [
                ("task[name]", "Everything"), ("task[body]", "<p>All fields</p>"), ("task[visibility]", "1"), ("task[category_id]", "41"),
                ("task[label_id]", "51"), ("task[milestone_id]", "31"), ("task[priority]", "2"), ("task[assignee_id]", "2"),
                ("task[other_assignees][]", "3"), ("task[due_on]", "2014-07-25"),
            ]
            let created = try #require(try await ac.post("projects/70/tasks/add", all).xml)
            #expect(created["visibility"] == "1" && created["category_id"] == "41" && created["milestone_id"] == "31")
            #expect(created["label_id"] == "51" && created["assignee_id"] == "2" && created.child("other_assignees")?["user_id"] == "3")
            #expect(created["created_by_id"] == "1" && created["is_completed"] == "0")
            let edited = try #require(try await ac.post("projects/70/tasks/1/edit", [("task[name]", "Updated Task Name")]).xml)
            #expect(edited["name"] == "Updated Task Name" && edited["body"] == "<p>All fields</p>" && edited["priority"] == "2")
            #expect(try await ac.post("projects/70/tasks/1/edit", [("task[due_on]", "")]).xml?["due_on"] == "")

            let plain = try #require(try await ac.post("projects/70/tasks/add", [("task[name]", "Plain")]).xml)
            #expect(plain["visibility"] == "0" && plain["priority"] == "0")

            func refusal(_ fields: [(String, String)], _ path: String = "projects/70/tasks/add") async throws -> [String] {
                let answer = try await ac.post(path, fields)
                #expect(answer.status == 500)
                return answer.xml?.child("field_errors")?.children.map(\.name) ?? []
            }
            #expect(try await refusal([("task[body]", "no name")]) == ["name"])
            #expect(try await refusal([("task[name]", "x"), ("task[is_completed]", "1")]) == ["is_completed"])
            #expect(try await refusal([("name", "x")]) == ["name"])
            #expect(try await refusal([("task[name]", "x"), ("task[due_on]", "2014-07-25 10:00:00")]) == ["due_on"])
            #expect(try await refusal([("task[name]", "x"), ("task[milestone_id]", "33")]) == ["milestone_id"])
            #expect(try await refusal([("task[name]", "x"), ("task[created_by_id]", "2"), ("task[created_by_name]", "Anon")]) == ["created_by_name"])
            #expect(try await refusal([("task[created_by_id]", "2")], "projects/70/tasks/1/edit") == ["created_by_id"])
            #expect(await fake.allTasks().count == 2)
            let anonymous = try await ac.post(
                "projects/70/tasks/add", [("task[name]", "From outside"), ("task[created_by_name]", "Anon"), ("task[created_by_email]", "a@example.com")])
            #expect(anonymous.xml?["created_by_name"] == "Anon" && anonymous.xml?["created_by_id"] == "")
            await fake.setOptions(.init(unknownFields: .ignore, validationStatus: 400, creatorOnEdit: true))
            #expect(try await ac.post("projects/70/tasks/1/edit", [("task[created_by_id]", "2"), ("task[colour]", "red")]).status == 200)
            #expect(try await ac.post("projects/70/tasks/add", [("task[body]", "no name")]).status == 400)
        }
    }

    @Test("priority is -2..2")
    func priorities() async throws {
        try await withActiveCollab { fake, ac in
            for p in -2...2 {
                let made = try await ac.post("projects/70/tasks/add", [("task[name]", "P\(p)"), ("task[priority]", "\(p)")])
                #expect(made.xml?["priority"] == "\(p)")
            }
            for bad in ["3", "-3", "high", "1.5"] {
                #expect(try await ac.post("projects/70/tasks/add", [("task[name]", "Bad"), ("task[priority]", bad)]).status == 500)
            }
            await fake.seedTask("Lowest", priority: -2)
            #expect(try await ac.get("projects/70/tasks/6", format: "json").json["priority"] as? Int == -2)
            #expect(await fake.allTasks().map(\.priority) == [-2, -1, 0, 1, 2, -2])
        }
    }

    @Test("archived tasks are listed only by tasks/archive; completed ones stay in the list")
    func archive() async throws {
        try await withActiveCollab { fake, ac in
            await fake.seedTask("Open")
            await fake.seedTask("Done", completed: true)
            let old = await fake.seedTask("Old", archived: true)
            let names = try #require(try await ac.get("projects/70/tasks").xml).all("task").compactMap { $0["name"] }
            #expect(names == ["Open", "Done"])
            let archived = try #require(try await ac.get("projects/70/tasks/archive").xml)
            #expect(archived.name == "tasks" && archived.all("task").compactMap { $0["name"] } == ["Old"])
            #expect(archived.all("task").first?["state"] == "2")
            #expect(try await ac.get("projects/70/tasks/3").status == 200)
            await fake.setArchived(old, false)
            #expect(try await ac.get("projects/70/tasks").xml?.all("task").count == 3)
            #expect(try await ac.get("projects/70/tasks/archive").text.contains("<tasks></tasks>"))
        }
    }

    @Test("complete and reopen a task")
    func completion() async throws {
        try await withActiveCollab { fake, ac in
            let id = await fake.seedTask("To finish")
            let done = try #require(try await ac.post("projects/70/tasks/1/complete").xml)
            #expect(done["is_completed"] == "1" && done["completed_by_id"] == "1" && done["completed_on"]?.isEmpty == false)
            #expect(await fake.task(id: id)?.completedOn != nil)
            #expect(try await ac.get("projects/70/tasks", format: "json").jsonArray.first?["is_completed"] as? Bool == true)
            let reopened = try #require(try await ac.post("projects/70/tasks/1/reopen").xml)
            #expect(reopened["is_completed"] == "0" && reopened["completed_on"] == "")
            #expect(try await ac.post("projects/70/tasks/1/complete", [("task[is_completed]", "1")]).status == 500)
        }
    }

    @Test("subtasks: list, add (subtask[body]), read, edit, complete; <name> and <body> as the document shows")
    func subtasks() async throws {
        try await withActiveCollab { fake, ac in
            let task = await fake.seedTask("Parent")
            let seeded = await fake.seedSubtask(task, body: "first subtask", assignee: 2, priority: 1, labelID: 51, dueOn: "2014-07-01")
            let list = try #require(try await ac.get("projects/70/tasks/1/subtasks").xml)
            #expect(list.name == "subtasks" && list.all("subtask").first?["name"] == "first subtask")
            #expect(list.all("subtask").first?.child("body") == nil && list.all("subtask").first?["assignee"] == "2")
            let added = try await ac.post("projects/70/tasks/1/subtasks/add", [("subtask[body]", "Subtask made with API")])
            let new = try #require(added.xml)
            #expect(new.name == "subtask" && new["body"] == "Subtask made with API" && new.child("name") == nil)
            let sid = try #require(new["id"])
            #expect(try await ac.get("projects/70/tasks/1/subtasks/\(sid)").xml?["name"] == "Subtask made with API")
            let edited = try await ac.post(
                "projects/70/tasks/1/subtasks/\(sid)/edit", [("subtask[body]", "Subtask updated with API"), ("subtask[due_on]", "2014-07-25")])
            #expect(edited.text.contains("<due_on><![CDATA[2014-07-25]]></due_on>"))
            #expect(edited.xml?["body"] == "Subtask updated with API")
            let completed = try #require(try await ac.post("projects/70/tasks/1/subtasks/\(seeded)/complete").xml)
            #expect(completed["is_completed"] == "1")
            #expect(try await ac.post("projects/70/tasks/1/subtasks/\(seeded)/reopen").xml?["is_completed"] == "0")
            #expect(try await ac.post("projects/70/tasks/1/subtasks/add", [("subtask[assignee]", "2")]).status == 500)
            #expect(try await ac.post("projects/70/tasks/1/subtasks/add", [("subtask[body]", "x"), ("subtask[assignee_id]", "2")]).status == 500)
            #expect(try await ac.post("projects/70/tasks/1/subtasks/add", [("subtask[body]", "x"), ("subtask[priority]", "5")]).status == 500)
            let json = try await ac.get("projects/70/tasks/1/subtasks/\(seeded)", format: "json")
            #expect(json.json["due_on"] as? String == "2014-07-01")
            #expect(await fake.subtasks(of: task).map(\.body) == ["first subtask", "Subtask updated with API"])
            #expect(try await ac.get("projects/70/tasks/2/subtasks").status == 404)

            await fake.setOptions(.init(subtaskText: .both, subtaskAssigneeID: true))
            let both = try #require(try await ac.post("projects/70/tasks/1/subtasks/add", [("subtask[body]", "x"), ("subtask[assignee_id]", "3")]).xml)
            #expect(both["name"] == "x" && both["body"] == "x" && both["assignee"] == "3")
        }
    }

    @Test("comments: list and add with comment[body]")
    func comments() async throws {
        try await withActiveCollab { fake, ac in
            let task = await fake.seedTask("Discussed")
            await fake.seedComment(task, body: "<p>Seeded</p>")
            let list = try #require(try await ac.get("projects/70/tasks/1/comments").xml)
            #expect(list.name == "comments" && list.all("comment").first?["body"] == "<p>Seeded</p>")
            let added = try #require(try await ac.post("projects/70/tasks/1/comments/add", [("comment[body]", "<p>Looks good</p>")]).xml)
            #expect(added.name == "comment" && added["body"] == "<p>Looks good</p>" && added["created_by_id"] == "1")
            #expect(try await ac.post("projects/70/tasks/1/comments/add", [("comment[body]", "")]).status == 500)
            #expect(await fake.comments(of: task).map(\.body) == ["<p>Seeded</p>", "<p>Looks good</p>"])
        }
    }

    @Test("injected faults: truncated XML, a status, a create whose answer is lost")
    func faults() async throws {
        try await withActiveCollab { fake, ac in
            await fake.seedTask("One", body: "<p>long enough to cut</p>")
            await fake.inject(.malformedBody)
            let cut = try await ac.get("projects/70/tasks")
            #expect(cut.status == 200 && cut.text.hasPrefix("<?xml") && XMLTree.parse(cut.body) == nil)
            #expect(XMLTree.parse(try await ac.get("projects/70/tasks").body) != nil)
            await fake.inject(.malformedBody, method: "POST")
            let cutWrite = try await ac.post("projects/70/tasks/add", [("task[name]", "Lost")])
            #expect(cutWrite.status == 200 && XMLTree.parse(cutWrite.body) == nil)
            #expect(await fake.allTasks().count == 1)
            await fake.inject(.status(500))
            #expect(try await ac.get("projects/70/tasks").status == 500)
            await fake.inject(.dropAfterCreate)
            await #expect(throws: (any Error).self) { try await ac.post("projects/70/tasks/add", [("task[name]", "Made")]) }
            #expect(await fake.allTasks().count == 2)
        }
    }
}
