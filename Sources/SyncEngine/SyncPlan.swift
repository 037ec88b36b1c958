import ProviderKit

/// One line of a plan: what a cycle does (or, in a dry run, would do) to one
/// item on one provider, field by field, or why it leaves it alone.
public struct PlanItem: Codable, Equatable, Sendable {
    public enum Action: String, Codable, Sendable {
        case create, update, pair, adopt, delete, archive, skip, conflict, stop
        case createSubtask = "create-subtask"
        case updateSubtask = "update-subtask"
        case createComment = "create-comment"
        case gone
    }

    public struct Change: Codable, Equatable, Sendable {
        public var field: String
        public var old: FieldValue
        public var new: FieldValue
    }

    public var action: Action
    /// The provider the action is on.
    public var provider: String
    /// `#12` for a known entity, `new:PROVIDER:ID` for one this cycle adds.
    public var entity: String
    public var title: String
    public var remoteID: String?
    public var changes: [Change]
    public var reason: String?

    init(
        _ action: Action, provider: String, entity: String, title: String, remoteID: String? = nil,
        changes: [Change] = [], reason: String? = nil
    ) {
        self.action = action
        self.provider = provider
        self.entity = entity
        self.title = title
        self.remoteID = remoteID
        self.changes = changes
        self.reason = reason
    }
}

/// The plan of one link for one cycle.
public struct LinkPlan: Codable, Equatable, Sendable {
    public var link: String
    public var items: [PlanItem]
    /// Remarks on this cycle: items a member's listing could not give.
    /// (What never flows because a member lacks a capability is said once,
    /// by ``SyncEngine/capabilityNotes()``.)
    public var notes: [String]
    /// Providers that could not be read this cycle, and why.
    public var failures: [String: String]
    /// Set when the link stops this cycle (deletion guard).
    public var stopped: String?
    /// Set when an operator paused the link (`tasksync pause`): it was not read or written.
    public var paused: String? = nil
    /// Tasks new to the mirror left for the next cycle by `create_batch`
    /// (a first sync in batches); `run` and `sync` start that cycle at once.
    public var waiting: Int = 0

    public var writeCount: Int {
        items.filter { ![.skip, .conflict, .stop, .gone, .pair, .adopt].contains($0.action) }.count
    }
}

extension LinkPlan {
    /// The plan as text, one line per item, indented changes below.
    public func rendered() -> String {
        var lines = ["link \(link):"]
        for (provider, error) in failures.sorted(by: { $0.key < $1.key }) {
            lines.append("  ! \(provider) failed, its items wait: \(error)")
        }
        if let stopped { lines.append("  ! stopped: \(stopped)") }
        if let paused { lines.append("  \(paused)") }
        if items.isEmpty && stopped == nil && paused == nil {
            lines.append(failures.isEmpty ? "  in sync: nothing to do" : "  nothing to do on the providers that could be read")
        }
        for item in items {
            var line = "  \(item.action.rawValue) \(item.provider) \(item.entity)"
            if let r = item.remoteID { line += " (\(item.provider) #\(r))" }
            line += " \"\(item.title)\""
            if let reason = item.reason { line += ": \(reason)" }
            lines.append(line)
            for c in item.changes { lines.append("      \(c.field): \(c.old) -> \(c.new)") }
        }
        for note in notes { lines.append("  note: \(note)") }
        return lines.joined(separator: "\n")
    }
}
