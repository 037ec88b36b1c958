import Foundation

/// The API: the token, faults, `path_info` commands, and answers in XML or JSON.
extension FakeActiveCollab {
    /// An answer's value, written as XML elements or as JSON.
    indirect enum Value {
        case int(Int64)
        /// Text: in a CDATA section (or with entities) in XML.
        case text(String)
        /// `1`/`0` in XML, `true`/`false` in JSON.
        case bool(Bool)
        /// An empty element in XML, `null` in JSON.
        case null
        /// Items, each an element named `item` in XML; an array in JSON.
        case list(item: String, [Value])
        /// Child elements in order in XML; an object in JSON.
        case object([(String, Value)])
    }

    enum Format {
        case xml, json
    }

    static func optional(_ id: Int64?) -> Value { id.map(Value.int) ?? .null }
    static func optional(_ text: String?) -> Value { text.map(Value.text) ?? .null }

    // MARK: writing answers

    func xml(_ name: String, _ value: Value, indent: String, into out: inout String) {
        switch value {
        case .int(let n): out += "\(indent)<\(name)>\(n)</\(name)>\n"
        case .bool(let b): out += "\(indent)<\(name)>\(b ? 1 : 0)</\(name)>\n"
        case .text(let s): out += "\(indent)<\(name)>" + (options.xmlText == .cdata ? FakeXML.cdata(s) : FakeXML.escape(s)) + "</\(name)>\n"
        case .null: out += "\(indent)<\(name)></\(name)>\n"
        case .list(let item, let items):
            guard !items.isEmpty else {
                out += "\(indent)<\(name)></\(name)>\n"
                return
            }
            out += "\(indent)<\(name)>\n"
            for i in items { xml(item, i, indent: indent + "  ", into: &out) }
            out += "\(indent)</\(name)>\n"
        case .object(let fields):
            out += "\(indent)<\(name)>\n"
            for (key, v) in fields { xml(key, v, indent: indent + "  ", into: &out) }
            out += "\(indent)</\(name)>\n"
        }
    }

    static func plain(_ value: Value) -> Any {
        switch value {
        case .int(let n): return n
        case .text(let s): return s
        case .bool(let b): return b
        case .null: return NSNull()
        case .list(_, let items): return items.map(plain)
        case .object(let fields):
            var object: [String: Any] = [:]
            for (key, v) in fields { object[key] = plain(v) }
            return object
        }
    }

    /// `value` as the document `<root>...</root>` (XML) or as JSON.
    func answer(_ status: Int, _ root: String, _ value: Value, _ format: Format) -> FakeResponse {
        switch format {
        case .json: return .json(status, Self.plain(value))
        case .xml:
            var out = ""
            xml(root, value, indent: "", into: &out)
            return .xml(status, out)
        }
    }

    /// The fake's error body (the documents show none): `<error><message>...`
    /// with `<field_errors>` for a refused body.
    func failure(_ status: Int, _ message: String, _ format: Format, fields: [(String, String)] = []) -> FakeResponse {
        var body: [(String, Value)] = [("message", .text(message))]
        if !fields.isEmpty {
            body.append(("type", .text("ValidationErrors")))
            body.append(("field_errors", .object(fields.map { ($0.0, .text($0.1)) })))
        }
        return answer(status, "error", .object(body), format)
    }

    func notFound(_ format: Format) -> FakeResponse { failure(404, "Not Found", format) }

    /// A POST without `submitted=submitted`, or a command sent with the wrong method.
    func badRequest(_ format: Format) -> FakeResponse { failure(400, "Bad Request", format) }

    // MARK: serving

    func handle(_ request: FakeRequest) -> FakeResponse {
        var answer = serve(request)
        ledger.answered(answer.status)
        if options.connection == .close { answer.closesConnection = true }
        return answer
    }

    /// A command that adds something: `.../add`.
    static func isCreate(_ request: FakeRequest) -> Bool {
        request.method == "POST" && (request.value("path_info") ?? "").hasSuffix("/add")
    }

