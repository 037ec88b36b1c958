import Foundation
import HTTPTransport
import Logging
import Mirror
// Benchmark: links HelpSpace and Productive fakes holding N tasks (default
// 10,000, all created on HelpSpace) and prints the initial sync's seconds
// and requests, then an idle cycle's requests, the engine's CPU and its peak
// RSS. The fakes run in a child process (`--serve N`), so the CPU and memory
// figures are the engine's own.
//
//   swift run -c release tasksync-benchmark [N] [IDLE_CYCLES]
// With IDLE_CYCLES (default 1), the idle figures are the mean over that many.
// TASKSYNC_BENCH_SYNC adds lines to the config's [sync] table, e.g.
// "comments_every = 10000" to see the listing alone.
import ProviderCatalog
import ProviderFakes
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

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--serve" {
    try await serveFakes(count: arguments.dropFirst().first.flatMap(Int.init) ?? 10_000)
} else {
    try await measure(count: arguments.first.flatMap(Int.init) ?? 10_000, idleCycles: max(1, arguments.dropFirst().first.flatMap(Int.init) ?? 1))
}

/// The child: seeds the fakes, prints their URLs, then answers one command per line.
func serveFakes(count: Int) async throws {
    // The tasks were last touched an hour ago: the idle cycle is the steady state.
    let clock = FakeClock(offset: -3600)
    let hs = FakeHelpSpace(clock: clock)
    // Productive answers writes with the relationships asked for (`include=`), as
    // JSON:API servers do; the tests cover the other reading, which costs a read-back per write.
    let pr = FakeProductive(clock: clock, options: .init(includeOnWrites: .honoured))
    let hsURL = try await hs.start()
    let prURL = try await pr.start()
    for i in 0..<count {
        await hs.seed(title: "Task \(i)", description: "<p>Body of task \(i)</p>", statusID: Int64(1 + i % 3), tags: ["t\(i % 7)"])
    }
    print("ready \(hsURL) \(prURL) \(hs.token) \(pr.token)")
    fflush(nil)
    while let line = readLine() {
        switch line {
        case "reset":
            await hs.resetLedger()
            await pr.resetLedger()
        case "ledger":
            let h = await hs.ledger
            let p = await pr.ledger
            print("\(h.total) \(h.writes) \(p.total) \(p.writes) \(h.lines.filter { $0.contains("/comments") }.count)")
        case "later":
            // Two minutes pass and one task changes: the cursor then sits past the initial burst.
            clock.advance(seconds: 120)
            if let first = await pr.liveTasks().first { await pr.edit(first.id) { $0.tags.append("touched") } }
            print("ok")
        default:
            await hs.stop()
            await pr.stop()
            return
        }
        fflush(nil)
    }
}

/// The parent: the engine alone in this process.
func measure(count: Int, idleCycles: Int) async throws {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).absoluteURL
    child.arguments = ["--serve", String(count)]
    let toChild = Pipe()
    let fromChild = Pipe()
    child.standardInput = toChild
    child.standardOutput = fromChild
    try child.run()
    var buffered = Data()
    func line() -> String {
        while !buffered.contains(10) {
            let chunk = fromChild.fileHandleForReading.availableData
            if chunk.isEmpty { fatalError("the fake server process ended") }
            buffered += chunk
        }
        let end = buffered.firstIndex(of: 10)!
        let text = String(decoding: buffered[..<end], as: UTF8.self)
        buffered = Data(buffered[(end + 1)...])
        return text
    }
    func send(_ command: String) { toChild.fileHandleForWriting.write(Data((command + "\n").utf8)) }
    func ledger() -> [Int] {
        send("ledger")
        return line().split(separator: " ").compactMap { Int($0) }
    }

    let ready = line().split(separator: " ").map(String.init)
    guard ready.count == 5, ready[0] == "ready" else { fatalError("unexpected: \(ready)") }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-bench-\(getpid())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try ready[3].write(toFile: dir + "/hs.token", atomically: true, encoding: .utf8)
    try ready[4].write(toFile: dir + "/pr.token", atomically: true, encoding: .utf8)
    let config = try ConfigLoader.parse(
        FakeLinkConfig.toml(
            dir: dir, helpspace: ready[1], productive: ready[2], names: ("hs", "pr"), link: "bench",
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
    let initial = ledger()
    send("later")
    _ = line()
    _ = try await engine.runCycle()  // carries the one change across
    send("reset")
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
    let after = ledger().map { $0 / idleCycles }
    send("quit")
    child.waitUntilExit()

    print("tasks: \(count) (created on HelpSpace, copied to Productive)")
    print("initial sync: \(String(format: "%.1f", initialSeconds)) s, \(initial[0] + initial[2]) requests (\(initial[1] + initial[3]) writes)")
    print(
        "idle cycle: helpspace \(after[0]) requests (\(after[1]) writes, \(after[4]) of them comment reads: comments_every = \(config.sync.commentsEvery)), "
            + "productive \(after[2]) requests (\(after[3]) writes), outcome \(idle.outcome.rawValue)"
    )
    print("idle cycle engine CPU: \(String(format: "%.0f", idleCPU)) ms (\(String(format: "%.0f", idleSystem)) ms of it in the kernel)")
    let phaseText = ["load", "fetch", "plan", "write"].map { "\($0) \(String(format: "%.0f", (phases[$0] ?? 0) / Double(idleCycles)))" }
    print("idle cycle phases (wall ms): " + phaseText.joined(separator: ", "))
    print("engine peak RSS: \(String(format: "%.0f", peakRSSMegabytes())) MB")
}
