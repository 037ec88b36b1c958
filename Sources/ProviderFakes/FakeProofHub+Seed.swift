import Foundation

/// What a person does in ProofHub's own UI, and what tests read back.
extension FakeProofHub {
    public func seedProject(id: Int64, name: String) {
        projects[id] = Project(id: id, name: name)
    }

    public func seedTodolist(id: Int64, projectID: Int64, name: String, workflow: Workflow? = FakeProofHub.basicWorkflow) {
        if projects[projectID] == nil { projects[projectID] = Project(id: projectID, name: "Project \(projectID)") }
        todolists[id] = Todolist(id: id, projectID: projectID, name: name, workflow: workflow)
    }

    /// Someone the `assigned` arrays may name.
    public func seedPerson(_ id: Int64) { people.insert(id) }

    /// A label, or the one already named so.
    @discardableResult
    public func seedLabel(_ name: String, color: String? = nil) -> Int64 {
        if let known = labels.values.first(where: { $0.name == name }) { return known.id }
        let id = newID()
        labels[id] = Label(id: id, name: name, color: color ?? Self.colors[labels.count % Self.colors.count])
        return id
    }

    @discardableResult
    public func seedCustomField(title: String, type: String, allowed: [String] = [], extraInfo: [String: String]? = nil) -> Int64 {
        let id = newID()
        customFields[id] = CustomField(id: id, title: title, type: type, allowed: allowed, extraInfo: extraInfo)
        return id
    }

    /// A task in `todolistID` (the fake's own todolist when nil), created by
    /// the colleague; `stage` and `labels` by name (labels are created when
    /// missing); dates `YYYY-MM-DD`.
    @discardableResult
    public func seedTask(
        title: String, description: String? = nil, stage: String? = nil, labels: [String] = [], dueDate: String? = nil, startDate: String? = nil,
        completed: Bool = false, assigned: [Int64] = [], todolistID: Int64? = nil
    ) -> Int64 {
        let now = clock.tick()
        let list = todolists[todolistID ?? self.todolistID]!
        let stages = list.workflow?.stages ?? []
        var task = Task(
            id: newID(), parentID: nil, ticket: String(nextTicket), projectID: list.projectID, todolistID: list.id, title: title,
            description: description, startDate: startDate, dueDate: dueDate, creatorID: colleagueID, createdAt: now, updatedAt: now)
        nextTicket += 1
        task.stageID = (stage.flatMap { name in stages.first { $0.name == name } } ?? stages.first)?.id
        task.labelIDs = labels.map { seedLabel($0) }
        task.assigned = assigned
        if completed { complete(&task, true, by: colleagueID, now: now) }
        tasks[task.id] = task
        return task.id
    }

    @discardableResult
    public func seedSubtask(_ taskID: Int64, title: String, completed: Bool = false, dueDate: String? = nil) -> Int64 {
        let now = clock.tick()
        let parent = tasks[taskID]!
        var sub = Task(
            id: newID(), parentID: taskID, ticket: "", projectID: parent.projectID, todolistID: parent.todolistID, title: title, description: nil,
            dueDate: dueDate, creatorID: colleagueID, createdAt: now, updatedAt: now)
        if completed { complete(&sub, true, by: colleagueID, now: now) }
        tasks[sub.id] = sub
        return sub.id
    }

    /// A comment by `author` (the colleague when nil: `"by_me": false`).
    @discardableResult
    public func seedComment(_ taskID: Int64, text: String, author: Int64? = nil) -> Int64 {
        let id = newID()
        comments[id] = Comment(id: id, taskID: taskID, description: text, creatorID: author ?? colleagueID, createdAt: clock.tick())
        return id
    }

    /// Edits a task or subtask as a user would; `updated_at` moves.
    public func edit(_ id: Int64, _ change: @Sendable (inout Task) -> Void) {
        guard var task = tasks[id] else { return }
        change(&task)
        task.updatedAt = clock.tick()
        tasks[id] = task
    }

    /// Deletes a task (with its subtasks and comments) as a user would.
    public func remove(_ id: Int64) { deleteTask(id) }

    /// A task or subtask by id.
    public func task(_ id: Int64) -> Task? { tasks[id] }

    /// Every task (not subtask), lowest id first.
    public func allTasks() -> [Task] {
        tasks.values.filter { $0.parentID == nil }.sorted { $0.id < $1.id }
    }

    public func subtasks(of taskID: Int64) -> [Task] {
        tasks.values.filter { $0.parentID == taskID }.sorted { $0.id < $1.id }
    }

    public func comments(of taskID: Int64) -> [Comment] {
        comments.values.filter { $0.taskID == taskID }.sorted { $0.id < $1.id }
    }

    public func label(named name: String) -> Label? { labels.values.first { $0.name == name } }

    /// The visible state, for comparing before and after.
    public func stateDump() -> String {
        let t = tasks.keys.sorted().map { id in
            let t = tasks[id]!
            return
                "\(id)|\(t.parentID ?? 0)|\(t.todolistID)|\(t.title)|\(t.description ?? "")|\(t.startDate ?? "")|\(t.dueDate ?? "")|\(t.labelIDs)|\(t.assigned)|\(t.stageID ?? 0)|\(t.completed)|\(t.customValues.sorted { $0.key < $1.key })|\(t.updatedAt.timeIntervalSince1970)"
        }
        let c = comments.keys.sorted().map { "c\($0)|\(comments[$0]!.taskID)|\(comments[$0]!.description)" }
        let l = labels.keys.sorted().map { "l\($0)|\(labels[$0]!.name)" }
        return (t + c + l).joined(separator: "\n")
    }

    // MARK: shared by seeds and the API

    /// Completes (sets `completed_at`/`completed_by`) or reopens (clears them).
    func complete(_ task: inout Task, _ completed: Bool, by person: Int64, now: Date) {
        if completed, !task.completed {
            task.completedAt = now
            task.completedBy = person
            if options.completeMovesToLastStage, task.parentID == nil, let last = todolists[task.todolistID]?.workflow?.stages.last {
                task.stageID = last.id
            }
        } else if !completed {
            task.completedAt = nil
            task.completedBy = nil
        }
        task.completed = completed
    }

    /// A task goes with its subtasks and all their comments.
    func deleteTask(_ id: Int64) {
        let gone = Set([id] + tasks.values.filter { $0.parentID == id }.map(\.id))
        for g in gone { tasks[g] = nil }
        comments = comments.filter { !gone.contains($0.value.taskID) }
    }
}
