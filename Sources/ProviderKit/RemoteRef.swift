import Foundation

/// How an adapter addresses one remote item. Most providers need one id;
/// some need more (ActiveCollab addresses a task by `task_id` within its
/// project, and also gives it an `id`). The mirror stores a reference as
/// its ``key``, one string; an adapter builds and reads the parts.
///
/// A key of one part is the id itself, so the ids stored before the kit
/// existed are valid references. Parts are joined with `/`; a `/` or `%`
/// inside a part is percent-encoded, so any part round-trips.
public struct RemoteRef: Hashable, Sendable, CustomStringConvertible {
    /// The parts, first the one the provider shows as the item's id.
    public let parts: [String]

    public init(_ parts: String...) { self.init(parts: parts) }

    public init(parts: [String]) {
        precondition(!parts.isEmpty, "a remote reference has at least one part")
        self.parts = parts
    }

    /// Reads a reference back from its ``key``.
    public init(key: String) {
        parts = key.split(separator: "/", omittingEmptySubsequences: false).map { Self.decode(String($0)) }
    }

    /// The first part: the id the provider shows.
    public var id: String { parts[0] }

    /// The one string the mirror stores (`RemoteTask.id`, mappings).
    public var key: String { parts.map(Self.encode).joined(separator: "/") }

    public var description: String { key }

    static func encode(_ part: String) -> String {
        guard part.contains(where: { $0 == "/" || $0 == "%" }) else { return part }
        return part.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
    }

    static func decode(_ part: String) -> String {
        guard part.contains("%") else { return part }
        return part.replacingOccurrences(of: "%2F", with: "/").replacingOccurrences(of: "%25", with: "%")
    }
}
