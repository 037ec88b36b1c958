import Foundation

/// The API: auth, faults, form input, validation, paths and the list.
extension FakeGrowCRM {
    /// A form field as PHP reads it: `name=v` is one value (the last one
    /// sent wins), `name[]=v` and `name[0]=v` are a list.
    enum FormValue: Sendable, Equatable {
        case one(String)
        case many([String])
    }

    /// A request's input: form fields (or, with ``Options/acceptsJSONBodies``,
    /// a JSON object's), by name in the order first sent. A nested key
    /// (`task[name]`) is named as Laravel names it in errors (`task.name`).
    struct Input {
        var fields: [String: FormValue] = [:]
        var names: [String] = []

        mutating func set(_ name: String, _ value: FormValue) {
            if fields[name] == nil { names.append(name) }
            fields[name] = value
        }

        mutating func append(_ name: String, _ item: String) {
            if case .many(let items) = fields[name] { fields[name] = .many(items + [item]) } else { set(name, .many([item])) }
        }

        func has(_ name: String) -> Bool { fields[name] != nil }
    }

    /// Laravel's validation errors, gathered field by field (the first message of each).
    struct Validation {
        var errors: [(field: String, message: String)] = []

        mutating func fail(_ field: String, _ message: String) {
            if !errors.contains(where: { $0.field == field }) { errors.append((field, message)) }
        }

        var isEmpty: Bool { errors.isEmpty }

        /// 422 `{"message": first (and N more errors), "errors": {field: [message]}}`.
        var response: FakeResponse {
            let rest = errors.count - 1
            let more = rest == 0 ? "" : " (and \(rest) more error\(rest == 1 ? "" : "s"))"
            var byField: [String: Any] = [:]
            for e in errors { byField[e.field] = [e.message] }
            return .json(422, ["message": (errors.first?.message ?? "") + more, "errors": byField])
        }
    }

    /// `task_date_due` -> `task date due`, as Laravel names an attribute.
    static func attribute(_ field: String) -> String { field.replacing("_", with: " ").replacing(".", with: " ") }

    static func message(_ status: Int, _ text: String) -> FakeResponse { .json(status, ["message": text]) }

    static func taskNotFound() -> FakeResponse { message(404, "Task not found.") }

    // MARK: serving

    func handle(_ request: FakeRequest) -> FakeResponse {
        var answer = serve(request)
        ledger.answered(answer.status)
        if options.connection == .close { answer.closesConnection = true }
        return answer
    }

