import Foundation
import GRDB
import TaskModel

/// What an operator asks of the engine (migration 0006): `tasksync resync`
/// and `tasksync conflicts restore` write only the request; the engine
/// acts on it at the start of the link's next cycle.
extension MirrorWriter {
    // MARK: resync

    /// Asks the link's next cycle to rebuild its state from the providers
    /// (see ``LinkMirrorState/forgetWhatWasRead()``). A request already
    /// waiting keeps its time.
    public func requestResync(link: String, at: String) throws {
        try db.execute(
            sql: """
                INSERT INTO link_state (link, resync_requested_at) VALUES (?, ?)
                ON CONFLICT(link) DO UPDATE SET resync_requested_at = COALESCE(resync_requested_at, excluded.resync_requested_at)
                """,
            arguments: [link, at])
    }

    /// Clears the request the cycle acted on; a newer one (asked during the cycle) stays.
    public func clearResync(link: String, requestedAt: String) throws {
        try db.execute(
            sql: "UPDATE link_state SET resync_requested_at = NULL WHERE link = ? AND resync_requested_at = ?", arguments: [link, requestedAt])
    }

    // MARK: conflicts and their restore

    static func conflict(_ db: Database, id: Int64) throws -> ConflictRecord? {
        try Row.fetchOne(db, sql: "SELECT \(ConflictRecord.columns) FROM conflicts WHERE id = ?", arguments: [id]).map(ConflictRecord.init(row:))
    }

    public func conflict(id: Int64) throws -> ConflictRecord? { try Self.conflict(db, id: id) }

    static func entity(_ db: Database, id: Int64) throws -> EntityRecord? {
        try Row.fetchOne(db, sql: "SELECT id, link, kind, parent_id, canonical, canonical_digest, state FROM entities WHERE id = ?", arguments: [id])
            .map {
                EntityRecord(
                    id: $0[0], link: $0[1], kind: EntityKind(rawValue: $0[2]) ?? .task, parentID: $0[3], canonical: $0[4],
                    canonicalDigest: $0[5] ?? 0, state: EntityState(rawValue: $0[6]) ?? .active)
            }
    }

    /// One entity with its canonical value, or nil.
    public func entity(id: Int64) throws -> EntityRecord? { try Self.entity(db, id: id) }

    /// Asks the next cycle of the conflict's link to put its losing value
    /// back. False when the conflict was already asked, restored or refused
    /// (a conflict is restored once).
    public func requestRestore(conflict id: Int64, at: String) throws -> Bool {
        try db.execute(
            sql: """
                UPDATE conflicts SET restore_requested_at = ?
                WHERE id = ? AND restore_requested_at IS NULL AND restored_at IS NULL AND restore_refused IS NULL
                """, arguments: [at, id])
        return db.changesCount == 1
    }

    /// The link's restores asked and not yet done or refused, oldest first.
    public func pendingRestores(link: String) throws -> [ConflictRecord] {
        try Self.pendingRestores(db, link: link)
    }

    static func pendingRestores(_ db: Database, link: String) throws -> [ConflictRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(ConflictRecord.columns) FROM conflicts
                WHERE link = ? AND restore_requested_at IS NOT NULL AND restored_at IS NULL AND restore_refused IS NULL ORDER BY id
                """, arguments: [link]
        ).map(ConflictRecord.init(row:))
    }

    public func markRestored(conflict id: Int64, cycle: Int64) throws {
        try db.execute(sql: "UPDATE conflicts SET restored_at = ?, restored_cycle = ? WHERE id = ?", arguments: [Self.now(), cycle, id])
    }

    public func refuseRestore(conflict id: Int64, reason: String) throws {
        try db.execute(sql: "UPDATE conflicts SET restore_refused = ? WHERE id = ?", arguments: [reason, id])
    }
}

extension Mirror {
    /// The link's restores asked and not yet done or refused, oldest first.
    public func pendingRestores(link: String) throws -> [ConflictRecord] {
        try writer.read { db in try MirrorWriter.pendingRestores(db, link: link) }
    }
}

extension ConflictRecord {
    static let columns = """
        id, cycle_id, at, link, entity_id, field, winner_provider, winner_value, loser_provider, loser_value,
        winner_json, loser_json, restore_requested_at, restored_at, restored_cycle, restore_refused
        """

    init(row: Row) {
        self.init(
            id: row[0], cycleID: row[1], at: row[2], link: row[3], entityID: row[4], field: row[5], winnerProvider: row[6],
            winnerValue: row[7], loserProvider: row[8], loserValue: row[9], winnerJSON: row[10], loserJSON: row[11],
            restoreRequestedAt: row[12], restoredAt: row[13], restoredCycle: row[14], restoreRefused: row[15])
    }
}
