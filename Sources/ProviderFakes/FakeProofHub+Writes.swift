import Foundation

/// POST and PUT: the fields each section of the document names, checked strictly.
extension FakeProofHub {
    /// "Create task", both examples (the second adds `attachments` and `estimated_hrs`).
    static let taskCreateFields: Set<String> = [
        "title", "description", "start_date", "due_date", "estimated_hours", "estimated_mins", "assigned", "labels", "custom_fields",
        "attachments", "estimated_hrs",
    ]
    /// "Update task" and "Complete task" examples.
    static let taskUpdateExampleFields: Set<String> = ["description", "start_date", "due_date", "custom_fields", "completed"]
    /// "Create subtask", both examples.
    static let subtaskCreateFields: Set<String> = [
        "title", "description", "start_date", "due_date", "estimated_hours", "estimated_mins", "assigned", "labels", "attachments", "estimated_hrs",
    ]
    /// "Update subtask" and "Complete subtask" examples.
    static let subtaskUpdateExampleFields: Set<String> = ["description", "start_date", "due_date", "completed"]
    /// "Move task".
    static let moveFields: Set<String> = [
        "title", "project", "list_id", "stage", "move_people", "copy_assignees", "copy_custom_fields", "move_dates", "proof_comment",
        "copy_comments", "completed", "move_task", "id",
    ]
    static let moveFlags = ["move_people", "copy_assignees", "copy_custom_fields", "move_dates", "proof_comment", "copy_comments"]

    // MARK: JSON values as JSONSerialization hands them over

    /// A JSON `true`/`false` (an NSNumber of type `c`; a plain `1` is not one).
    static func bool(_ value: Any?) -> Bool? {
        guard let n = value as? NSNumber, String(cString: n.objCType) == "c" else { return nil }
        return n.boolValue
    }

    /// A JSON integer, exactly (never through a Double; not a boolean).
    static func int64(_ value: Any?) -> Int64? {
        guard let n = value as? NSNumber, !["c", "d", "f"].contains(String(cString: n.objCType)) else { return nil }
        return n.int64Value
    }

    /// The body with only `known` fields, or the refusal of the first unknown one.
    func accept(_ body: [String: Any], _ known: Set<String>) -> Result<[String: Any], FakeResponse> {
        if options.unknownFields == .reject, let name = body.keys.sorted().first(where: { !known.contains($0) }) {
            return .failure(invalid("Unknown or read-only field: \(name)."))
        }
        return .success(body.filter { known.contains($0.key) })
    }

    /// With ``Options/childTouchesTask``, a subtask or comment write moves its task's `updated_at`.
    func touch(_ taskID: Int64) {
        if options.childTouchesTask { tasks[taskID]?.updatedAt = clock.tick() }
    }

    // MARK: tasks and subtasks

    func createTask(in list: Int64, _ raw: [String: Any]) -> FakeResponse {
        let body: [String: Any]
        switch accept(raw, Self.taskCreateFields) {
        case .failure(let r): return r
        case .success(let b): body = b
        }
        guard body["title"] != nil else { return invalid("title is required.") }
        let now = clock.tick()
        let todolist = todolists[list]!
        var task = Task(
            id: 0, parentID: nil, ticket: "", projectID: todolist.projectID, todolistID: list, title: "", creatorID: userID, createdAt: now,
            updatedAt: now)
        task.stageID = todolist.workflow?.stages.first?.id
        if let r = apply(body, to: &task, now: now) { return r }
        task.id = newID()
        task.ticket = String(nextTicket)
        nextTicket += 1
        tasks[task.id] = task
        return .json(options.createStatus, json(task))
    }

    func updateTask(_ id: Int64, _ body: [String: Any]) -> FakeResponse {
        var known = options.updatableFields == .createParameters ? Self.taskCreateFields.union(["completed"]) : Self.taskUpdateExampleFields
        if options.stageOnUpdate { known.insert("stage") }
        return update(id, body, known)
    }

