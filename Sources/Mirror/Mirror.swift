import Foundation
import GRDB
import TaskModel

/// The local SQLite mirror (rule 10): WAL mode, one transaction per applied
/// batch, schema only from the numbered files in `migrations/`.
///
/// The engine reads a link's whole state with ``loadLink(_:providers:)`` and
/// writes through ``write(_:)``, whose closure runs in one transaction.
public final class Mirror: Sendable {
    let writer: any DatabaseWriter
    public let path: String

    /// Opens (creating if needed) the mirror at `path` and brings its schema
    /// up to date. `readOnly` opens a private in-memory copy instead, so a
    /// dry run can plan against the real state and leave the file untouched.
    ///
    /// `migrate: false` is for a process that writes without holding the
    /// mirror's lock (a request beside the running daemon): it opens only a
    /// mirror that exists and whose schema is this tasksync's, and migrates
    /// nothing (the lock holder may be migrating it).
    public init(path: String, readOnly: Bool = false, migrate: Bool = true) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        if readOnly {
            let memory = try DatabaseQueue(configuration: config)
            if FileManager.default.fileExists(atPath: path) {
                var sourceConfig = Configuration()
                sourceConfig.readonly = true
                let source = try DatabaseQueue(path: path, configuration: sourceConfig)
                try source.backup(to: memory)
                try source.close()
            }
            writer = memory
        } else {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            if !migrate && !FileManager.default.fileExists(atPath: path) {
                throw MirrorError.notMigrated(path: path, found: 0, expected: Migrator.latestVersion)
            }
            writer = try DatabasePool(path: path, configuration: config)
        }
        if migrate || readOnly {
            try Migrator.migrate(writer, path: path)
        } else {
            let found = try writer.read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? 0 }
            if found != Migrator.latestVersion { throw MirrorError.notMigrated(path: path, found: found, expected: Migrator.latestVersion) }
        }
    }

    public static var schemaVersion: Int { Migrator.latestVersion }

    public func schemaVersionOnDisk() throws -> Int {
        try writer.read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? 0 }
    }

    public func journalMode() throws -> String {
        try writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Runs `body` in one transaction: all of it lands, or none of it.
    public func write<T>(_ body: (MirrorWriter) throws -> T) throws -> T {
        try writer.write { db in try body(MirrorWriter(db: db)) }
    }

    /// Everything the mirror holds about one link. With `texts: false`,
    /// canonical values and shadows are left empty (their digests are
    /// there): a cycle loads them with ``loadTexts(into:entities:)`` only for
    /// the items something may have touched.
    public func loadLink(_ link: String, providers: [String], texts: Bool = true) throws -> LinkMirrorState {
        try writer.read { db in
            let entityCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entities WHERE link = ?", arguments: [link]) ?? 0
            var entities = EntityTable(minimumCapacity: entityCount)
            let canonicalColumn = texts ? "canonical" : "''"
            let rowsCursor = try Row.fetchCursor(
                db, sql: "SELECT id, kind, parent_id, \(canonicalColumn), canonical_digest, state FROM entities WHERE link = ?",
                arguments: [link])
            while let row = try rowsCursor.next() {
                let id: Int64 = row[0]
                entities[id] = EntityRecord(
                    id: id, link: link, kind: EntityKind(rawValue: row[1]) ?? .task, parentID: row[2],
                    canonical: row[3], canonicalDigest: row[4] ?? 0, state: EntityState(rawValue: row[5]) ?? .active)
            }
            // Sized up front: growing these one row at a time rehashes them over and over.
            var remoteIndex: [String: [String: Int64]] = [:]
            for provider in providers { remoteIndex[provider] = Dictionary(minimumCapacity: entities.count) }
            var byEntity: [Int64: EntityMappings] = Dictionary(minimumCapacity: entities.count)
            let mappingCursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT m.entity_id, m.provider, m.remote_id, m.parent_remote_id, \(texts ? "m.shadow" : "''"),
                           m.remote_updated_at, m.shadow_digest, m.synced, m.stuck
                    FROM mappings m JOIN entities e ON e.id = m.entity_id WHERE e.link = ?
                    """, arguments: [link])
            while let row = try mappingCursor.next() {
                let m = MappingRecord(
                    entityID: row[0], provider: row[1], remoteID: row[2], parentRemoteID: row[3], shadow: row[4],
                    remoteUpdatedAt: row[5], shadowDigest: row[6], synced: row[7], stuck: row[8])
                remoteIndex[m.provider, default: [:]][m.remoteID] = m.entityID
                byEntity[m.entityID, default: EntityMappings()][m.provider] = m
            }
            let outbox = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, provider, entity_id, operation, payload, state, created_at, sent_at FROM outbox
                    WHERE link = ? AND state = 'pending' ORDER BY id
                    """, arguments: [link]
            ).map {
                OutboxRecord(
                    id: $0[0], link: link, provider: $0[1], entityID: $0[2], operation: $0[3], payload: $0[4],
                    state: $0[5], createdAt: $0[6], sentAt: $0[7])
            }
            var states: [String: ProviderStateRecord] = [:]
            for provider in providers {
                states[provider] = try MirrorWriter.providerState(db, provider) ?? ProviderStateRecord(provider: provider)
            }
            return LinkMirrorState(
                entities: entities, remoteIndex: remoteIndex, mappingsByEntity: byEntity, pendingOutbox: outbox,
                providerStates: states)
        }
    }

    /// Fills in the canonical values and shadows of these entities (and
    /// nothing else) in a state loaded with `texts: false`.
    public func loadTexts(into state: inout LinkMirrorState, entities ids: Set<Int64>) throws {
        guard !ids.isEmpty else { return }
        try writer.read { db in
            for chunk in Array(ids).chunked(500) {
                let list = chunk.map(String.init).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT id, canonical FROM entities WHERE id IN (\(list))") {
                    let id: Int64 = row[0]
                    state.entities[id]?.canonical = row[1]
                }
                for row in try Row.fetchAll(db, sql: "SELECT entity_id, provider, shadow FROM mappings WHERE entity_id IN (\(list))") {
                    let id: Int64 = row[0]
                    let provider: String = row[1]
                    let shadow: String = row[2]
                    state.mappingsByEntity[id]?[provider]?.shadow = shadow
                }
            }
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
