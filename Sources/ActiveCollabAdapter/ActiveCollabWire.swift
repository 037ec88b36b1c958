import AdapterSupport

/// ActiveCollab's legacy XML (provider-docs/activecollab-tasks.txt), read
/// element by element: the document shows `<id>` and `<name>` and names the
/// other fields in "About Tasks"; the element names are the field names.
enum ACWire {
    /// A task's or subtask's completion: `completed_on` set, or `is_completed` 1/true.
    static func completed(_ e: XMLAnswer.Element) -> Bool {
        if let on = e["completed_on"]?.trimmingWhitespace(), !on.isEmpty { return true }
        return ["1", "true"].contains(e["is_completed"]?.trimmingWhitespace().lowercased() ?? "")
    }

    /// A number element, nil when absent or empty.
    static func number(_ e: XMLAnswer.Element, _ name: String) -> String? {
        guard let text = e[name]?.trimmingWhitespace(), !text.isEmpty, text != "0" || name == "priority" else { return nil }
        return text
    }

    static func date(_ e: XMLAnswer.Element, _ name: String, item: String) throws -> LocalDate? {
        // In XML a date is text; JSON's `{"mysql": ...}` object form does not occur here.
        let text = e.child(name).map { $0["mysql"] ?? $0.text }?.trimmingWhitespace() ?? ""
        guard !text.isEmpty else { return nil }
        guard let date = LocalDate(parsing: text) else { throw ProviderError.malformed("\(item): \(name) '\(text)'") }
        return date
    }

    /// A `<task>` as a remote task; its reference holds the global `id` and the `task_id` of paths.
    static func task(_ e: XMLAnswer.Element, subtasks: [RemoteSubtask]? = nil) throws -> RemoteTask {
        guard let id = number(e, "id"), let taskID = number(e, "task_id") else {
            throw ProviderError.malformed("a task without id or task_id")
        }
        let ref = RemoteRef(id, taskID)
        let item = "task \(taskID) (id \(id))"
        let priority = try number(e, "priority").map { text in
            guard let value = Int(text), let level = ActiveCollabValues.priority(value) else {
                throw ProviderError.malformed("\(item): priority '\(text)'")
            }
            return level
        }
        return RemoteTask(
            id: ref.key,
            fields: TaskFields(
                title: e["name"]?.trimmingWhitespace() ?? "", description: e["body"] ?? "", status: number(e, "label_id"), done: completed(e),
                priority: priority, dueDate: try date(e, "due_on", item: item)),
            updatedAt: ProviderTime.timestamp(e["updated_on"]), subtasks: subtasks, createdAt: ProviderTime.timestamp(e["created_on"]))
    }

    /// A `<subtask>`: its text is `<body>` in add/edit answers and `<name>` in lists and reads.
    static func subtask(_ e: XMLAnswer.Element, parent: RemoteRef) throws -> RemoteSubtask {
        guard let id = number(e, "id") else { throw ProviderError.malformed("a subtask of task \(parent) without id") }
        let text = (e["body"] ?? e["name"] ?? "").trimmingWhitespace()
        return RemoteSubtask(
            id: id, parentID: parent.key, fields: SubtaskFields(title: text, done: completed(e)), updatedAt: ProviderTime.timestamp(e["updated_on"]))
    }
}
