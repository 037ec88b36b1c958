import Foundation

/// The POST commands: `task[...]`, `subtask[...]` and `comment[...]` form
/// fields, checked against the document's field lists.
extension FakeActiveCollab {
    /// A form field as PHP reads it: `task[name]=v` is one value (the last
    /// sent wins), `task[other_assignees][]=v` a list.
    enum FormValue: Equatable {
        case one(String)
        case many([String])
    }

    /// The fields of one object (`task`, `subtask`, `comment`) in a form
    /// body, and every other key but `submitted`.
    struct Fields {
        var values: [String: FormValue] = [:]
        var names: [String] = []
        var others: [String] = []
    }

    /// "About Tasks": the fields.
    static let taskFields: Set<String> = [
        "name", "body", "visibility", "category_id", "label_id", "milestone_id", "priority", "assignee_id", "other_assignees", "due_on",
        "created_by_id", "created_by_name", "created_by_email",
    ]
    static let creatorFields: Set<String> = ["created_by_id", "created_by_name", "created_by_email"]
    /// "About Subtasks": the fields.
    static let subtaskFields: Set<String> = ["body", "assignee", "priority", "label_id", "due_on"]

    static func fields(_ request: FakeRequest, _ object: String) -> Fields {
        var f = Fields()
        for (key, value) in request.formFields ?? [] where key != "submitted" {
            guard key.hasPrefix(object + "["), let close = key.firstIndex(of: "]") else {
                f.others.append(key)
                continue
            }
            let name = String(key[key.index(key.startIndex, offsetBy: object.count + 1)..<close])
            let rest = key[key.index(after: close)...]
            if f.values[name] == nil, !name.isEmpty { f.names.append(name) }
            if rest.isEmpty, !name.isEmpty {
                f.values[name] = .one(value)
            } else if !name.isEmpty, rest.hasPrefix("["), rest.hasSuffix("]"), rest.dropFirst().dropLast().allSatisfy(\.isNumber) {
                if case .many(let items) = f.values[name] { f.values[name] = .many(items + [value]) } else { f.values[name] = .many([value]) }
            } else {
                f.others.append(key)
            }
        }
        return f
    }

    /// Gathers a refused body's field errors.
    struct Errors {
        var list: [(String, String)] = []
        mutating func fail(_ field: String, _ message: String) {
            if !list.contains(where: { $0.0 == field }) { list.append((field, message)) }
        }
    }

    func refused(_ errors: Errors, _ format: Format) -> FakeResponse {
        failure(options.validationStatus, "Validation failed", format, fields: errors.list)
    }

    /// Fields outside `known` (and keys outside `object[...]`) fail, or are dropped.
    func screen(_ f: Fields, known: Set<String>, _ errors: inout Errors) -> [String: FormValue] {
        var kept: [String: FormValue] = [:]
        for name in f.names {
            if known.contains(name) {
                kept[name] = f.values[name]
            } else if options.unknownFields == .reject {
                errors.fail(name, "Unknown or read-only field: \(name).")
            }
        }
        if options.unknownFields == .reject {
            for key in f.others { errors.fail(key, "Unknown field: \(key).") }
        }
        return kept
    }

    /// One value: nil not sent, "" sent empty; a list where one value belongs fails.
    static func one(_ values: [String: FormValue], _ name: String, _ errors: inout Errors) -> String? {
        switch values[name] {
        case nil: return nil
        case .one(let s): return s
        case .many:
            errors.fail(name, "\(name) takes one value.")
            return nil
        }
    }

    /// An id field: nil not sent, `.some(nil)` cleared (sent empty), else an id `exists` allows.
    static func id(_ values: [String: FormValue], _ name: String, _ errors: inout Errors, exists: (Int64) -> Bool) -> Int64?? {
        guard let text = one(values, name, &errors) else { return nil }
        if text.isEmpty { return .some(nil) }
        guard let n = Int64(text), exists(n) else {
            errors.fail(name, "\(name) is not a known id.")
            return nil
        }
        return .some(n)
    }

    /// "-2 (lowest) to 2 (highest)".
    static func priority(_ values: [String: FormValue], _ errors: inout Errors) -> Int? {
        guard let text = one(values, "priority", &errors) else { return nil }
        guard let n = Int(text), (-2...2).contains(n) else {
            errors.fail("priority", "Priority must be an integer from -2 to 2.")
            return nil
        }
        return n
    }

    /// A date, `YYYY-MM-DD`: nil not sent, `.some(nil)` cleared.
    static func day(_ values: [String: FormValue], _ errors: inout Errors) -> String?? {
        guard let text = one(values, "due_on", &errors) else { return nil }
        if text.isEmpty { return .some(nil) }
        guard FakeTime.isDate(text) else {
            errors.fail("due_on", "due_on must be a date, YYYY-MM-DD.")
            return nil
        }
        return .some(text)
    }

