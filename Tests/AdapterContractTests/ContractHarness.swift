import Foundation
import HTTPTransport
import Logging
import Mirror
import ProviderCatalog
import ProviderKit
import SyncConfig
import SyncEngine

/// Fakes of one kind, a config naming them (`a`, `b`, ...), adapters built
/// from it through the catalog, and a mirror in a fresh folder.
final class ContractHarness: Sendable {
    let subject: ContractSubject
    let fakes: [ContractFake]
    let dir: String
    let config: SyncConfiguration

    /// `count` fakes; with two or more, one link `main` over all of them,
    /// the subject's first two statuses mapped as "To do" and "Doing".
    init(_ subject: ContractSubject, count: Int = 1, paging: Bool = false) async throws {
        self.subject = subject
        var fakes: [ContractFake] = []
        for _ in 0..<count { fakes.append(try await subject.start()) }
        self.fakes = fakes
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-contract-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let names = Self.names(count)
        var text = "[sync]\nmirror = \"\(dir)/mirror.sqlite\"\ncursor_overlap = 2\n\n"
        for (name, fake) in zip(names, fakes) {
            try fake.token.write(toFile: "\(dir)/\(name).token", atomically: true, encoding: .utf8)
            text += """
                [[provider]]
                name = "\(name)"
                kind = "\(subject.kind)"
                base_url = "\(fake.url)"
                token_file = "\(dir)/\(name).token"
                \(fake.providerTOML)
                \(paging ? subject.pagingTOML : "")


                """
        }
        // One provider alone is not a link; a second, never built, stands in (on a URL of
        // its own: the same account and scope under two names is refused).
        let members = count >= 2 ? names : [names[0], "unused"]
        if count < 2 {
            text += """
                [[provider]]
                name = "unused"
                kind = "\(subject.kind)"
                base_url = "http://127.0.0.1:9/unused"
                token_file = "\(dir)/a.token"
                \(fakes[0].providerTOML)


                """
        }
        text += "[[link]]\nname = \"main\"\nmembers = [\(members.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        for (i, status) in ["To do", "Doing"].enumerated() {
            text += "\n[[link.status]]\nname = \"\(status)\"\n"
            for name in names { text += "\(name) = \"\(subject.statusIDs[i])\"\n" }
        }
        config = try ConfigLoader.parse(text, source: dir + "/tasksync.toml")
    }

    static func names(_ count: Int) -> [String] { (0..<count).map { String(UnicodeScalar(UInt8(97 + $0))) } }

    /// The adapter of the `index`th fake, as the daemon builds it.
    func provider(_ index: Int = 0) throws -> any TaskProvider {
        let name = Self.names(index + 1)[index]
        return try ProviderFactory.make(config.provider(named: name)!, catalog: ProviderCatalog.all, transport: CurlTransport())
    }

    func engine() throws -> SyncEngine {
        let transport = CurlTransport()
        let providers = try config.providers.filter { $0.name != "unused" }.map {
            try ProviderFactory.make($0, catalog: ProviderCatalog.all, transport: transport)
        }
        return SyncEngine(
            config: config, mirror: try Mirror(path: config.sync.mirrorPath), providers: providers, logger: Logger(label: "contract"))
    }

    func stop() async {
        for fake in fakes { await fake.stop() }
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// Runs `body` with a harness and stops its fakes afterwards, also when it throws.
func withContract(
    _ subject: ContractSubject, count: Int = 1, paging: Bool = false, _ body: (ContractHarness) async throws -> Void
) async throws {
    let h = try await ContractHarness(subject, count: count, paging: paging)
    do {
        try await body(h)
    } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}
