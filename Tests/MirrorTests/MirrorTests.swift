import Foundation
import GRDB
import Testing

@testable import Mirror

@Suite("The mirror: WAL, numbered migrations, newer schema refused (rule 10)")
struct MirrorTests {
    func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mirror-\(UUID().uuidString)/m.sqlite").path
    }

    @Test("a new mirror is in WAL mode at the newest schema")
    func wal() throws {
        let m = try Mirror(path: tempPath())
        #expect(try m.journalMode() == "wal")
        #expect(try m.schemaVersionOnDisk() == Mirror.schemaVersion)
        #expect(Mirror.schemaVersion >= 1)
    }

    @Test("a database newer than this binary is refused with a clear message and left alone")
    func newerRefused() throws {
        let path = tempPath()
        _ = try Mirror(path: path)
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { try $0.execute(sql: "PRAGMA user_version = 999") }
        try q.close()
        #expect {
            _ = try Mirror(path: path)
        } throws: { error in
            "\(error)".contains("schema version 999, newer than this tasksync knows")
        }
    }

    @Test("opened without migrating (beside the lock's holder): only an existing mirror at this schema; one of another version is left alone")
    func withoutMigrating() throws {
        let path = tempPath()
        #expect(throws: MirrorError.notMigrated(path: path, found: 0, expected: Mirror.schemaVersion)) { _ = try Mirror(path: path, migrate: false) }
        #expect(!FileManager.default.fileExists(atPath: path))
        _ = try Mirror(path: path)
        let m = try Mirror(path: path, migrate: false)
        try m.write { try $0.requestResync(link: "a", at: "2026-11-20T10:00:00.000Z") }
        #expect(try m.linkStates().first?.resyncRequestedAt == "2026-11-20T10:00:00.000Z")
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { try $0.execute(sql: "PRAGMA user_version = 4") }
        try q.close()
        #expect {
            _ = try Mirror(path: path, migrate: false)
        } throws: { error in
            "\(error)".contains("schema version 4 and this tasksync writes version \(Mirror.schemaVersion)")
        }
        #expect(try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 4)
    }

    @Test("a conflict's restore is asked once: a second ask, or one after it was done or refused, changes nothing")
    func restoreAskedOnce() throws {
        let m = try Mirror(path: tempPath())
        try m.write { w in
            for field in ["title", "tags"] {
                try w.conflict(
                    cycle: 1, link: "a", entity: 1, field: field, winner: "x", winnerValue: "\"B\"", loser: "y", loserValue: "\"A\"",
                    winnerJSON: "\"B\"", loserJSON: "\"A\"")
            }
        }
        #expect(try m.write { try $0.requestRestore(conflict: 1, at: "t1") })
        #expect(try m.write { try $0.requestRestore(conflict: 1, at: "t2") } == false)
        #expect(try m.pendingRestores(link: "a").map(\.id) == [1])
        try m.write { try $0.markRestored(conflict: 1, cycle: 7) }
        try m.write { try $0.refuseRestore(conflict: 2, reason: "gone") }
        #expect(try m.pendingRestores(link: "a").isEmpty)
        #expect(try m.write { try $0.requestRestore(conflict: 2, at: "t3") } == false)
        let rows = try m.conflicts()
        #expect(rows.map(\.restoreState) == ["restored", "refused"])
        #expect(rows[0].restoredCycle == 7 && rows[0].restoreRequestedAt == "t1" && rows[0].loserJSON == "\"A\"")
    }

    @Test("a failing migration rolls back whole")
    func migrationAtomic() throws {
        let q = try DatabaseQueue()
        let bad = [
            Migration(version: 1, name: "0001_ok", sql: "CREATE TABLE a (x);"),
            Migration(version: 2, name: "0002_bad", sql: "CREATE TABLE b (y); SELECT * FROM nowhere;"),
        ]
        #expect(throws: MirrorError.self) { try Migrator.migrate(q, path: ":memory:", migrations: bad) }
        #expect(try q.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 1)
        #expect(try q.read { try $0.tableExists("b") } == false)
    }

    @Test("migrations come from migrations/*.sql, numbered in order")
    func embedded() {
        #expect(embeddedMigrations.map(\.version) == embeddedMigrations.map(\.version).sorted())
        #expect(embeddedMigrations.first?.name == "0001_initial")
    }
}