    func createSubtask(under parentID: Int64, _ raw: [String: Any]) -> FakeResponse {
        let body: [String: Any]
        switch accept(raw, Self.subtaskCreateFields) {
        case .failure(let r): return r
        case .success(let b): body = b
        }
        guard body["title"] != nil else { return invalid("title is required.") }
        let now = clock.tick()
        let parent = tasks[parentID]!
        var sub = Task(
            id: 0, parentID: parentID, ticket: "", projectID: parent.projectID, todolistID: parent.todolistID, title: "", creatorID: userID,
            createdAt: now, updatedAt: now)
        if let r = apply(body, to: &sub, now: now) { return r }
        sub.id = newID()
        tasks[sub.id] = sub
        touch(parentID)
        return .json(options.createStatus, json(sub))
    }

    func updateSubtask(_ id: Int64, _ body: [String: Any]) -> FakeResponse {
        let known = options.updatableFields == .createParameters ? Self.subtaskCreateFields.union(["completed"]) : Self.subtaskUpdateExampleFields
        let answer = update(id, body, known)
        if answer.status == 200, let parent = tasks[id]?.parentID { touch(parent) }
        return answer
    }

    func update(_ id: Int64, _ raw: [String: Any], _ known: Set<String>) -> FakeResponse {
        let body: [String: Any]
        switch accept(raw, known) {
        case .failure(let r): return r
        case .success(let b): body = b
        }
        var task = tasks[id]!
        let now = clock.tick()
        if let r = apply(body, to: &task, now: now) { return r }
        task.updatedAt = now
        tasks[id] = task
        return .json(200, json(task))
    }

    /// "Move task": a PUT with `"move_task":true` into `list_id` of `project`,
    /// at `stage` (the target workflow's first stage when the workflow
    /// changes and no stage is sent). The copy flags are checked as booleans
    /// and otherwise have no effect: assignees, dates, custom fields and
    /// comments all stay with the task.
    func moveTask(_ id: Int64, _ raw: [String: Any]) -> FakeResponse {
        let body: [String: Any]
        switch accept(raw, Self.moveFields) {
        case .failure(let r): return r
        case .success(let b): body = b
        }
        guard Self.bool(body["move_task"]) == true else { return invalid("move_task must be true.") }
        if let flag = Self.moveFlags.first(where: { body[$0] != nil && Self.bool(body[$0]) == nil }) { return invalid("\(flag) must be true or false.") }
        guard let p = Self.int64(body["project"]), let l = Self.int64(body["list_id"]) else { return invalid("project and list_id are required.") }
        guard let target = todolists[l], target.projectID == p else { return invalid("list_id \(l) is not a todolist of project \(p).") }
        if body["id"] != nil, Self.int64(body["id"]) != id { return invalid("id must be the id of the task moved.") }
        var task = tasks[id]!
        let now = clock.tick()
        let stages = target.workflow?.stages ?? []
        if let s = body["stage"] {
            guard let sid = Self.int64(s), stages.contains(where: { $0.id == sid }) else { return invalid("stage is not a stage of the todolist's workflow.") }
            task.stageID = sid
        } else if todolists[task.todolistID]?.workflow?.id != target.workflow?.id {
            task.stageID = stages.first?.id
        }
        task.projectID = p
        task.todolistID = l
        if let r = apply(body.filter { ["title", "completed"].contains($0.key) }, to: &task, now: now) { return r }
        task.updatedAt = now
        tasks[id] = task
        for sub in subtasks(of: id) {
            tasks[sub.id]?.projectID = p
            tasks[sub.id]?.todolistID = l
        }
        return .json(200, json(task))
    }

