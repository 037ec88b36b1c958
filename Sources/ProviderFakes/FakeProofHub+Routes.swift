import Foundation

/// The API: headers, faults, the rate limit, paths and lists.
extension FakeProofHub {
    /// NOTES.md's one error body, `{"status":false,"error":...}`, for every
    /// refusal that is not about a body field (the documents show no other).
    static func failure(_ status: Int, _ error: String) -> FakeResponse {
        .json(status, ["status": false, "error": error])
    }

    /// A refused body, in the document's `{"code":2033,"message":...}` shape.
    func invalid(_ message: String, code: Int = ErrorCode.invalidField) -> FakeResponse {
        .json(options.invalidBodyStatus, ["code": code, "message": message])
    }

    func missing() -> FakeResponse { Self.failure(options.missingStatus, "Record not found.") }

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
            case .status(let code): return Self.failure(code, FakeHTTPConnection.reason(code))
            case .rateLimited(let seconds): return Self.tooManyRequests(seconds)
            case .malformedBody: return FakeResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data("[{\"id\": ".utf8))
            case .dropAfterCreate:
                var answer = route(request)
                answer.dropsConnection = true
                return answer
            }
        }
        return route(request)
    }

    /// NOTES.md: "429 with `Retry-After`; body like `{"status":false,"error":"Rate
    /// limit exceeded. Try after 10 seconds"}`". The body names the same
    /// seconds as the header.
    static func tooManyRequests(_ seconds: Int) -> FakeResponse {
        var r = failure(429, "Rate limit exceeded. Try after \(seconds) seconds")
        r.headers["Retry-After"] = String(seconds)
        return r
    }

    /// Counts the request against the limit of its `X-API-KEY`; the seconds
    /// to wait when it is over.
    func admit(_ request: FakeRequest) -> Int? {
        let now = clock.now().timeIntervalSince1970
        let key = request.headers["x-api-key"] ?? ""
        var window = windows[key] ?? SlidingWindow()
        let wait = window.wait(now: now, requests: options.rateLimitRequests, seconds: options.rateLimitSeconds)
        if wait == nil { window.record(now) }
        windows[key] = window
        return wait
    }

    /// `AppName (ops@example.com)`: a name, then a contact in parentheses.
    func acceptsUserAgent(_ value: String?) -> Bool {
        let text = (value ?? "").trimmingCharacters(in: .whitespaces)
        guard options.userAgentRule == .appAndContact else { return !text.isEmpty }
        guard text.hasSuffix(")"), let open = text.lastIndex(of: "(") else { return false }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let contact = text[text.index(after: open)..<text.index(before: text.endIndex)]
        let at = contact.split(separator: "@", omittingEmptySubsequences: false)
        return !name.isEmpty && at.count == 2 && !at[0].isEmpty && at[1].contains(".") && !contact.contains(" ")
    }

    func acceptsContentType(_ value: String?) -> Bool {
        let parts = (value ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { return false }
        return parts.count == 1 || options.contentTypeParameters
    }

    /// An injected 200-with-error for this write, if one is waiting.
    func takeErrorBody(_ request: FakeRequest) -> FakeResponse? {
        guard
            let index = errorBodies.firstIndex(where: {
                ($0.method == nil || $0.method == request.method) && ($0.pathContaining.map(request.path.contains) ?? true)
            })
        else { return nil }
        let e = errorBodies[index]
        errorBodies[index].remaining -= 1
        if errorBodies[index].remaining <= 0 { errorBodies.remove(at: index) }
        return .json(200, ["code": e.code, "message": e.message])
    }

    func route(_ request: FakeRequest) -> FakeResponse {
        if options.enforceRateLimits, let wait = admit(request) { return Self.tooManyRequests(wait) }
        guard request.headers["x-api-key"] == token else { return Self.failure(401, "Invalid API key.") }
        guard acceptsUserAgent(request.headers["user-agent"]) else {
            return Self.failure(400, "A User-Agent naming your app and a contact is required, e.g. AppName (ops@example.com).")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v3" else { return Self.failure(404, "Not found.") }
        let resource = Array(parts.dropFirst(2))
        var body: [String: Any] = [:]
        if request.method == "POST" || request.method == "PUT" {
            guard acceptsContentType(request.headers["content-type"]) else {
                return Self.failure(415, "Content-Type must be application/json.")
            }
            guard let json = request.json else { return Self.failure(400, "The body is not a JSON object.") }
            body = json
        }
        if request.method != "GET", let injected = takeErrorBody(request) { return injected }
        switch resource[0] {
        case "labels": return labelRoute(request.method, Array(resource.dropFirst()), body, request)
        case "projects": return projectRoute(request.method, Array(resource.dropFirst()), body, request)
        default: return Self.failure(404, "Not found.")
        }
    }

    static func notAllowed(_ method: String) -> FakeResponse { failure(405, "The \(method) method is not allowed here.") }

    static func notImplemented(_ what: String) -> FakeResponse { failure(501, "The fake does not implement \(what).") }

    func labelRoute(_ method: String, _ rest: [String], _ body: [String: Any], _ request: FakeRequest) -> FakeResponse {
        switch (method, rest.count) {
        case ("GET", 0): return page(labels.values.sorted { $0.id < $1.id }.map(json), request)
        case ("POST", 0): return createLabel(body)
        case (_, 1):
            guard let id = Int64(rest[0]), let label = labels[id] else { return missing() }
            switch method {
            case "GET": return .json(200, json(label))
            case "PUT": return updateLabel(id, body)
            case "DELETE": return deleteLabel(id)
            default: return Self.notAllowed(method)
            }
        case (_, 0): return Self.notAllowed(method)
        default: return Self.failure(404, "Not found.")
        }
    }

    /// `projects/{id}/todolists/{id}/tasks[/{id}[/subtasks|comments|history[/{id}]]]`.
    func projectRoute(_ method: String, _ rest: [String], _ body: [String: Any], _ request: FakeRequest) -> FakeResponse {
        guard rest.count >= 4, rest[1] == "todolists", rest[3] == "tasks", rest.count <= 7 else { return Self.failure(404, "Not found.") }
        guard let p = Int64(rest[0]), projects[p] != nil, let l = Int64(rest[2]), todolists[l]?.projectID == p else { return missing() }
        if rest.count == 4 {
            switch method {
            case "GET": return listTasks(l, request)
            case "POST": return createTask(in: l, body)
            default: return Self.notAllowed(method)
            }
        }
        guard let t = Int64(rest[4]), let task = tasks[t], task.parentID == nil, task.todolistID == l else { return missing() }
        if rest.count == 5 {
            switch method {
            case "GET": return .json(200, json(task))
            case "PUT": return body["move_task"] != nil ? moveTask(t, body) : updateTask(t, body)
            case "DELETE":
                deleteTask(t)
                return FakeResponse(status: 204)
            case "POST": return Self.notImplemented("copying a task")
            default: return Self.notAllowed(method)
            }
        }
        let child = rest.count == 7 ? Int64(rest[6]) : nil
        if rest.count == 7, child == nil { return missing() }
        switch rest[5] {
        case "subtasks":
            guard let child else {
                switch method {
                case "GET": return page(subtasks(of: t).map(json), request)
                case "POST": return createSubtask(under: t, body)
                default: return Self.notAllowed(method)
                }
            }
            guard let sub = tasks[child], sub.parentID == t else { return missing() }
            switch method {
            case "GET": return .json(200, json(sub))
            case "PUT": return updateSubtask(child, body)
            case "DELETE":
                tasks[child] = nil
                comments = comments.filter { $0.value.taskID != child }
                touch(t)
                return FakeResponse(status: 204)
            default: return Self.notAllowed(method)
            }
        case "comments":
            guard let child else {
                switch method {
                case "GET": return page(comments(of: t).map(json), request)
                case "POST": return createComment(on: t, body)
                default: return Self.notAllowed(method)
                }
            }
            guard let comment = comments[child], comment.taskID == t else { return missing() }
            switch method {
            case "GET": return .json(200, json(comment))
            case "PUT": return updateComment(child, body)
            case "DELETE": return deleteComment(child)
            default: return Self.notAllowed(method)
            }
        case "history": return method == "GET" ? Self.notImplemented("task history") : Self.notAllowed(method)
        default: return Self.failure(404, "Not found.")
        }
    }

    /// NOTES.md: "Lists return at most 100 items; page with `start` (offset)
    /// and `limit`." A plain JSON array, as every list in the document.
    func page(_ items: [[String: Any]], _ request: FakeRequest) -> FakeResponse {
        var start = 0
        var limit = min(100, options.defaultLimit)
        if let text = request.value("start") {
            guard let n = Int(text), n >= 0 else { return Self.failure(400, "start must be a whole number of 0 or more.") }
            start = n
        }
        if let text = request.value("limit") {
            guard let n = Int(text), n >= 1 else { return Self.failure(400, "limit must be a whole number of 1 or more.") }
            guard n <= 100 || options.overLimit == .cap else { return Self.failure(400, "limit may be at most 100.") }
            limit = min(n, 100)
        }
        return .json(200, Array(items.dropFirst(start).prefix(limit)))
    }

    func listTasks(_ list: Int64, _ request: FakeRequest) -> FakeResponse {
        let listed = tasks.values.filter { $0.parentID == nil && $0.todolistID == list && (options.completedInTaskLists || !$0.completed) }
        let sorted = listed.sorted { options.taskListOrder == .oldestFirst ? $0.id < $1.id : $0.id > $1.id }
        return page(sorted.map(json), request)
    }
}
