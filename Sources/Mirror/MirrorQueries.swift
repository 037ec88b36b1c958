import Foundation
import GRDB
import TaskModel

/// Read-only views for `tasksync status`, `journal`, `mappings`, `conflicts`.
extension Mirror {
    public func providerStates() throws -> [ProviderStateRecord] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT provider FROM provider_state ORDER BY provider").compactMap {
                try MirrorWriter.providerState(db, $0)
            }
        }
    }

    public func linkStates() throws -> [LinkStateRecord] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT link FROM link_state ORDER BY link").compactMap { try MirrorWriter.linkState(db, $0) }
        }
    }

    public struct CycleSummary: Sendable, Codable {
        public var id: Int64
        public var startedAt: String
        public var finishedAt: String?
        public var outcome: String?
    }

    public func lastCycle() throws -> CycleSummary? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT id, started_at, finished_at, outcome FROM cycles ORDER BY id DESC LIMIT 1")
                .map { CycleSummary(id: $0[0], startedAt: $0[1], finishedAt: $0[2], outcome: $0[3]) }
        }
    }

    /// Per provider, the tasks holding a value tasksync wrote and the
    /// provider did not keep (rule 13), with those fields.
    public func notKept() throws -> [String: [(entity: Int64, fields: [String])]] {
        try writer.read { db in
            var out: [String: [(Int64, [String])]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT provider, entity_id, stuck FROM mappings WHERE stuck IS NOT NULL ORDER BY entity_id") {
                let text: String = row[2]
                let fields = ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])?.keys.sorted() ?? []
                out[row[0], default: []].append((row[1], fields))
            }
            return out
        }
    }

    /// Per provider, the outbox rows still pending: writes recorded and not
    /// yet known to have landed (sent without an answer, or not sent).
    public func pendingOutbox() throws -> [String: Int] {
        try pendingOutbox(by: "provider")
    }

    /// Per link, the outbox rows still pending (as ``pendingOutbox()``).
    public func pendingOutboxByLink() throws -> [String: Int] {
        try pendingOutbox(by: "link")
    }

    private func pendingOutbox(by column: String) throws -> [String: Int] {
        try writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT \(column), COUNT(*) FROM outbox WHERE state = 'pending' GROUP BY \(column)") {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    public func entityCounts() throws -> [String: Int] {
        try writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT kind, COUNT(*) FROM entities WHERE state = 'active' GROUP BY kind")
            {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    /// The journal, newest last. `since`: entries at or after this instant
    /// (compared as times by SQLite's julianday, not as text).
    public func journal(entity: Int64? = nil, provider: String? = nil, since: Timestamp? = nil, limit: Int = 200) throws
        -> [JournalEntry]
    {
        try writer.read { db in
            var clauses: [String] = []
            var args: [any DatabaseValueConvertible] = []
            if let entity {
                clauses.append("(entity_id = ? OR entity_id IN (SELECT id FROM entities WHERE parent_id = ?))")
                args += [entity, entity]
            }
            if let provider {
                clauses.append("provider = ?")
                args.append(provider)
            }
            if let since {
                clauses.append("julianday(at) >= julianday(?)")
                args.append(since.description)
            }
            let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            args.append(limit)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (SELECT id, cycle_id, at, link, provider, entity_id, kind, field, old_value,
                      new_value, detail FROM journal \(whereSQL) ORDER BY id DESC LIMIT ?) ORDER BY id
                    """, arguments: StatementArguments(args))
            return rows.map {
                JournalEntry(
                    id: $0[0], cycleID: $0[1], at: $0[2], link: $0[3], provider: $0[4], entityID: $0[5], kind: $0[6],
                    field: $0[7], oldValue: $0[8], newValue: $0[9], detail: $0[10])
            }
        }
    }

    public func conflicts(limit: Int = 200) throws -> [ConflictRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(ConflictRecord.columns) FROM conflicts ORDER BY id DESC LIMIT ?", arguments: [limit])
                .reversed().map(ConflictRecord.init(row:))
        }
    }

    /// One conflict, or nil when the mirror has none with this id.
    public func conflict(id: Int64) throws -> ConflictRecord? {
        try writer.read { db in try MirrorWriter.conflict(db, id: id) }
    }

    /// The lowest and highest conflict ids (nil: none), for a message about one that is not there.
    public func conflictIDRange() throws -> ClosedRange<Int64>? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT MIN(id), MAX(id) FROM conflicts"), let low: Int64 = row[0], let high: Int64 = row[1]
            else { return nil }
            return low...high
        }
    }

    /// One entity with its canonical value, or nil.
    public func entity(id: Int64) throws -> EntityRecord? {
        try writer.read { db in try MirrorWriter.entity(db, id: id) }
    }

    /// The remote ids of an entity's copies, by provider.
    public func remoteIDs(entity: Int64) throws -> [String: String] {
        try writer.read { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT provider, remote_id FROM mappings WHERE entity_id = ?", arguments: [entity]) {
                out[row[0]] = row[1]
            }
            return out
        }
    }

    /// The link's outbox rows still pending: writes of an earlier cycle sent
    /// without an answer (`sent`), or recorded and never sent (`notSent`).
    public func pendingOutbox(link: String) throws -> (sent: Int, notSent: Int) {
        try writer.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT COUNT(sent_at), COUNT(*) - COUNT(sent_at) FROM outbox WHERE link = ? AND state = 'pending'", arguments: [link])
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    public struct MappingRow: Sendable, Codable {
        public var entityID: Int64
        public var link: String
        public var kind: String
        public var state: String
        public var title: String
        public var remotes: [String: String]
    }

    /// Which remote ids belong together, one row per entity.
    public func mappingRows(link: String? = nil) throws -> [MappingRow] {
        try writer.read { db in
            var rows: [Int64: MappingRow] = [:]
            var order: [Int64] = []
            let filter = link == nil ? "" : "WHERE e.link = ?"
            let args: StatementArguments = link.map { [$0] } ?? []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id, e.link, e.kind, e.state, e.canonical, m.provider, m.remote_id
                    FROM entities e LEFT JOIN mappings m ON m.entity_id = e.id \(filter) ORDER BY e.id, m.provider
                    """, arguments: args)
            {
                let id: Int64 = row[0]
                if rows[id] == nil {
                    order.append(id)
                    rows[id] = MappingRow(
                        entityID: id, link: row[1], kind: row[2], state: row[3], title: Self.title(ofCanonical: row[4]),
                        remotes: [:])
                }
                if let provider: String = row[5] { rows[id]?.remotes[provider] = row[6] }
            }
            return order.compactMap { rows[$0] }
        }
    }

    /// A task's or subtask's title, or the start of a comment's text.
    public static func title(ofCanonical json: String) -> String {
        struct Titled: Decodable {
            struct Body: Decodable { var body: String? }
            var title: String?
            var fields: Body?
        }
        let decoded = try? JSONDecoder().decode(Titled.self, from: Data(json.utf8))
        if let title = decoded?.title { return title }
        guard let body = decoded?.fields?.body else { return "" }
        // Comment text without its markup, for a one-line listing.
        var text = ""
        var inTag = false
        for c in body {
            if c == "<" { inTag = true } else if c == ">" { inTag = false; text.append(" ") } else if !inTag { text.append(c) }
        }
        return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