    func serve(_ request: FakeRequest) -> FakeResponse {
        ledger.record(request)
        if let fault = ledger.nextFault(for: request.method, isCreate: request.method == "POST") {
            switch fault {
            case .status(let code): return Self.message(code, FakeHTTPConnection.reason(code))
            case .rateLimited(let seconds):
                var r = Self.message(429, "Too Many Attempts.")
                r.headers["Retry-After"] = String(seconds)
                return r
            case .malformedBody: return FakeResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data("{\"data\": [{\"id\": ".utf8))
            case .dropAfterCreate:
                var answer = route(request)
                answer.dropsConnection = true
                return answer
            }
        }
        return route(request)
    }

    /// The body as the fake reads it: form fields only, unless JSON is switched on.
    func input(_ request: FakeRequest) -> Input {
        var input = Input()
        if let pairs = request.formFields {
            for (key, raw) in pairs {
                let value = options.trimsStrings ? raw.trimmingCharacters(in: .whitespacesAndNewlines) : raw
                if let open = key.firstIndex(of: "["), key.hasSuffix("]"), open != key.startIndex {
                    let name = String(key[..<open])
                    let inner = key[key.index(after: open)..<key.index(before: key.endIndex)]
                    if inner.isEmpty || inner.allSatisfy(\.isNumber) {
                        input.append(name, value)
                    } else {
                        input.set(name + "." + inner.replacing("][", with: "."), .one(value))
                    }
                } else {
                    input.set(key, .one(value))
                }
            }
            return input
        }
        let type = (request.headers["content-type"] ?? "").lowercased()
        guard options.acceptsJSONBodies, type.contains("/json"), let object = request.json else { return input }
        func text(_ value: Any) -> String {
            let s = value is NSNull ? "" : (value as? String) ?? (value as? NSNumber)?.stringValue ?? ""
            return options.trimsStrings ? s.trimmingCharacters(in: .whitespacesAndNewlines) : s
        }
        for key in object.keys.sorted() {
            if let list = object[key] as? [Any] { input.set(key, .many(list.map(text))) } else { input.set(key, .one(text(object[key]!))) }
        }
        return input
    }

    /// Fields `known` does not hold are refused (422 "prohibited") or dropped.
    func screen(_ input: Input, known: Set<String>) -> Result<Input, FakeResponse> {
        var kept = Input()
        var v = Validation()
        for name in input.names {
            if known.contains(name) {
                kept.set(name, input.fields[name]!)
            } else if options.unknownFields == .reject {
                v.fail(name, "The \(Self.attribute(name)) field is prohibited.")
            }
        }
        return v.isEmpty ? .success(kept) : .failure(v.response)
    }

    func route(_ request: FakeRequest) -> FakeResponse {
        guard request.headers["authorization"] == "Bearer \(token)" else {
            return Self.message(401, "Unauthorized. A valid API key is required.")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "api", parts[1] == "tasks", parts.count <= 5 else {
            return Self.message(404, "The route \(request.path.dropFirst()) could not be found.")
        }
        let rest = Array(parts.dropFirst(2))
        let method = request.method
        func notAllowed(_ allowed: String) -> FakeResponse {
            Self.message(405, "The \(method) method is not supported for route \(request.path.dropFirst()). Supported methods: \(allowed).")
        }
        if rest.isEmpty {
            switch method {
            case "GET", "HEAD": return list(request)
            case "POST": return create(input(request))
            default: return notAllowed("GET, HEAD, POST")
            }
        }
        guard let id = Int64(rest[0]), tasks[id] != nil else { return Self.taskNotFound() }
        if rest.count == 1 {
            switch method {
            case "GET", "HEAD": return .json(200, ["data": json(tasks[id]!), "message": "Task retrieved successfully."])
            case "PATCH": return update(id, input(request))
            case "PUT" where options.putUpdates: return update(id, input(request))
            case "DELETE":
                deleteTask(id)
                return .json(200, ["data": ["id": id], "message": "Task deleted successfully."])
            default: return notAllowed(options.putUpdates ? "GET, HEAD, PUT, PATCH, DELETE" : "GET, HEAD, PATCH, DELETE")
            }
        }
        let action = rest[1]
        if rest.count == 3 {
            guard action == "comments" else { return Self.message(404, "The route \(request.path.dropFirst()) could not be found.") }
            guard method == "DELETE" else { return notAllowed("DELETE") }
            guard let c = Int64(rest[2]), comments[c]?.taskID == id else { return Self.message(404, "Comment not found.") }
            comments[c] = nil
            touch(id)
            return .json(200, ["data": ["id": c], "message": "Comment deleted successfully."])
        }
        switch action {
        case "status", "assigned", "tags", "archive", "activate", "stop-timers":
            guard method == "PUT" else { return notAllowed("PUT") }
            switch action {
            case "status": return changeStatus(id, input(request))
            case "assigned": return setAssigned(id, input(request))
            case "tags": return setTags(id, input(request))
            case "archive", "activate": return setArchived(id, action == "archive")
            default: return stopTimers(id)
            }
        case "clone":
            guard method == "POST" else { return notAllowed("POST") }
            return Self.message(501, "The fake does not implement cloning a task.")
        case "timers":
            guard method == "GET" || method == "HEAD" else { return notAllowed("GET, HEAD") }
            return .json(200, ["data": timers(of: id).map(json), "message": "Timers retrieved successfully."])
        case "comments":
            switch method {
            case "GET", "HEAD": return .json(200, ["data": comments(of: id).map(json), "message": "Comments retrieved successfully."])
            case "POST": return addComment(id, input(request))
            default: return notAllowed("GET, HEAD, POST")
            }
        default: return Self.message(404, "The route \(request.path.dropFirst()) could not be found.")
        }
    }

    // MARK: the list

    /// "List / search tasks": its parameter table.
    static let listParameters: Set<String> = [
        "project_id", "client_id", "status", "priority", "milestone_id", "active_state", "assigned_user_id", "search", "sort", "order", "limit",
        "page",
    ]

    func list(_ request: FakeRequest) -> FakeResponse {
        var v = Validation()
        // Laravel reads an empty value as null: no filter.
        var q: [String: String] = [:]
        for (name, value) in request.query {
            let bare = name.hasSuffix("[]") ? String(name.dropLast(2)) : name
            if !Self.listParameters.contains(bare) {
                if options.unknownQueryParameters == .reject { v.fail(bare, "The \(Self.attribute(bare)) field is prohibited.") }
                continue
            }
            if name.hasSuffix("[]") {
                v.fail(bare, "The \(Self.attribute(bare)) must be a string.")
                continue
            }
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { q[name] = trimmed }
        }
        var ints: [String: Int64] = [:]
        for name in ["project_id", "client_id", "status", "priority", "milestone_id", "assigned_user_id", "limit", "page"] {
            guard let text = q[name] else { continue }
            guard let n = Int64(text) else {
                v.fail(name, "The \(Self.attribute(name)) must be an integer.")
                continue
            }
            ints[name] = n
        }
        if let state = q["active_state"], !["active", "archived"].contains(state) { v.fail("active_state", "The selected active state is invalid.") }
        let sort = q["sort"].map { Options.Sort(rawValue: $0) } ?? options.defaultSort
        if sort == nil { v.fail("sort", "The selected sort is invalid.") }
        if let order = q["order"], !["asc", "desc"].contains(order) { v.fail("order", "The selected order is invalid.") }
        var limit = Int(ints["limit"] ?? Int64(min(options.defaultLimit, 100)))
        if limit < 1 { v.fail("limit", "The limit must be at least 1.") }
        if limit > 100 {
            if options.overLimit == .reject { v.fail("limit", "The limit must not be greater than 100.") } else { limit = 100 }
        }
        let page = Int(ints["page"] ?? 1)
        if page < 1 { v.fail("page", "The page must be at least 1.") }
        guard v.isEmpty, let sort else { return v.response }

        let search = q["search"]?.lowercased()
        let state = q["active_state"]
        let matching = tasks.values.filter { t in
            let project = projects[t.projectID]
            if let p = ints["project_id"], t.projectID != p { return false }
            if let c = ints["client_id"], project?.clientID != c { return false }
            if let s = ints["status"], t.statusID != s { return false }
            if let p = ints["priority"], t.priorityID != p { return false }
            if let m = ints["milestone_id"], t.milestoneID != m { return false }
            if let u = ints["assigned_user_id"], !t.assigned.contains(u) { return false }
            if let search, !t.title.lowercased().contains(search) { return false }
            if let state { return (state == "archived") == t.archived }
            return options.plainListIncludesArchived || !t.archived
        }
        let ascending = q["order"] == "asc"
        func precedes(_ a: Task, _ b: Task) -> Bool {
            let before: Bool
            switch sort {
            case .title:
                let (x, y) = (a.title.lowercased(), b.title.lowercased())
                before = x == y ? a.id < b.id : x < y
            case .dueDate:
                // MySQL: NULL before any date in ascending order.
                switch (a.dueDate, b.dueDate) {
                case (nil, nil): before = a.id < b.id
                case (nil, _): before = true
                case (_, nil): before = false
                case (let x?, let y?): before = x == y ? a.id < b.id : x < y
                }
            case .created: before = a.createdAt == b.createdAt ? a.id < b.id : a.createdAt < b.createdAt
            case .position: before = a.position == b.position ? a.id < b.id : a.position < b.position
            }
            return before
        }
        let sorted = matching.sorted { ascending ? precedes($0, $1) : precedes($1, $0) }
        let total = sorted.count
        let data = sorted.dropFirst((page - 1) * limit).prefix(limit).map(json)
        let meta: [String: Any] = ["current_page": page, "last_page": max(1, (total + limit - 1) / limit), "per_page": limit, "total": total]
        return .json(200, ["data": data, "meta": meta, "message": "Tasks retrieved successfully."])
    }

    // MARK: JSON

    /// A date-time as ``Options/timestamps`` has it.
    func stamp(_ date: Date) -> String {
        let zulu = FakeTime.zulu(date)  // 2025-09-15T10:30:00Z
        return options.timestamps == .dateOnly ? String(zulu.prefix(10)) : String(zulu.dropLast()).replacing("T", with: " ")
    }

    func person(_ id: Int64) -> [String: Any] { ["id": id, "name": users[id] ?? "User \(id)"] }

    func level(_ level: Level?, id: Int64) -> [String: Any] {
        ["id": id, "title": level?.title ?? "?", "color": level?.color ?? "#000000"]
    }

    /// "The task object".
    func json(_ t: Task) -> [String: Any] {
        let project = projects[t.projectID]
        let milestone = project?.milestones.first { $0.id == t.milestoneID }
        return [
            "id": t.id, "title": t.title, "description": t.description ?? NSNull(),
            "status": level(statuses[t.statusID], id: t.statusID), "priority": level(priorities[t.priorityID], id: t.priorityID),
            "active_state": t.archived ? "archived" : "active", "client_visibility": t.clientVisible ? "yes" : "no", "billable": t.billable ? "yes" : "no",
            "project": ["id": t.projectID, "title": project?.title ?? "?"] as [String: Any],
            "client": ["id": project?.clientID ?? 0, "name": project?.clientName ?? "?"] as [String: Any],
            "milestone": ["id": t.milestoneID, "name": milestone?.name ?? "?"] as [String: Any],
            "dates": [
                "start": t.startDate ?? NSNull(), "due": t.dueDate ?? NSNull(), "created": stamp(t.createdAt), "updated": stamp(t.updatedAt),
            ] as [String: Any],
            "time_logged": timers(of: t.id).reduce(0) { $0 + logged($1) },
            "assigned": t.assigned.map(person), "tags": t.tags,
        ]
    }

    /// Seconds logged by a timer; a running one counts up to now.
    func logged(_ timer: Timer) -> Int {
        timer.stopped != nil ? timer.seconds : max(timer.seconds, Int(clock.now().timeIntervalSince(timer.started)))
    }

    /// The comment object is not in the document: `{ id, comment, user, created }`,
    /// named after the create's `comment` parameter and the timers' `user`.
    func json(_ c: Comment) -> [String: Any] {
        ["id": c.id, "comment": c.text, "user": person(c.userID), "created": stamp(c.createdAt)]
    }

    /// "[{ id, user: {id,name}, started, stopped, time, status, billing_status }]".
    func json(_ t: Timer) -> [String: Any] {
        [
            "id": t.id, "user": person(t.userID), "started": stamp(t.started), "stopped": t.stopped.map(stamp) ?? NSNull(), "time": logged(t),
            "status": t.stopped == nil ? "running" : "stopped", "billing_status": t.billingStatus,
        ]
    }
}
