import Foundation

/// POST, PATCH and the PUT actions: the fields each section of the document
/// names, validated as Laravel validates them (every error at once, 422).
extension FakeGrowCRM {
    /// "Create a task": its parameter table.
    static let createFields: Set<String> = [
        "task_projectid", "task_title", "task_status", "task_priority", "task_milestoneid", "task_date_start", "task_date_due", "task_description",
        "task_client_visibility", "task_billable",
    ]
    /// "Update a task": "same parameters as Create, except the project is fixed".
    static let updateFields = createFields.subtracting(["task_projectid"])

    /// A scalar field: nil when not sent, `.some(nil)` when sent empty
    /// (Laravel: null), else its text. A list where a scalar belongs fails.
    static func scalar(_ input: Input, _ name: String, _ v: inout Validation) -> String?? {
        switch input.fields[name] {
        case nil: return nil
        case .one(let s): return .some(s.isEmpty ? nil : s)
        case .many:
            v.fail(name, "The \(attribute(name)) must be a string.")
            return nil
        }
    }

    /// `YYYY-MM-DD`; with ``Options/dateTimeInDates`` also a date with a time, cut to the date.
    func date(_ text: String) -> String? {
        if FakeTime.isDate(text) { return text }
        guard options.dateTimeInDates, text.count > 10, FakeTime.isDate(String(text.prefix(10))) else { return nil }
        let rest = text.dropFirst(10)
        guard rest.first == " " || rest.first == "T", rest.dropFirst().allSatisfy({ $0.isNumber || ":.+-Z".contains($0) }) else { return nil }
        return String(text.prefix(10))
    }

    /// Validates `input` and writes it into `task`. `full`: a field not sent
    /// takes its create default and the required ones must be sent (a create,
    /// or a full update); otherwise a field not sent keeps its value.
    func apply(_ input: Input, to t: inout Task, creating: Bool, full: Bool) -> FakeResponse? {
        var v = Validation()
        func required(_ name: String) -> String? {
            switch Self.scalar(input, name, &v) {
            case .some(.some(let s)): return s
            case .some(.none): v.fail(name, "The \(Self.attribute(name)) field is required.")
            case .none: if full { v.fail(name, "The \(Self.attribute(name)) field is required.") }
            }
            return nil
        }
        func integer(_ name: String, _ text: String?, exists: (Int64) -> Bool) -> Int64? {
            guard let text else { return nil }
            guard let n = Int64(text) else {
                v.fail(name, "The \(Self.attribute(name)) must be an integer.")
                return nil
            }
            guard exists(n) else {
                v.fail(name, "The selected \(Self.attribute(name)) is invalid.")
                return nil
            }
            return n
        }
        /// nil: keep; `.some(nil)`: clear; else the new value.
        func optional(_ name: String) -> String?? {
            let value = Self.scalar(input, name, &v)
            return value == nil && full ? .some(nil) : value
        }
        let project = creating ? integer("task_projectid", required("task_projectid")) { self.projects[$0] != nil } : t.projectID
        let title = required("task_title")
        let status = integer("task_status", required("task_status")) { self.statuses[$0] != nil }
        let priority = integer("task_priority", required("task_priority")) { self.priorities[$0] != nil }
        var milestone: Int64?? = nil
        if let m = optional("task_milestoneid") {
            if let m {
                if let n = Int64(m) { milestone = .some(n) } else { v.fail("task_milestoneid", "The task milestoneid must be an integer.") }
            } else {
                milestone = .some(nil)  // the project's uncategorised milestone
            }
        }
        var dates: [String: String?] = [:]
        for name in ["task_date_start", "task_date_due"] {
            guard let d = optional(name) else { continue }
            guard let d else {
                dates[name] = .some(nil)
                continue
            }
            guard let day = date(d) else {
                v.fail(name, "The \(Self.attribute(name)) does not match the format Y-m-d.")
                continue
            }
            dates[name] = .some(day)
        }
        let description = optional("task_description")
        var flags: [String: Bool] = [:]
        for name in ["task_client_visibility", "task_billable"] {
            guard let f = optional(name) else { continue }
            guard let f, f != "on" else {
                flags[name] = f == "on"
                continue
            }
            if options.checkbox == .onOnly { v.fail(name, "The selected \(Self.attribute(name)) is invalid.") } else { flags[name] = false }
        }
        let start = dates["task_date_start"] ?? .some(t.startDate)
        let due = dates["task_date_due"] ?? .some(t.dueDate)
        if let s = start ?? nil, let d = due ?? nil, d < s, v.errors.allSatisfy({ !$0.field.hasPrefix("task_date") }) {
            v.fail("task_date_due", "The task date due must be a date after or equal to task date start.")
        }
        guard v.isEmpty else { return v.response }

        // "409 Conflict: Invalid milestone for the project, or the project has no default milestone."
        let p = projects[project ?? t.projectID]!
        var milestoneID = t.milestoneID
        switch milestone {
        case .some(.some(let m)):
            guard p.milestones.contains(where: { $0.id == m }) else { return Self.message(409, "Invalid milestone for the project.") }
            milestoneID = m
        case .some(.none):
            guard let d = p.defaultMilestoneID else { return Self.message(409, "The project has no default milestone.") }
            milestoneID = d
        case .none:
            if creating {
                guard let d = p.defaultMilestoneID else { return Self.message(409, "The project has no default milestone.") }
                milestoneID = d
            }
        }

        let now = clock.now()
        t.projectID = p.id
        t.milestoneID = milestoneID
        if let title { t.title = title }
        if let status { setStatus(&t, status, now: now) }
        if let priority { t.priorityID = priority }
        if let s = dates["task_date_start"] { t.startDate = s }
        if let d = dates["task_date_due"] { t.dueDate = d }
        if let description { t.description = description }
        if let c = flags["task_client_visibility"] { t.clientVisible = c }
        if let b = flags["task_billable"] { t.billable = b }
        return nil
    }

