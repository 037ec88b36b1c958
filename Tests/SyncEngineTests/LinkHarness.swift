import FakesWire
import Foundation
import HTTPTransport
import Logging
import Mirror
import ProviderCatalog
import ProviderFakes
import ProviderKit
import SyncConfig
import SyncEngine

/// A fake of any kind, as a member of a link of two to five.
enum FakeMember: Sendable {
    case helpspace(FakeHelpSpace)
    case productive(FakeProductive)
    case proofhub(FakeProofHub)
    case growcrm(FakeGrowCRM)
    case activecollab(FakeActiveCollab)

    var token: String {
        switch self {
        case .helpspace(let f): f.token
        case .productive(let f): f.token
        case .proofhub(let f): f.token
        case .growcrm(let f): f.token
        case .activecollab(let f): f.token
        }
    }

    func start() async throws -> String {
        switch self {
        case .helpspace(let f): try await f.start()
        case .productive(let f): try await f.start()
        case .proofhub(let f): try await f.start()
        case .growcrm(let f): try await f.start()
        case .activecollab(let f): try await f.start()
        }
    }

    func stop() async {
        switch self {
        case .helpspace(let f): await f.stop()
        case .productive(let f): await f.stop()
        case .proofhub(let f): await f.stop()
        case .growcrm(let f): await f.stop()
        case .activecollab(let f): await f.stop()
        }
    }

    func inject(_ fault: Fault, times: Int = 1, method: String? = nil) async {
        switch self {
        case .helpspace(let f): await f.inject(fault, times: times, method: method)
        case .productive(let f): await f.inject(fault, times: times, method: method)
        case .proofhub(let f): await f.inject(fault, times: times, method: method)
        case .growcrm(let f): await f.inject(fault, times: times, method: method)
        case .activecollab(let f): await f.inject(fault, times: times, method: method)
        }
    }

    var kind: String {
        switch self {
        case .helpspace: "helpspace"
        case .productive: "productive"
        case .proofhub: "proofhub"
        case .growcrm: "growcrm"
        case .activecollab: "activecollab"
        }
    }

    /// Requests served so far.
    func ledger() async -> RequestLedger {
        switch self {
        case .helpspace(let f): await f.ledger
        case .productive(let f): await f.ledger
        case .proofhub(let f): await f.ledger
        case .growcrm(let f): await f.ledger
        case .activecollab(let f): await f.ledger
        }
    }

    func resetLedger() async {
        switch self {
        case .helpspace(let f): await f.resetLedger()
        case .productive(let f): await f.resetLedger()
        case .proofhub(let f): await f.resetLedger()
        case .growcrm(let f): await f.resetLedger()
        case .activecollab(let f): await f.resetLedger()
        }
    }

    /// Titles of the top-level tasks this member holds now.
    func titles() async -> [String] {
        switch self {
        case .helpspace(let f): await f.liveTasks().map(\.title).sorted()
        case .productive(let f): await f.liveTasks().filter { $0.parentID == nil }.map(\.title).sorted()
        case .proofhub(let f): await f.allTasks().map(\.title).sorted()
        case .growcrm(let f): await f.allTasks().filter { !$0.archived }.map(\.title).sorted()
        case .activecollab(let f): await f.allTasks().filter { !$0.archived }.map(\.name).sorted()
        }
    }
}

/// Fakes of several kinds on 127.0.0.1, one link over all of them in the
/// order given (the first wins exact ties), a mirror in a fresh folder.
final class LinkHarness: @unchecked Sendable {
    let clock: FakeClock
    let members: [(name: String, fake: FakeMember)]
    let dir: String
    let config: SyncConfiguration

    init(_ members: [(String, @Sendable (FakeClock) -> FakeMember)], onDelete: String = "archive", syncOptions: String = "") async throws {
        clock = FakeClock()
        let clock = self.clock
        self.members = members.map { ($0.0, $0.1(clock)) }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-link-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var urls: [String] = []
        for (name, fake) in self.members {
            urls.append(try await fake.start())
            try fake.token.write(toFile: "\(dir)/\(name).token", atomically: true, encoding: .utf8)
        }
        let text = FakeLinkConfig.toml(
            dir: dir, members: zip(self.members, urls).map { ($0.0.fake.kind, $0.0.name, $0.1) }, link: "all",
            linkOptions: "on_delete = \"\(onDelete)\"\nmax_delete_share = 0.5", syncOptions: "cursor_overlap = 2\n" + syncOptions)
        config = try ConfigLoader.parse(text, source: dir + "/tasksync.toml")
    }

    subscript(_ name: String) -> FakeMember { members.first { $0.name == name }!.fake }

    func engine() throws -> SyncEngine {
        let transport = CurlTransport()
        let providers = try config.providers.map { try ProviderFactory.make($0, catalog: ProviderCatalog.all, transport: transport) }
        return SyncEngine(config: config, mirror: try Mirror(path: config.sync.mirrorPath), providers: providers, logger: Logger(label: "test"))
    }

    @discardableResult
    func cycle() async throws -> CycleReport { try await engine().runCycle() }

    func mirror() throws -> Mirror { try Mirror(path: config.sync.mirrorPath) }

    func stop() async {
        for m in members { await m.fake.stop() }
        try? FileManager.default.removeItem(atPath: dir)
    }
}

func withLink(
    _ members: [(String, @Sendable (FakeClock) -> FakeMember)], onDelete: String = "archive", syncOptions: String = "",
    _ body: (LinkHarness) async throws -> Void
) async throws {
    let h = try await LinkHarness(members, onDelete: onDelete, syncOptions: syncOptions)
    do {
        try await body(h)
    } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}

/// Member makers, for `withLink`.
let helpspace: @Sendable (FakeClock) -> FakeMember = { .helpspace(FakeHelpSpace(clock: $0)) }
let productive: @Sendable (FakeClock) -> FakeMember = { .productive(FakeProductive(clock: $0)) }
let proofhub: @Sendable (FakeClock) -> FakeMember = { .proofhub(FakeProofHub(clock: $0)) }
let growcrm: @Sendable (FakeClock) -> FakeMember = { .growcrm(FakeGrowCRM(clock: $0)) }
let activecollab: @Sendable (FakeClock) -> FakeMember = { .activecollab(FakeActiveCollab(clock: $0)) }
