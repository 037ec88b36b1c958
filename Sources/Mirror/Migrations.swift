import GRDB

/// One numbered file of `migrations/`, embedded at build time.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String
}

public enum MirrorError: Error, CustomStringConvertible, Equatable {
    case newerSchema(path: String, found: Int, supported: Int)
    case migrationFailed(name: String, message: String)
    /// Opened without migrating (beside the lock's holder) and not at this tasksync's schema.
    case notMigrated(path: String, found: Int, expected: Int)

    public var description: String {
        switch self {
        case .newerSchema(let path, let found, let supported):
            "\(path): the mirror has schema version \(found), newer than this tasksync knows (\(supported)). "
                + "Upgrade tasksync, or point it at another mirror; the file was left as it is."
        case .migrationFailed(let name, let message):
            "migration \(name) failed and was rolled back: \(message)"
        case .notMigrated(let path, let found, let expected):
            found == 0
                ? "\(path): no mirror there yet"
                : "\(path): the mirror has schema version \(found) and this tasksync writes version \(expected); the process "
                    + "holding its lock runs another tasksync version. Restart it (systemctl restart tasksync) and try again."
        }
    }
}

enum Migrator {
    static var latestVersion: Int { embeddedMigrations.map(\.version).max() ?? 0 }

    /// Applies every migration newer than the database's `user_version`, in
    /// order, each in its own transaction together with its version bump.
    static func migrate(_ writer: any DatabaseWriter, path: String, migrations: [Migration] = embeddedMigrations) throws {
        try writer.writeWithoutTransaction { db in
            let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            let latest = migrations.map(\.version).max() ?? 0
            if current > latest { throw MirrorError.newerSchema(path: path, found: current, supported: latest) }
            for migration in migrations.sorted(by: { $0.version < $1.version }) where migration.version > current {
                do {
                    try db.inTransaction {
                        try db.execute(sql: migration.sql)
                        try db.execute(sql: "PRAGMA user_version = \(migration.version)")
                        return .commit
                    }
                } catch {
                    throw MirrorError.migrationFailed(name: migration.name, message: "\(error)")
                }
            }
        }
    }
}
