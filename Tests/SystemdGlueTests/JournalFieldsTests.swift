import Logging
import SystemdGlue
import Testing

@Suite("journald fields")
struct JournalFieldsTests {
    func fields(_ metadata: Logger.Metadata, level: Logger.Level = .info) -> [String: String] {
        Dictionary(
            JournalLogHandler.fields(
                level: level, message: "pushed", metadata: metadata, identifier: "tasksync", file: "f.swift", function: "f()",
                line: 7),
            uniquingKeysWith: { a, _ in a })
    }

    @Test("metadata becomes TASKSYNC_ fields with valid journald names")
    func names() {
        let f = fields(["provider": "productive", "link": "support-web", "entity": "12", "remote_id": "311", "cycle": "4", "weird key-ä": "x"])
        #expect(f["TASKSYNC_PROVIDER"] == "productive")
        #expect(f["TASKSYNC_LINK"] == "support-web")
        #expect(f["TASKSYNC_ENTITY"] == "12")
        #expect(f["TASKSYNC_REMOTE_ID"] == "311")
        #expect(f["TASKSYNC_CYCLE"] == "4")
        #expect(f["TASKSYNC_WEIRD_KEY"] == "x")
        for name in f.keys {
            #expect(name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }, "\(name)")
            #expect(name.first?.isLetter == true)
        }
        #expect(f["MESSAGE"] == "pushed")
        #expect(f["SYSLOG_IDENTIFIER"] == "tasksync")
    }

    @Test("priorities follow syslog", arguments: [(Logger.Level.error, "3"), (.warning, "4"), (.notice, "5"), (.info, "6"), (.debug, "7")])
    func priority(_ level: Logger.Level, _ expected: String) {
        #expect(fields([:], level: level)["PRIORITY"] == expected)
    }

    @Test("a value under a secret-looking key never reaches the journal")
    func secrets() {
        let f = fields(["token": "s3cret", "authorization": "Bearer s3cret", "api_key": "s3cret", "provider": "hs"])
        #expect(!f.values.contains { $0.contains("s3cret") })
        #expect(f["TASKSYNC_PROVIDER"] == "hs")
    }
}