    // MARK: tasks

    /// Writes the sent fields into `t` (an edit leaves the others alone).
    func apply(_ v: [String: FormValue], to t: inout Task, creating: Bool, _ errors: inout Errors) {
        let project = projects[t.projectID]!
        if let name = Self.one(v, "name", &errors) {
            if name.isEmpty { errors.fail("name", "Task name is required.") } else { t.name = name }
        } else if creating {
            errors.fail("name", "Task name is required.")
        }
        if let body = Self.one(v, "body", &errors) { t.body = body.isEmpty ? nil : body }
        if let visibility = Self.one(v, "visibility", &errors) {
            if let n = Int(visibility), n == 0 || n == 1 { t.visibility = n } else { errors.fail("visibility", "Visibility must be 0 or 1.") }
        }
        if let c = Self.id(v, "category_id", &errors, exists: { project.categoryIDs.contains($0) }) { t.categoryID = c }
        if let m = Self.id(v, "milestone_id", &errors, exists: { project.milestoneIDs.contains($0) }) { t.milestoneID = m }
        if let l = Self.id(v, "label_id", &errors, exists: { self.labelIDs.contains($0) }) { t.labelID = l }
        if let a = Self.id(v, "assignee_id", &errors, exists: { self.users[$0] != nil }) { t.assigneeID = a }
        if let p = Self.priority(v, &errors) { t.priority = p }
        if let d = Self.day(v, &errors) { t.dueOn = d }
        switch v["other_assignees"] {
        case nil: break
        case .one(let s) where s.isEmpty: t.otherAssignees = []
        case .many(let items) where items == [""]: t.otherAssignees = []
        case .one: errors.fail("other_assignees", "other_assignees must be an array of user ids.")
        case .many(let items):
            let ids = items.compactMap { Int64($0) }.filter { users[$0] != nil }
            if ids.count == items.count { t.otherAssignees = ids } else { errors.fail("other_assignees", "other_assignees must name known users.") }
        }
        // "created_by_name ... (can not be used with created_by_id)"; the e-mail goes with the name.
        let byID = Self.id(v, "created_by_id", &errors, exists: { self.users[$0] != nil })
        let byName = Self.one(v, "created_by_name", &errors)
        let byEmail = Self.one(v, "created_by_email", &errors)
        if byID != nil, byName != nil {
            errors.fail("created_by_name", "created_by_name can not be used with created_by_id.")
        } else if let byID {
            (t.createdByID, t.createdByName, t.createdByEmail) = (byID, nil, nil)
        } else if let byName {
            guard !byName.isEmpty else { return errors.fail("created_by_name", "created_by_name may not be empty.") }
            guard let byEmail, byEmail.contains("@") else { return errors.fail("created_by_email", "An anonymous creator needs an e-mail address.") }
            (t.createdByID, t.createdByName, t.createdByEmail) = (nil, byName, byEmail)
        } else if byEmail != nil {
            errors.fail("created_by_email", "created_by_email is used with created_by_name.")
        }
    }

    func createTask(in project: Int64, _ request: FakeRequest, _ format: Format) -> FakeResponse {
        var errors = Errors()
        let v = screen(Self.fields(request, "task"), known: Self.taskFields, &errors)
        let now = clock.tick()
        var task = Task(
            id: 0, taskID: 0, projectID: project, name: "", visibility: options.defaultVisibility, priority: 0, createdByID: userID, createdOn: now,
            updatedOn: now)
        apply(v, to: &task, creating: true, &errors)
        guard errors.list.isEmpty else { return refused(errors, format) }
        task.id = newTaskID()
        task.taskID = newTaskNumber(in: project)
        tasks[task.id] = task
        return answer(200, "task", value(task, format), format)
    }

    func editTask(_ id: Int64, _ request: FakeRequest, _ format: Format) -> FakeResponse {
        var errors = Errors()
        let known = options.creatorOnEdit ? Self.taskFields : Self.taskFields.subtracting(Self.creatorFields)
        let v = screen(Self.fields(request, "task"), known: known, &errors)
        let before = tasks[id]!
        var task = before
        apply(v, to: &task, creating: false, &errors)
        guard errors.list.isEmpty else { return refused(errors, format) }
        if task != before { task.updatedOn = clock.tick() }
        tasks[id] = task
        return answer(200, "task", value(task, format), format)
    }