    func serve(_ request: FakeRequest) -> FakeResponse {
        ledger.record(request)
        let format: Format = request.value("format") == "json" ? .json : .xml
        if let fault = ledger.nextFault(for: request.method, isCreate: Self.isCreate(request)) {
            switch fault {
            case .status(let code): return failure(code, FakeHTTPConnection.reason(code), format)
            case .rateLimited(let seconds):
                var r = failure(429, "Too Many Requests", format)
                r.headers["Retry-After"] = String(seconds)
                return r
            case .malformedBody: return truncated(request, format)
            case .dropAfterCreate:
                var answer = route(request)
                answer.dropsConnection = true
                return answer
            }
        }
        return route(request)
    }

    /// "Malformed or truncated XML": a GET's real answer cut in half; any
    /// other request is not carried out and answers the start of a `<task>`.
    func truncated(_ request: FakeRequest, _ format: Format) -> FakeResponse {
        var answer: FakeResponse
        if request.method == "GET" {
            answer = route(request)
            answer.status = 200
            answer.body = answer.body.prefix(max(1, answer.body.count / 2))
        } else {
            answer = format == .json ? .json(200, [:]) : .xml(200, "")
            answer.body = Data((format == .json ? "{\"id\":" : FakeXML.declaration + "<task>\n  <id>").utf8)
        }
        return answer
    }

    func route(_ request: FakeRequest) -> FakeResponse {
        guard request.path == "/api.php" else { return FakeResponse(status: 404, headers: ["Content-Type": "text/plain"], body: Data("Not Found".utf8)) }
        let format: Format
        switch request.value("format") {
        case nil, "xml": format = .xml
        case "json": format = .json
        default: return badRequest(.xml)
        }
        // The token goes in the query, and only there.
        guard request.value("auth_api_token") == token else { return FakeResponse(status: 403) }
        let parts = (request.value("path_info") ?? "").split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "projects", parts[2] == "tasks", let p = Int64(parts[1]), projects[p] != nil else { return notFound(format) }
        let rest = Array(parts.dropFirst(3))
        let method = request.method
        /// The command's method, then (for a POST) `submitted=submitted`.
        func allowed(_ expected: String) -> FakeResponse? {
            guard method == expected else { return badRequest(format) }
            guard expected == "POST", options.requiresSubmitted else { return nil }
            let submitted = request.formFields?.last { $0.0 == "submitted" }?.1 == "submitted"
            return submitted ? nil : badRequest(format)
        }
        if rest.isEmpty { return allowed("GET") ?? list(p, archived: false, format) }
        if rest.count == 1, rest[0] == "archive" { return allowed("GET") ?? list(p, archived: true, format) }
        if rest.count == 1, rest[0] == "add" { return allowed("POST") ?? createTask(in: p, request, format) }
        guard let number = Int64(rest[0]), let task = task(project: p, taskID: number) else { return notFound(format) }
        let id = task.id
        switch rest.count {
        case 1: return allowed("GET") ?? answer(200, "task", value(task, format), format)
        case 2:
            switch rest[1] {
            case "edit": return allowed("POST") ?? editTask(id, request, format)
            case "complete", "reopen": return allowed("POST") ?? completeTask(id, rest[1] == "complete", request, format)
            case "subtasks": return allowed("GET") ?? answer(200, "subtasks", .list(item: "subtask", subtasks(of: id).map { value($0, write: false) }), format)
            case "comments": return allowed("GET") ?? answer(200, "comments", .list(item: "comment", comments(of: id).map { value($0, format) }), format)
            default: return notFound(format)
            }
        case 3 where rest[1] == "attachments" && rest[2] == "add":
            return allowed("POST") ?? failure(501, "The fake does not implement attachments.", format)
        case 3 where rest[1] == "comments" && rest[2] == "add": return allowed("POST") ?? addComment(id, request, format)
        case 3 where rest[1] == "subtasks" && rest[2] == "add": return allowed("POST") ?? addSubtask(id, request, format)
        case 3, 4:
            guard rest[1] == "subtasks", let s = Int64(rest[2]), let sub = subtasks[s], sub.parentID == id else { return notFound(format) }
            if rest.count == 3 { return allowed("GET") ?? answer(200, "subtask", value(sub, write: false), format) }
            switch rest[3] {
            case "edit": return allowed("POST") ?? editSubtask(s, request, format)
            case "complete", "reopen": return allowed("POST") ?? completeSubtask(s, rest[3] == "complete", request, format)
            default: return notFound(format)
            }
        default: return notFound(format)
        }
    }