    /// Writes the fields of `body` (already filtered to the known ones) into `task`.
    func apply(_ body: [String: Any], to task: inout Task, now: Date) -> FakeResponse? {
        if let v = body["title"] {
            guard let s = v as? String, !s.trimmingCharacters(in: .whitespaces).isEmpty else { return invalid("title must be a non-empty string.") }
            task.title = s
        }
        if let v = body["description"] {
            guard v is NSNull || v is String else { return invalid("description must be a string or null.") }
            task.description = v as? String
        }
        for (field, key) in [("start_date", \Task.startDate), ("due_date", \Task.dueDate)] {
            guard let v = body[field] else { continue }
            if v is NSNull || (options.emptyStringClearsDate && v as? String == "") {
                task[keyPath: key] = nil
            } else if let s = v as? String, FakeTime.isDate(s) {
                task[keyPath: key] = s
            } else {
                return invalid("\(field) must be a date, YYYY-MM-DD, or null.")
            }
        }
        for (field, key) in [("estimated_hours", \Task.estimatedHours), ("estimated_mins", \Task.estimatedMins)] {
            guard let v = body[field] else { continue }
            guard v is NSNull || (Self.int64(v).map { $0 >= 0 } ?? false) else { return invalid("\(field) must be a whole number of 0 or more.") }
            task[keyPath: key] = Self.int64(v).map { Int($0) }
        }
        // The second "Create task" example: `"estimated_hrs":"2"`.
        if let v = body["estimated_hrs"] {
            guard let n = Self.int64(v) ?? (v as? String).flatMap({ Int64($0) }), n >= 0 else { return invalid("estimated_hrs must be a whole number.") }
            task.estimatedHours = Int(n)
        }
        if let v = body["assigned"] {
            switch ids(v, "assigned", known: people.contains, policy: options.unknownPeople) {
            case .failure(let r): return r
            case .success(let list): task.assigned = list
            }
        }
        if let v = body["labels"] {
            switch ids(v, "labels", known: { self.labels[$0] != nil }, policy: options.unknownLabels) {
            case .failure(let r): return r
            case .success(let list): task.labelIDs = list
            }
        }
        // Attachment ids come from the "Create attachments endpoint", which the fake does not have.
        if let v = body["attachments"] {
            guard let list = v as? [Any] else { return invalid("attachments must be an array.") }
            if !list.isEmpty { return invalid("Unknown attachment id.") }
        }
        if let v = body["custom_fields"], let r = applyCustomFields(v, to: &task) { return r }
        if let v = body["stage"] {
            let stages = todolists[task.todolistID]?.workflow?.stages ?? []
            guard let sid = Self.int64(v), stages.contains(where: { $0.id == sid }) else { return invalid("stage is not a stage of the todolist's workflow.") }
            task.stageID = sid
        }
        if let v = body["completed"] {
            guard let done = Self.bool(v) else { return invalid("completed must be true or false.") }
            complete(&task, done, by: userID, now: now)
        }
        return nil
    }

    /// An array of ids; unknown ones refused or dropped.
    func ids(_ value: Any, _ field: String, known: (Int64) -> Bool, policy: Options.UnknownIDs) -> Result<[Int64], FakeResponse> {
        guard let list = value as? [Any] else { return .failure(invalid("\(field) must be an array of ids.")) }
        var out: [Int64] = []
        for item in list {
            guard let id = Self.int64(item) else { return .failure(invalid("\(field) must be an array of ids.")) }
            if known(id) {
                if !out.contains(id) { out.append(id) }
            } else if policy == .reject {
                return .failure(invalid("Unknown id in \(field): \(id)."))
            }
        }
        return .success(out)
    }

    /// `{"ID": {"value": ...}}`. A value that does not fit its field (or an
    /// unknown field) answers the document's 200 with code 2033.
    func applyCustomFields(_ value: Any, to task: inout Task) -> FakeResponse? {
        let mismatch = FakeResponse.json(200, ["code": ErrorCode.customFieldType, "message": "Value of the custom field does not match its type."])
        guard let object = value as? [String: Any] else { return invalid("custom_fields must be an object keyed by custom field id.") }
        for key in object.keys.sorted() {
            guard let id = Int64(key), let field = customFields[id], let entry = object[key] as? [String: Any], entry.count == 1,
                let raw = entry["value"], let parsed = Self.customValue(field, raw)
            else { return mismatch }
            task.customValues[id] = parsed
        }
        return nil
    }