    /// NOTES.md: "`.../complete` and `.../reopen`" (unconfirmed). A body
    /// carries nothing but `submitted=submitted`.
    func completeTask(_ id: Int64, _ complete: Bool, _ request: FakeRequest, _ format: Format) -> FakeResponse {
        var errors = Errors()
        _ = screen(Self.fields(request, "task"), known: [], &errors)
        guard errors.list.isEmpty else { return refused(errors, format) }
        if complete != (tasks[id]!.completedOn != nil) {
            let now = clock.tick()
            tasks[id]!.completedOn = complete ? now : nil
            tasks[id]!.completedByID = complete ? userID : nil
            tasks[id]!.updatedOn = now
        }
        return answer(200, "task", value(tasks[id]!, format), format)
    }

    func touch(_ taskID: Int64) {
        if options.childTouchesTask { tasks[taskID]?.updatedOn = clock.tick() }
    }

    // MARK: subtasks and comments

    func subtaskValues(_ request: FakeRequest, _ errors: inout Errors) -> [String: FormValue] {
        let known = options.subtaskAssigneeID ? Self.subtaskFields.union(["assignee_id"]) : Self.subtaskFields
        var v = screen(Self.fields(request, "subtask"), known: known, &errors)
        if let id = v.removeValue(forKey: "assignee_id"), v["assignee"] == nil { v["assignee"] = id }
        return v
    }

    func apply(_ v: [String: FormValue], to s: inout Subtask, creating: Bool, _ errors: inout Errors) {
        if let body = Self.one(v, "body", &errors) {
            if body.isEmpty { errors.fail("body", "Subtask name is required.") } else { s.body = body }
        } else if creating {
            errors.fail("body", "Subtask name is required.")
        }
        if let a = Self.id(v, "assignee", &errors, exists: { self.users[$0] != nil }) { s.assignee = a }
        if let p = Self.priority(v, &errors) { s.priority = p }
        // The document lists "label_id (date)": read as the id it is named.
        if let l = Self.id(v, "label_id", &errors, exists: { self.labelIDs.contains($0) }) { s.labelID = l }
        if let d = Self.day(v, &errors) { s.dueOn = d }
    }

    func addSubtask(_ taskID: Int64, _ request: FakeRequest, _ format: Format) -> FakeResponse {
        var errors = Errors()
        let v = subtaskValues(request, &errors)
        let now = clock.tick()
        var sub = Subtask(id: 0, parentID: taskID, body: "", priority: 0, createdOn: now, updatedOn: now)
        apply(v, to: &sub, creating: true, &errors)
        guard errors.list.isEmpty else { return refused(errors, format) }
        nextSubtaskID += 1
        sub.id = nextSubtaskID
        subtasks[sub.id] = sub
        touch(taskID)
        return answer(200, "subtask", value(sub, write: true), format)
    }

    func editSubtask(_ id: Int64, _ request: FakeRequest, _ format: Format) -> FakeResponse {
        var errors = Errors()
        let v = subtaskValues(request, &errors)
        let before = subtasks[id]!
        var sub = before
        apply(v, to: &sub, creating: false, &errors)
        guard errors.list.isEmpty else { return refused(errors, format) }
        if sub != before {
            sub.updatedOn = clock.tick()
            touch(sub.parentID)
        }
        subtasks[id] = sub
        return answer(200, "subtask", value(sub, write: true), format)
    }

    func completeSubtask(_ id: Int64, _ complete: Bool, _ request: FakeRequest, _ format: Format) -> FakeResponse {
        var errors = Errors()
        _ = screen(Self.fields(request, "subtask"), known: [], &errors)
        guard errors.list.isEmpty else { return refused(errors, format) }
        if complete != (subtasks[id]!.completedOn != nil) {
            let now = clock.tick()
            subtasks[id]!.completedOn = complete ? now : nil
            subtasks[id]!.completedByID = complete ? userID : nil
            subtasks[id]!.updatedOn = now
            touch(subtasks[id]!.parentID)
        }
        return answer(200, "subtask", value(subtasks[id]!, write: true), format)
    }

    /// NOTES.md: "`.../comments/add` with `comment[body]`" (unconfirmed).
    func addComment(_ taskID: Int64, _ request: FakeRequest, _ format: Format) -> FakeResponse {
        var errors = Errors()
        let v = screen(Self.fields(request, "comment"), known: ["body"], &errors)
        let body = Self.one(v, "body", &errors) ?? ""
        if body.isEmpty { errors.fail("body", "Comment text is required.") }
        guard errors.list.isEmpty else { return refused(errors, format) }
        nextCommentID += 1
        comments[nextCommentID] = Comment(id: nextCommentID, parentID: taskID, body: body, createdByID: userID, createdOn: clock.tick())
        touch(taskID)
        return answer(200, "comment", value(comments[nextCommentID]!, format), format)
    }
}
