// Benchmark: links HelpSpace and Productive fakes holding N tasks (default
// 10,000, all created on HelpSpace) and prints the initial sync's seconds
// and requests, then an idle cycle's requests, the engine's CPU and its peak
// RSS. The fakes run in a child process (tasksync-fakes, found next to this
// program or by $TASKSYNC_FAKES), so the CPU and memory figures are the engine's own.
//
//   swift build -c release --product tasksync-fakes && swift run -c release tasksync-benchmark [N] [IDLE_CYCLES] [--members K]
// With IDLE_CYCLES (default 1), the idle figures are the mean over that many.
// --members K (2 to the number of kinds with a fake, default 2) links the
// first K kinds of FakeLinkConfig.kinds (helpspace, productive, then the
// others) in one link; the tasks are created on HelpSpace and copied to all.
// TASKSYNC_BENCH_SYNC adds lines to the config's [sync] table, e.g.
// "comments_every = 10000" to see the listing alone.
import FakesWire
import Foundation
import HTTPTransport
import Logging
import Mirror
import ProviderCatalog
import SyncConfig
import SyncEngine

func cpuMilliseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000
}

func systemMilliseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_stime.tv_sec) * 1000 + Double(usage.ru_stime.tv_usec) / 1000
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

var arguments = Array(CommandLine.arguments.dropFirst())
var memberCount = 2
if let i = arguments.firstIndex(of: "--members") {
    let kinds = FakeLinkConfig.kinds.count
    guard i + 1 < arguments.count, let k = Int(arguments[i + 1]), (2...kinds).contains(k) else {
        FileHandle.standardError.write(Data("--members: expected a number from 2 to \(kinds)\n".utf8))
        exit(64)
    }
    memberCount = k
    arguments.removeSubrange(i...(i + 1))
}
try await measure(
    count: arguments.first.flatMap(Int.init) ?? 10_000, idleCycles: max(1, arguments.dropFirst().first.flatMap(Int.init) ?? 1),
    kinds: FakeLinkConfig.kinds.prefix(memberCount).map(\.kind))

/// The engine alone in this process; the fakes in tasksync-fakes.
func measure(count: Int, idleCycles: Int, kinds: [String]) async throws {
    let program: String
    do {
        program = try FakesProgram.locate(neededBy: "tasksync-benchmark")
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(69)
    }
    // The tasks were last touched an hour ago: the idle cycle is the steady state.
    // Productive answers writes with the relationships asked for (`include=`), as
    // JSON:API servers do; the tests cover the other reading, which costs a read-back per write.
    let fakes = try await FakesChild.start(
        program: program,
        arguments: kinds.flatMap { ["--kind", $0] } + [
            "--seed", "helpspace:\(count)", "--clock-offset=-3600", "--set", "productive.include_on_writes=honoured",
        ])
    /// Per kind: requests, writes, comment reads.
    func ledger() async throws -> [String: (total: Int, writes: Int, comments: Int)] {
        let ledgers = try await fakes.ledgers()
        return try Dictionary(
            uniqueKeysWithValues: kinds.map { kind in
                guard let l = ledgers[kind] else { throw FakesChildError.protocolError("no ledger for \(kind): \(ledgers)") }
                return (kind, (l.total, l.writes, l.commentRequests))
            })
    }
    let members = try kinds.map { try fakes.ready.fake($0) }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-bench-\(getpid())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for m in members { try m.token.write(toFile: "\(dir)/\(m.kind).token", atomically: true, encoding: .utf8) }
    let config = try ConfigLoader.parse(
        FakeLinkConfig.toml(
            dir: dir, members: members.map { ($0.kind, $0.kind, $0.baseURL) }, link: "bench",
            syncOptions: ProcessInfo.processInfo.environment["TASKSYNC_BENCH_SYNC"] ?? ""),
        source: "benchmark")
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let transport = CurlTransport()
    let providers = try config.providers.map { try ProviderFactory.make($0, catalog: ProviderCatalog.all, transport: transport) }
    let engine = SyncEngine(
        config: config, mirror: try Mirror(path: config.sync.mirrorPath), providers: providers, logger: logger)

    let start = Date()
    _ = try await engine.runCycle()
    let initialSeconds = Date().timeIntervalSince(start)
    let initial = try await ledger()
    // Two minutes pass and one task changes: the cursor then sits past the initial burst.
    try await fakes.advance(seconds: 120)
    if let first = try await fakes.tasks(kinds[1]).first { try await fakes.edit(kinds[1], first.id, FakeEdit(addTags: ["touched"])) }
    _ = try await engine.runCycle()  // carries the one change across
    try await fakes.resetLedgers()
    let cpuBefore = cpuMilliseconds()
    let systemBefore = systemMilliseconds()
    var idle = try await engine.runCycle()
    var phases = idle.phaseMilliseconds
    for _ in 1..<idleCycles {
        idle = try await engine.runCycle()
        phases.merge(idle.phaseMilliseconds, uniquingKeysWith: +)
    }
    let idleCPU = (cpuMilliseconds() - cpuBefore) / Double(idleCycles)
    let idleSystem = (systemMilliseconds() - systemBefore) / Double(idleCycles)
    let after = try await ledger()
    await fakes.stop()

    let sum = { (l: [String: (total: Int, writes: Int, comments: Int)]) in
        (l.values.map(\.total).reduce(0, +), l.values.map(\.writes).reduce(0, +))
    }
    print("tasks: \(count) (created on HelpSpace, copied to \(kinds.dropFirst().joined(separator: ", ")))")
    print("initial sync: \(String(format: "%.1f", initialSeconds)) s, \(sum(initial).0) requests (\(sum(initial).1) writes)")
    print(
        "idle cycle (comments_every = \(config.sync.commentsEvery)): "
            + kinds.map { kind in
                let l = after[kind]!
                return "\(kind) \(l.total / idleCycles) requests (\(l.writes / idleCycles) writes, \(l.comments / idleCycles) comment reads)"
            }.joined(separator: ", ") + ", outcome \(idle.outcome.rawValue)"
    )
    print("idle cycle engine CPU: \(String(format: "%.0f", idleCPU)) ms (\(String(format: "%.0f", idleSystem)) ms of it in the kernel)")
    let phaseText = ["load", "fetch", "plan", "write"].map { "\($0) \(String(format: "%.0f", (phases[$0] ?? 0) / Double(idleCycles)))" }
    print("idle cycle phases (wall ms): " + phaseText.joined(separator: ", "))
    print("engine peak RSS: \(String(format: "%.0f", peakRSSMegabytes())) MB")
}
