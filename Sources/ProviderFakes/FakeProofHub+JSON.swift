import Foundation

/// The answers' JSON, field for field as the document's examples have it.
/// Ids are `Int64` values, which ``FakeJSON`` writes as exact integers.
extension FakeProofHub {
    static func orNull(_ value: (any Sendable)?) -> Any { value.map { $0 as Any } ?? NSNull() }

    /// "Get task" for a task (`sub_tasks` as ``Options/subTasksField`` says);
    /// "Get subtask" for a subtask (no `ticket`, `sub_tasks`, `rrule`, `form_task`, `timesheet_id`, `user_stages`,
    /// `workflow`, `stage`, `custom_fields`). Completed ones add
    /// `completed_at` and `completed_by` (the subtask example; NOTES.md).
    func json(_ t: Task) -> [String: Any] {
        let list = todolists[t.todolistID]
        let project = projects[t.projectID]
        var o: [String: Any] = [
            "id": t.id, "title": t.title, "description": Self.orNull(t.description),
            "start_date": Self.orNull(t.startDate), "due_date": Self.orNull(t.dueDate),
            "estimated_hours": Self.orNull(t.estimatedHours), "estimated_mins": Self.orNull(t.estimatedMins),
            "logged_hours": NSNull(), "logged_mins": NSNull(),
            "updated_at": FakeTime.iso(t.updatedAt), "created_at": FakeTime.iso(t.createdAt),
            "completed": t.completed, "assigned": t.assigned, "labels": t.labelIDs,
            "task_history": NSNull(), "percent_progress": t.completed ? 100 : 0, "attachments": [Any](),
            "comments": comments.values.filter { $0.taskID == t.id }.count,
            "by_me": t.creatorID == userID, "template": false,
            "project": ["id": t.projectID, "name": project?.name ?? ""] as [String: Any],
            "creator": ["id": t.creatorID],
            "list": ["id": t.todolistID, "name": list?.name ?? ""] as [String: Any],
        ]
        if t.completed {
            o["completed_at"] = t.completedAt.map { FakeTime.iso($0) } ?? NSNull()
            o["completed_by"] = Self.orNull(t.completedBy)
        }
        guard t.parentID == nil else { return o }
        o["ticket"] = t.ticket
        switch options.subTasksField {
        case .count: o["sub_tasks"] = tasks.values.filter { $0.parentID == t.id }.count
        case .alwaysZero: o["sub_tasks"] = 0
        case .absent: break
        }
        o["rrule"] = NSNull()
        o["form_task"] = false
        o["timesheet_id"] = NSNull()
        o["user_stages"] = [Any]()
        let workflow = list?.workflow
        o["workflow"] = workflow.map { ["id": $0.id, "name": $0.name] as [String: Any] } ?? NSNull()
        let stage = workflow?.stages.first { $0.id == t.stageID }
        o["stage"] = stage.map { ["id": $0.id, "name": $0.name] as [String: Any] } ?? NSNull()
        o["custom_fields"] = customFields.keys.sorted().map { id in
            let f = customFields[id]!
            var entry: [String: Any] = ["id": f.id, "title": f.title, "description": "", "type": f.type]
            if let extra = f.extraInfo { entry["extra_info"] = extra }
            switch t.customValues[id] {
            case .text(let s): entry["value"] = s
            case .list(let l): entry["value"] = l
            case nil: entry["value"] = ""
            }
            return entry
        }
        return o
    }

    /// "Get comment": no `updated_at` (NOTES.md). `comments_count` is the
    /// number of comments on the task (both examples: 2 on a task with 2).
    func json(_ c: Comment) -> [String: Any] {
        let task = tasks[c.taskID]
        return [
            "id": c.id, "description": c.description, "created_at": FakeTime.iso(c.createdAt), "by_me": c.creatorID == userID,
            "comments_count": comments.values.filter { $0.taskID == c.taskID }.count,
            "list": ["id": task?.todolistID ?? 0], "project": ["id": task?.projectID ?? 0], "creator": ["id": c.creatorID],
            "task": ["id": c.taskID],
        ]
    }

    /// "Get label".
    func json(_ l: Label) -> [String: Any] { ["id": l.id, "name": l.name, "color": l.color] }
}
