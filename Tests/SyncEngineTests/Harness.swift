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

/// Two fakes (HelpSpace and Productive) on 127.0.0.1, a config linking
/// them, a mirror file in a fresh folder: the whole product over real HTTP.
final class Harness: @unchecked Sendable {
    let clock: FakeClock
    let hs: FakeHelpSpace
    let pr: FakeProductive
    let dir: String
    let config: SyncConfiguration
    var mirrorPath: String { config.sync.mirrorPath }

    /// `clockOffset`: seconds the providers' clocks run ahead of this machine's (negative: behind).
    init(
        onDelete: String = "archive", maxDeleteShare: Double = 0.5, syncOptions: String = "", clockOffset: Double = 0, providerOptions: String = ""
    ) async throws {
        clock = FakeClock(offset: clockOffset)
        hs = FakeHelpSpace(clock: clock)
        pr = FakeProductive(clock: clock)
        let hsURL = try await hs.start()
        let prURL = try await pr.start()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try hs.token.write(toFile: dir + "/hs.token", atomically: true, encoding: .utf8)
        try pr.token.write(toFile: dir + "/pr.token", atomically: true, encoding: .utf8)
        config = try ConfigLoader.parse(
            FakeLinkConfig.toml(
                dir: dir, helpspace: hsURL, productive: prURL, names: ("hs", "pr"), link: "main",
                linkOptions: "on_delete = \"\(onDelete)\"\nmax_delete_share = \(maxDeleteShare)", syncOptions: "cursor_overlap = 2\n" + syncOptions,
                providerOptions: providerOptions),
            source: dir + "/tasksync.toml")
    }

    /// A new engine on the same mirror file: what a restart gives.
    /// `wrap` stands a test's own provider in front of an adapter (to change what it answers).
    func engine(
        hooks: EngineHooks = EngineHooks(), readOnly: Bool = false, wrap: (any TaskProvider) -> any TaskProvider = { $0 }
    ) throws -> SyncEngine {
        let transport = CurlTransport()
        let providers = try config.providers.map { wrap(try ProviderFactory.make($0, catalog: ProviderCatalog.all, transport: transport)) }
        let mirror = try Mirror(path: mirrorPath, readOnly: readOnly)
        return SyncEngine(config: config, mirror: mirror, providers: providers, hooks: hooks, logger: Logger(label: "test"))
    }

    @discardableResult
    func cycle(dryRun: Bool = false) async throws -> CycleReport {
        try await engine(readOnly: dryRun).runCycle(dryRun: dryRun)
    }

    func mirror() throws -> Mirror { try Mirror(path: mirrorPath) }

    func stop() async {
        await hs.stop()
        await pr.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Productive's top-level task with this title.
    func prTask(_ title: String) async -> FakeProductive.Task? {
        await pr.liveTasks().first { $0.title == title && $0.parentID == nil }
    }

    func hsTask(_ title: String) async -> FakeHelpSpace.Task? {
        await hs.liveTasks().first { $0.title == title }
    }
}

struct SimulatedCrash: Error {}

/// Runs `body` with a fresh harness and stops its fakes afterwards, also
/// when the body throws.
func withHarness(
    onDelete: String = "archive", maxDeleteShare: Double = 0.5, syncOptions: String = "", clockOffset: Double = 0,
    providerOptions: String = "", _ body: (Harness) async throws -> Void
) async throws {
    let h = try await Harness(
        onDelete: onDelete, maxDeleteShare: maxDeleteShare, syncOptions: syncOptions, clockOffset: clockOffset, providerOptions: providerOptions)
    do {
        try await body(h)
    } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}