    /// "lists all open and completed non-archived Tasks" / "displays all archived tasks".
    func list(_ project: Int64, archived: Bool, _ format: Format) -> FakeResponse {
        let listed = tasks.values.filter { $0.projectID == project && $0.archived == archived }.sorted { $0.taskID < $1.taskID }
        return answer(200, "tasks", .list(item: "task", listed.map { value($0, format) }), format)
    }

    // MARK: the objects

    /// `2014-07-25` as text, or (JSON, ``Options/jsonDates`` `.object`) a
    /// `DateValue` object with its `mysql` key.
    func date(_ day: String?, _ format: Format) -> Value {
        guard let day else { return .null }
        guard format == .json, options.jsonDates == .object else { return .text(day) }
        let ts = Int64(FakeTime.parseDateOrTime(day)?.timeIntervalSince1970 ?? 0)
        return .object([("class", .text("DateValue")), ("timestamp", .int(ts)), ("mysql", .text(day))])
    }

    /// `2014-07-25 10:00:00` (UTC) as text, or a `DateTimeValue` object.
    func dateTime(_ instant: Date?, _ format: Format) -> Value {
        guard let instant else { return .null }
        let mysql = String(FakeTime.zulu(instant).dropLast()).replacing("T", with: " ")
        guard format == .json, options.jsonDates == .object else { return .text(mysql) }
        return .object([("class", .text("DateTimeValue")), ("timestamp", .int(Int64(instant.timeIntervalSince1970))), ("mysql", .text(mysql))])
    }

    func value(_ t: Task, _ format: Format) -> Value {
        .object([
            ("id", .int(t.id)), ("task_id", .int(t.taskID)), ("project_id", .int(t.projectID)), ("name", .text(t.name)),
            ("body", Self.optional(t.body)), ("visibility", .int(Int64(t.visibility))), ("category_id", Self.optional(t.categoryID)),
            ("label_id", Self.optional(t.labelID)), ("milestone_id", Self.optional(t.milestoneID)), ("priority", .int(Int64(t.priority))),
            ("assignee_id", Self.optional(t.assigneeID)), ("other_assignees", .list(item: "user_id", t.otherAssignees.map(Value.int))),
            ("due_on", date(t.dueOn, format)), ("created_on", dateTime(t.createdOn, format)), ("created_by_id", Self.optional(t.createdByID)),
            ("created_by_name", Self.optional(t.createdByName)), ("created_by_email", Self.optional(t.createdByEmail)),
            ("updated_on", dateTime(t.updatedOn, format)), ("is_completed", .bool(t.completedOn != nil)),
            ("completed_on", dateTime(t.completedOn, format)), ("completed_by_id", Self.optional(t.completedByID)),
            ("state", .int(t.archived ? 2 : 3)), ("permalink", .text("\(baseURL)/index.php?path_info=projects/\(t.projectID)/tasks/\(t.taskID)")),
        ])
    }

    /// `write`: an add or edit answer (`<body>` in the document), else a list or read (`<name>`).
    func value(_ s: Subtask, write: Bool) -> Value {
        var fields: [(String, Value)] = [("id", .int(s.id)), ("parent_id", .int(s.parentID))]
        if options.subtaskText == .both || !write { fields.append(("name", .text(s.body))) }
        if options.subtaskText == .both || write { fields.append(("body", .text(s.body))) }
        // NOTES.md: subtask dates are plain strings, in JSON too.
        return .object(
            fields + [
                ("assignee", Self.optional(s.assignee)), ("priority", .int(Int64(s.priority))), ("label_id", Self.optional(s.labelID)),
                ("due_on", Self.optional(s.dueOn)), ("is_completed", .bool(s.completedOn != nil)),
                ("completed_on", dateTime(s.completedOn, .xml)), ("completed_by_id", Self.optional(s.completedByID)),
                ("created_on", dateTime(s.createdOn, .xml)), ("updated_on", dateTime(s.updatedOn, .xml)),
            ])
    }

    func value(_ c: Comment, _ format: Format) -> Value {
        .object([
            ("id", .int(c.id)), ("parent_id", .int(c.parentID)), ("body", .text(c.body)), ("created_on", dateTime(c.createdOn, format)),
            ("created_by_id", .int(c.createdByID)),
        ])
    }
}
