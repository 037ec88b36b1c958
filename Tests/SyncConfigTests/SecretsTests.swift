import Foundation
import ProviderCatalog
import Testing

@testable import SyncConfig

@Suite("Secrets: where credentials are read from")
struct SecretsTests {
    @Test("without $CREDENTIALS_DIRECTORY: /etc/tasksync/credentials, or credentials/NAME for /etc/tasksync/NAME.toml")
    func fallbackFolder() {
        #expect(Secrets.credentialsDirectory(environment: [:]) == ("/etc/tasksync/credentials", false))
        #expect(Secrets.credentialsDirectory(environment: ["CREDENTIALS_DIRECTORY": ""]) == ("/etc/tasksync/credentials", false))
        #expect(
            Secrets.credentialsDirectory(environment: [:], configPath: "/etc/tasksync/tasksync.toml") == ("/etc/tasksync/credentials", false))
        #expect(
            Secrets.credentialsDirectory(environment: [:], configPath: "/etc/tasksync/support.toml") == ("/etc/tasksync/credentials/support", false))
        #expect(Secrets.credentialsDirectory(environment: [:], configPath: "/home/me/x.toml") == ("/etc/tasksync/credentials", false))
        #expect(
            Secrets.credentialsDirectory(environment: ["CREDENTIALS_DIRECTORY": "/run/credentials/x"], configPath: "/etc/tasksync/support.toml")
                == ("/run/credentials/x", true))
    }

    @Test("a missing credential names the folder checked; a credential name cannot leave its folder")
    func messages() throws {
        let missing = #expect(throws: SecretError.self) { try Secrets.read(.credential("tasksync-no-such-token"), environment: [:]) }
        #expect(
            missing?.message
                == "credential 'tasksync-no-such-token': cannot read /etc/tasksync/credentials/tasksync-no-such-token ($CREDENTIALS_DIRECTORY is not set, so /etc/tasksync/credentials/ was checked)"
        )
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-secrets-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "s3cret\n".write(toFile: dir + "/t", atomically: true, encoding: .utf8)
        #expect(try Secrets.read(.credential("t"), environment: ["CREDENTIALS_DIRECTORY": dir]) == "s3cret")
        #expect(throws: SecretError.self) { try Secrets.read(.credential("../t"), environment: ["CREDENTIALS_DIRECTORY": dir + "/x"]) }
    }
}