    func create(_ raw: Input) -> FakeResponse {
        let input: Input
        switch screen(raw, known: Self.createFields) {
        case .failure(let r): return r
        case .success(let i): input = i
        }
        let now = clock.tick()
        var task = Task(id: 0, projectID: 0, milestoneID: 0, title: "", statusID: 0, priorityID: 0, position: 0, createdAt: now, updatedAt: now)
        if let refusal = apply(input, to: &task, creating: true, full: true) { return refusal }
        task.id = newID()
        task.position = takePosition()
        task.statusChangedAt = nil
        tasks[task.id] = task
        return .json(201, ["data": json(task), "message": "Task created successfully."])
    }

    /// "Full update of the editable fields" (or, switched, a partial one).
    func update(_ id: Int64, _ raw: Input) -> FakeResponse {
        let input: Input
        switch screen(raw, known: Self.updateFields) {
        case .failure(let r): return r
        case .success(let i): input = i
        }
        let before = tasks[id]!
        var task = before
        if let refusal = apply(input, to: &task, creating: false, full: options.missingOnUpdate == .cleared) { return refusal }
        save(task, before: before)
        return .json(200, ["data": json(tasks[id]!), "message": "Task updated successfully."])
    }

    /// Stores the task; `dates.updated` moves only when something changed
    /// (an Eloquent save without changes touches nothing).
    func save(_ task: Task, before: Task) {
        var task = task
        if task != before { task.updatedAt = clock.tick() }
        tasks[task.id] = task
    }

    /// With ``Options/relationsTouchTask``, an assigned/tags action or a comment moves `dates.updated`.
    func touch(_ id: Int64) {
        if options.relationsTouchTask { tasks[id]?.updatedAt = clock.tick() }
    }

    // MARK: the actions

    func changeStatus(_ id: Int64, _ raw: Input) -> FakeResponse {
        let input: Input
        switch screen(raw, known: ["status"]) {
        case .failure(let r): return r
        case .success(let i): input = i
        }
        var v = Validation()
        guard let text = Self.scalar(input, "status", &v) ?? nil else {
            v.fail("status", "The status field is required.")
            return v.response
        }
        guard let status = Int64(text), statuses[status] != nil else {
            v.fail("status", Int64(text) == nil ? "The status must be an integer." : "The selected status is invalid.")
            return v.response
        }
        let before = tasks[id]!
        var task = before
        setStatus(&task, status, now: clock.now())
        save(task, before: before)
        return .json(200, ["data": json(tasks[id]!), "message": "Task status updated successfully."])
    }

