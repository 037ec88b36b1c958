import Foundation
import GRDB
import TaskModel

/// The writes the engine makes, all inside the transaction of ``Mirror/write(_:)``.
public struct MirrorWriter {
    let db: Database

    public static func now() -> String { Timestamp(secondsSince1970: Date().timeIntervalSince1970).description }

    // MARK: cycles

    public func beginCycle() throws -> Int64 {
        try db.execute(sql: "INSERT INTO cycles (started_at) VALUES (?)", arguments: [Self.now()])
        return db.lastInsertedRowID
    }

    /// Ends a cycle and, in the same transaction, deletes the journal
    /// entries older than `journalRetentionDays` (0 keeps them all).
    public func finishCycle(_ id: Int64, outcome: String, journalRetentionDays: Int = 0) throws {
        try db.execute(
            sql: "UPDATE cycles SET finished_at = ?, outcome = ? WHERE id = ?", arguments: [Self.now(), outcome, id])
        try pruneJournal(olderThanDays: journalRetentionDays)
    }

    /// Deletes journal entries older than `days` days before `now` (0: keeps
    /// them all). Only the journal: conflicts, the outbox and everything the
    /// engine reads stay. Compared as times (julianday), not as text.
    @discardableResult
    public func pruneJournal(olderThanDays days: Int, now: Date = Date()) throws -> Int {
        guard days > 0 else { return 0 }
        let cutoff = Timestamp(secondsSince1970: now.timeIntervalSince1970 - Double(days) * 86400).description
        try db.execute(sql: "DELETE FROM journal WHERE julianday(at) < julianday(?)", arguments: [cutoff])
        return db.changesCount
    }

    // MARK: entities and mappings

