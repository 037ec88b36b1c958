// Benchmark: links HelpSpace and Productive fakes holding N tasks (default
// 10,000, all on HelpSpace) and prints the initial sync's seconds and
// requests, then an idle cycle's requests, CPU and the peak RSS.
// Run: swift run -c release tasksync-benchmark [N]
// The fakes run in this process, so the CPU figure includes the fakes'
// serving of the listing: an upper bound for the engine's own.
import Foundation
import HTTPTransport
import Logging
import Mirror
import ProviderFakes
import SyncConfig
import SyncEngine

func cpuMilliseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
let clock = FakeClock()
let hs = FakeHelpSpace(clock: clock)
let pr = FakeProductive(clock: clock)
let hsURL = try await hs.start()
let prURL = try await pr.start()
for i in 0..<count {
    await hs.seed(title: "Task \(i)", description: "<p>Body of task \(i)</p>", statusID: Int64(1 + i % 3), tags: ["t\(i % 7)"])
}
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }
try hs.token.write(toFile: dir + "/hs.token", atomically: true, encoding: .utf8)
try pr.token.write(toFile: dir + "/pr.token", atomically: true, encoding: .utf8)
let config = try ConfigLoader.parse(
    FakeLinkConfig.toml(dir: dir, helpspace: hsURL, productive: prURL, names: ("hs", "pr"), link: "bench"), source: "benchmark")
var logger = Logger(label: "bench")
logger.logLevel = .error
let transport = CurlTransport()
let providers = try config.providers.map { try ProviderFactory.make($0, transport: transport) }
let engine = SyncEngine(config: config, mirror: try Mirror(path: config.sync.mirrorPath), providers: providers, logger: logger)

let start = Date()
_ = try await engine.runCycle()
let initialSeconds = Date().timeIntervalSince(start)
let initialRequests = await hs.ledger.total + pr.ledger.total
_ = try await engine.runCycle()  // settles updated_at after the creates
await hs.resetLedger()
await pr.resetLedger()
let cpuBefore = cpuMilliseconds()
let idle = try await engine.runCycle()
let idleCPU = cpuMilliseconds() - cpuBefore
let hsLedger = await hs.ledger
let prLedger = await pr.ledger
print("tasks: \(count) (on HelpSpace, copied to Productive)")
print("initial sync: \(String(format: "%.1f", initialSeconds)) s, \(initialRequests) requests")
print("idle cycle: helpspace \(hsLedger.total) requests (\(hsLedger.writes) writes), productive \(prLedger.total) requests (\(prLedger.writes) writes), outcome \(idle.outcome.rawValue)")
print("idle cycle CPU (engine + in-process fakes): \(String(format: "%.0f", idleCPU)) ms")
print("peak RSS: \(String(format: "%.0f", peakRSSMegabytes())) MB")
await hs.stop()
await pr.stop()