    /// A full set from the form: `name[]=a&name[]=b`; the empty set as
    /// ``Options/emptySet`` spells it; without the key, 422.
    func fullSet(_ input: Input, _ name: String, _ v: inout Validation) -> [String]? {
        switch input.fields[name] {
        case nil:
            v.fail(name, "The \(name) field is required.")
        case .one(let s):
            if s.isEmpty, options.emptySet == .bareKeyToo { return [] }
            v.fail(name, "The \(name) must be an array.")
        case .many(let items):
            if items == [""] { return [] }
            if let i = items.firstIndex(of: "") {
                v.fail("\(name).\(i)", "The \(name).\(i) field is required.")
                return nil
            }
            var seen = Set<String>()
            return items.filter { seen.insert($0).inserted }
        }
        return nil
    }

    func setAssigned(_ id: Int64, _ raw: Input) -> FakeResponse {
        let input: Input
        switch screen(raw, known: ["assigned"]) {
        case .failure(let r): return r
        case .success(let i): input = i
        }
        var v = Validation()
        guard let items = fullSet(input, "assigned", &v) else { return v.response }
        var ids: [Int64] = []
        for (i, item) in items.enumerated() {
            guard let n = Int64(item) else {
                v.fail("assigned.\(i)", "The assigned.\(i) must be an integer.")
                continue
            }
            if users[n] == nil { v.fail("assigned.\(i)", "The selected assigned.\(i) is invalid.") }
            ids.append(n)
        }
        guard v.isEmpty else { return v.response }
        if tasks[id]!.assigned != ids {
            tasks[id]!.assigned = ids
            touch(id)
        }
        return .json(200, ["data": json(tasks[id]!), "message": "Task assignees updated successfully."])
    }

    func setTags(_ id: Int64, _ raw: Input) -> FakeResponse {
        let input: Input
        switch screen(raw, known: ["tags"]) {
        case .failure(let r): return r
        case .success(let i): input = i
        }
        var v = Validation()
        guard let tags = fullSet(input, "tags", &v) else { return v.response }
        if tasks[id]!.tags != tags {
            tasks[id]!.tags = tags
            touch(id)
        }
        return .json(200, ["data": json(tasks[id]!), "message": "Task tags updated successfully."])
    }

    /// "No body. Toggles active_state between archived and active." A body is not read.
    func setArchived(_ id: Int64, _ archived: Bool) -> FakeResponse {
        let before = tasks[id]!
        var task = before
        task.archived = archived
        save(task, before: before)
        return .json(200, ["data": json(tasks[id]!), "message": archived ? "Task archived successfully." : "Task activated successfully."])
    }

    /// "Stops any running timers on the task."
    func stopTimers(_ id: Int64) -> FakeResponse {
        let now = clock.now()
        for timer in timers(of: id) where timer.stopped == nil {
            timers[timer.id]?.seconds = logged(timer)
            timers[timer.id]?.stopped = now
        }
        return .json(200, ["data": ["id": id], "message": "Timers stopped successfully."])
    }

    func addComment(_ id: Int64, _ raw: Input) -> FakeResponse {
        let input: Input
        switch screen(raw, known: ["comment"]) {
        case .failure(let r): return r
        case .success(let i): input = i
        }
        var v = Validation()
        guard let text = Self.scalar(input, "comment", &v) ?? nil else {
            v.fail("comment", "The comment field is required.")
            return v.response
        }
        let cid = newID()
        comments[cid] = Comment(id: cid, taskID: id, text: text, userID: userID, createdAt: clock.tick())
        touch(id)
        return .json(options.commentCreateStatus, ["data": json(comments[cid]!), "message": "Comment added successfully."])
    }
}