    static func customValue(_ field: CustomField, _ raw: Any) -> CustomValue? {
        let type = field.type.lowercased()
        if type == "tag" || type == "dropdown" {
            guard let list = raw as? [Any], let values = list as? [String] else { return nil }
            guard type == "tag" || values.count <= 1, field.allowed.isEmpty || values.allSatisfy(field.allowed.contains) else { return nil }
            return .list(values)
        }
        guard let text = raw as? String else { return nil }
        if text.isEmpty { return .text("") }
        switch type {
        case "date": return FakeTime.isDate(text) ? .text(text) : nil
        case "percentage": return Double(text).map { (0...100).contains($0) } == true ? .text(text) : nil
        case "currency", "number": return Double(text) != nil ? .text(text) : nil
        default: return .text(text)
        }
    }

    // MARK: comments

    func createComment(on taskID: Int64, _ raw: [String: Any]) -> FakeResponse {
        let body: [String: Any]
        switch accept(raw, ["description"]) {
        case .failure(let r): return r
        case .success(let b): body = b
        }
        guard let text = body["description"] as? String, !text.isEmpty else { return invalid("description is required.") }
        let comment = Comment(id: newID(), taskID: taskID, description: text, creatorID: userID, createdAt: clock.tick())
        comments[comment.id] = comment
        touch(taskID)
        return .json(options.createStatus, json(comment))
    }

    func updateComment(_ id: Int64, _ raw: [String: Any]) -> FakeResponse {
        let body: [String: Any]
        switch accept(raw, ["description"]) {
        case .failure(let r): return r
        case .success(let b): body = b
        }
        var comment = comments[id]!
        guard comment.creatorID == userID || options.othersCommentsEditable else { return Self.failure(403, "You may not change this comment.") }
        if let v = body["description"] {
            guard let text = v as? String, !text.isEmpty else { return invalid("description must be a non-empty string.") }
            comment.description = text
        }
        comments[id] = comment
        touch(comment.taskID)
        return .json(200, json(comment))
    }

    func deleteComment(_ id: Int64) -> FakeResponse {
        let comment = comments[id]!
        guard comment.creatorID == userID || options.othersCommentsEditable else { return Self.failure(403, "You may not delete this comment.") }
        comments[id] = nil
        touch(comment.taskID)
        return FakeResponse(status: 204)
    }

    // MARK: labels

    func createLabel(_ raw: [String: Any]) -> FakeResponse {
        let body: [String: Any]
        switch accept(raw, ["name"]) {
        case .failure(let r): return r
        case .success(let b): body = b
        }
        guard let name = body["name"] as? String, !name.isEmpty else { return invalid("name is required.") }
        let id = newID()
        labels[id] = Label(id: id, name: name, color: Self.colors[labels.count % Self.colors.count])
        return .json(options.createStatus, json(labels[id]!))
    }

    func updateLabel(_ id: Int64, _ raw: [String: Any]) -> FakeResponse {
        let body: [String: Any]
        switch accept(raw, ["name"]) {
        case .failure(let r): return r
        case .success(let b): body = b
        }
        if let v = body["name"] {
            guard let name = v as? String, !name.isEmpty else { return invalid("name must be a non-empty string.") }
            labels[id]?.name = name
        }
        return .json(200, json(labels[id]!))
    }

    /// The label leaves every task that had it; their `updated_at` stays.
    func deleteLabel(_ id: Int64) -> FakeResponse {
        labels[id] = nil
        for (tid, task) in tasks where task.labelIDs.contains(id) { tasks[tid]?.labelIDs.removeAll { $0 == id } }
        return FakeResponse(status: 204)
    }
}
