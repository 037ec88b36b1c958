import ProviderCatalog
import SyncConfig
import Testing

@Suite("Config: journal_retention_days")
struct JournalRetentionConfigTests {
    let file = "/etc/tasksync/tasksync.toml"

    @Test("default 90 days; 0 keeps everything; a whole number of days as written")
    func parsed() throws {
        #expect(try ConfigLoader.parse(twoProviderConfig(), source: file).sync.journalRetentionDays == 90)
        #expect(try ConfigLoader.parse(twoProviderConfig(sync: "journal_retention_days = 0"), source: file).sync.journalRetentionDays == 0)
        #expect(try ConfigLoader.parse(twoProviderConfig(sync: "journal_retention_days = 7"), source: file).sync.journalRetentionDays == 7)
    }

    @Test("bad values are rejected with the file, the key and the line")
    func rejected() {
        #expect(
            configErrors(twoProviderConfig(sync: "journal_retention_days = -1"), source: file) == [
                "\(file): sync.journal_retention_days: must be between 0 and 36500 (line 2)"
            ])
        #expect(
            configErrors(twoProviderConfig(sync: "journal_retention_days = 1.5"), source: file).first?.hasPrefix(
                "\(file): sync.journal_retention_days: expected a whole number") == true)
        #expect(
            configErrors(twoProviderConfig(sync: "journal_retention_days = \"90d\""), source: file).first?.hasPrefix(
                "\(file): sync.journal_retention_days: expected a whole number, found \"90d\"") == true)
    }
}
