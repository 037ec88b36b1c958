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