    public func insertEntity(link: String, kind: EntityKind, parentID: Int64?, canonical: String, cycle: Int64?) throws
        -> Int64
    {
        try db.execute(
            sql: """
                INSERT INTO entities (link, kind, parent_id, canonical, canonical_digest, created_cycle, updated_cycle)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [link, kind.rawValue, parentID, canonical, Digest.of(canonical), cycle, cycle])
        return db.lastInsertedRowID
    }

    public func updateEntity(_ id: Int64, canonical: String, cycle: Int64?) throws {
        try db.execute(
            sql: "UPDATE entities SET canonical = ?, canonical_digest = ?, updated_cycle = ? WHERE id = ?",
            arguments: [canonical, Digest.of(canonical), cycle, id])
    }

    public func setEntityState(_ id: Int64, _ state: EntityState, cycle: Int64?) throws {
        try db.execute(
            sql: "UPDATE entities SET state = ?, updated_cycle = ? WHERE id = ? OR parent_id = ?",
            arguments: [state.rawValue, cycle, id, id])
    }

    /// Inserts or replaces the mapping of (provider, remote id).
    public func putMapping(_ m: MappingRecord) throws {
        try db.execute(
            sql: """
                INSERT INTO mappings (entity_id, provider, remote_id, parent_remote_id, shadow, remote_updated_at, shadow_digest, synced, stuck)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (provider, remote_id) DO UPDATE SET
                  entity_id = excluded.entity_id, parent_remote_id = excluded.parent_remote_id,
                  shadow = excluded.shadow, remote_updated_at = excluded.remote_updated_at,
                  shadow_digest = excluded.shadow_digest, synced = excluded.synced, stuck = excluded.stuck
                """,
            arguments: [m.entityID, m.provider, m.remoteID, m.parentRemoteID, m.shadow, m.remoteUpdatedAt, m.shadowDigest, m.synced, m.stuck])
    }

    // MARK: journal, conflicts

    public func journal(
        cycle: Int64?, link: String?, provider: String?, entity: Int64?, kind: String, field: String? = nil,
        old: String? = nil, new: String? = nil, detail: String? = nil
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO journal (cycle_id, at, link, provider, entity_id, kind, field, old_value, new_value, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [cycle, Self.now(), link, provider, entity, kind, field, old, new, detail])
    }

    /// Records a conflict: the values as printed (`winnerValue`, for people)
    /// and, when given, as JSON (`winnerJSON`: what `conflicts restore` puts back).
    public func conflict(
        cycle: Int64?, link: String, entity: Int64, field: String, winner: String, winnerValue: String, loser: String,
        loserValue: String, winnerJSON: String? = nil, loserJSON: String? = nil
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO conflicts (cycle_id, at, link, entity_id, field, winner_provider, winner_value,
                                       loser_provider, loser_value, winner_json, loser_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [cycle, Self.now(), link, entity, field, winner, winnerValue, loser, loserValue, winnerJSON, loserJSON])
    }

    // MARK: outbox

    /// Records a remote write before it is sent (rule 4).
    public func enqueue(cycle: Int64?, link: String, provider: String, entity: Int64, operation: String, payload: String)
        throws -> Int64
    {
        try db.execute(
            sql: """
                INSERT INTO outbox (cycle_id, link, provider, entity_id, operation, payload, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [cycle, link, provider, entity, operation, payload, Self.now()])
        return db.lastInsertedRowID
    }

    public func finishOutbox(_ id: Int64, state: String, remoteID: String? = nil, error: String? = nil) throws {
        try db.execute(
            sql: "UPDATE outbox SET state = ?, remote_id = ?, error = ?, finished_at = ? WHERE id = ?",
            arguments: [state, remoteID, error, Self.now(), id])
    }

    /// Marks a row as sent (or next to be sent): from now on its outcome may be unknown.
    public func markSent(_ id: Int64) throws {
        try db.execute(sql: "UPDATE outbox SET sent_at = ? WHERE id = ?", arguments: [Self.now(), id])
    }

    /// Keeps a row pending (its outcome is unknown) and notes why.
    public func noteOutboxError(_ id: Int64, error: String) throws {
        try db.execute(sql: "UPDATE outbox SET error = ? WHERE id = ?", arguments: [error, id])
    }

    // MARK: provider and link state

    static func providerState(_ db: Database, _ provider: String) throws -> ProviderStateRecord? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT cursor, last_full_listing_at, last_cycle_id, last_success_at, last_error, last_error_at,
                           backoff_until, task_count FROM provider_state WHERE provider = ?
                    """, arguments: [provider])
        else { return nil }
        var s = ProviderStateRecord(provider: provider)
        s.cursor = row[0]
        s.lastFullListingAt = row[1]
        s.lastCycleID = row[2]
        s.lastSuccessAt = row[3]
        s.lastError = row[4]
        s.lastErrorAt = row[5]
        s.backoffUntil = row[6]
        s.taskCount = row[7]
        return s
    }

    public func providerState(_ provider: String) throws -> ProviderStateRecord? {
        try Self.providerState(db, provider)
    }

    public func putProviderState(_ s: ProviderStateRecord) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO provider_state (provider, cursor, last_full_listing_at, last_cycle_id,
                  last_success_at, last_error, last_error_at, backoff_until, task_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                s.provider, s.cursor, s.lastFullListingAt, s.lastCycleID, s.lastSuccessAt, s.lastError, s.lastErrorAt,
                s.backoffUntil, s.taskCount,
            ])
    }

    static func linkState(_ db: Database, _ link: String) throws -> LinkStateRecord? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT last_cycle_id, last_outcome, stopped_reason, paused_at, paused_reason, last_success_at, last_error, last_error_at,
                    resync_requested_at
                FROM link_state WHERE link = ?
                """, arguments: [link]
        ).map { row in
            var s = LinkStateRecord(
                link: link, lastCycleID: row[0], lastOutcome: row[1], stoppedReason: row[2], pausedAt: row[3], pausedReason: row[4])
            s.lastSuccessAt = row[5]
            s.lastError = row[6]
            s.lastErrorAt = row[7]
            s.resyncRequestedAt = row[8]
            return s
        }
    }

    public func linkState(_ link: String) throws -> LinkStateRecord? {
        try Self.linkState(db, link)
    }

    /// A cycle's outcome for a link, with its last success and last error as
    /// given; its pause (``setPause(link:at:reason:)``) stays as it is.
    public func putLinkState(_ s: LinkStateRecord) throws {
        try db.execute(
            sql: """
                INSERT INTO link_state (link, last_cycle_id, last_outcome, stopped_reason, last_success_at, last_error, last_error_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(link) DO UPDATE SET last_cycle_id = excluded.last_cycle_id, last_outcome = excluded.last_outcome,
                    stopped_reason = excluded.stopped_reason, last_success_at = excluded.last_success_at,
                    last_error = excluded.last_error, last_error_at = excluded.last_error_at
                """,
            arguments: [s.link, s.lastCycleID, s.lastOutcome, s.stoppedReason, s.lastSuccessAt, s.lastError, s.lastErrorAt])
    }

    /// Pauses a link (`at` set) or resumes it (`at` nil), leaving its last outcome as it is.
    public func setPause(link: String, at: String?, reason: String?) throws {
        try db.execute(
            sql: """
                INSERT INTO link_state (link, paused_at, paused_reason) VALUES (?, ?, ?)
                ON CONFLICT(link) DO UPDATE SET paused_at = excluded.paused_at, paused_reason = excluded.paused_reason
                """,
            arguments: [link, at, reason])
    }
}
