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
//
// --scenario NAME measures against real conditions (issue 11) and prints
// each figure that has a limit as `ratio NAME: MEASURED / LIMIT = R`, and
// the 429s the fakes answered as `429s: N`:
//   idle-latency       N (default 10,000) HelpSpace tasks, HelpSpace and Productive; the
//                      initial sync at 0 ms, then idle cycles with every answer
//                      --latency-ms late (default 100): wall time against
//                      ceil(requests needed / concurrency) x latency of the member
//                      that needs the most (members are read side by side).
//   first-sync-budget  N (default 1,000) tasks HelpSpace -> Productive, the fake enforcing
//                      Productive's windows (100/10 s, 4,000/30 min) and the engine on
//                      its default budget: requests per second against the budget's rate.
//   three-budget       the same over HelpSpace, Productive and ProofHub (N default 300),
//                      ProofHub's 25/10 s the binding budget.
// --latency-ms MS (scenarios only, default 100) is how late every answer is.
// --time-scale K (first-sync scenarios, default 1) runs the published windows,
// the latency, `retry_after_max` and the pause between cycles K times faster,
// in the fakes and in the engine's budget alike, as if every clock did: a first
// sync of 10,000 tasks under Productive's 4,000 per 30 min then takes minutes.
// The engine's own CPU does not speed up, so a scaled run is the harsher one.
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

/// The peak resident set since the last ``resetPeakRSS()`` (VmHWM), in MB.
func peakRSSSinceResetMegabytes() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kb = Double(line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    else { return nil }
    return kb / 1024
}

/// Starts a new peak: Linux resets VmHWM to the current RSS on `5` in clear_refs.
func resetPeakRSS() -> Bool {
    guard let f = fopen("/proc/self/clear_refs", "w") else { return false }
    defer { fclose(f) }
    return fputs("5", f) >= 0
}

func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
    exit(64)
}

/// Removes `--NAME VALUE` from the arguments; its value.
func option(_ name: String, from arguments: inout [String]) -> String? {
    guard let i = arguments.firstIndex(of: name) else { return nil }
    guard i + 1 < arguments.count else { usage("\(name): expected a value") }
    defer { arguments.removeSubrange(i...(i + 1)) }
    return arguments[i + 1]
}

enum Scenario: String, CaseIterable {
    case idleLatency = "idle-latency"
    case firstSyncBudget = "first-sync-budget"
    case threeBudget = "three-budget"
}

ProcessMemory.tuneMalloc()  // as tasksync does
var arguments = Array(CommandLine.arguments.dropFirst())
var memberCount: Int?
if let value = option("--members", from: &arguments) {
    let kinds = FakeLinkConfig.kinds.count
    guard let k = Int(value), (2...kinds).contains(k) else { usage("--members: expected a number from 2 to \(kinds)") }
    memberCount = k
}
let scenario = option("--scenario", from: &arguments).map { name in
    guard let s = Scenario(rawValue: name) else {
        usage("--scenario: expected one of \(Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return s
}
let latencyMilliseconds = option("--latency-ms", from: &arguments).map { value in
    guard let ms = Double(value), ms >= 0 else { usage("--latency-ms: expected milliseconds, 0 or more") }
    return ms
}
let timeScale = option("--time-scale", from: &arguments).map { value in
    guard let k = Double(value), k >= 1 else { usage("--time-scale: expected a number, 1 or more") }
    return k
}
if let flag = arguments.first(where: { $0.hasPrefix("--") }) { usage("unknown option \(flag)") }
let count = arguments.first.map { value in
    guard let n = Int(value), n >= 0 else { usage("N: expected a number of tasks") }
    return n
}
let idleCycles = max(1, arguments.dropFirst().first.flatMap(Int.init) ?? 1)
let firstKinds = { (k: Int) in FakeLinkConfig.kinds.prefix(k).map(\.kind) }

switch scenario {
case nil:
    if latencyMilliseconds != nil { usage("--latency-ms goes with --scenario") }
    if timeScale != nil { usage("--time-scale goes with a first-sync scenario") }
    try await measure(count: count ?? 10_000, idleCycles: idleCycles, kinds: firstKinds(memberCount ?? 2))
case .idleLatency:
    if timeScale != nil { usage("--time-scale goes with a first-sync scenario") }
    try await measureIdleLatency(
        count: count ?? 10_000, idleCycles: idleCycles, kinds: firstKinds(memberCount ?? 2), latencyMilliseconds: latencyMilliseconds ?? 100)
case .firstSyncBudget:
    try await measureFirstSync(
        name: "first-sync-rate", count: count ?? 1_000, kinds: firstKinds(memberCount ?? 2), latencyMilliseconds: latencyMilliseconds ?? 100,
        timeScale: timeScale ?? 1)
case .threeBudget:
    if let memberCount, memberCount != 3 { usage("three-budget links three members") }
    try await measureFirstSync(
        name: "three-budget-rate", count: count ?? 300, kinds: firstKinds(3), latencyMilliseconds: latencyMilliseconds ?? 100,
        timeScale: timeScale ?? 1)
}

// MARK: the fakes and the engine

/// One run: the fakes in their child process, the engine here, the config linking them.
struct Bench {
    var fakes: FakesChild
    var engine: SyncEngine
    var config: SyncConfiguration
    var kinds: [String]
    var dir: String

    /// Requests served since the last reset, by kind.
    func ledger() async throws -> [String: FakeLedgerCounts] {
        let ledgers = try await fakes.ledgers()
        return try Dictionary(
            uniqueKeysWithValues: kinds.map { kind in
                guard let l = ledgers[kind] else { throw FakesChildError.protocolError("no ledger for \(kind): \(ledgers)") }
                return (kind, l)
            })
    }

    func stop() async {
        await fakes.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// `rateLimits` by kind: see ``FakeLinkConfig/toml(dir:members:link:linkOptions:syncOptions:rateLimits:)``.
    static func start(kinds: [String], fakesArguments: [String], rateLimits: [String: String] = [:], syncOptions: String = "") async throws -> Bench {
        let program: String
        do {
            program = try FakesProgram.locate(neededBy: "tasksync-benchmark")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(69)
        }
        let fakes = try await FakesChild.start(program: program, arguments: kinds.flatMap { ["--kind", $0] } + fakesArguments)
        let members = try kinds.map { try fakes.ready.fake($0) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for m in members { try m.token.write(toFile: "\(dir)/\(m.kind).token", atomically: true, encoding: .utf8) }
        let config = try ConfigLoader.parse(
            FakeLinkConfig.toml(
                dir: dir, members: members.map { ($0.kind, $0.kind, $0.baseURL) }, link: "bench",
                syncOptions: syncOptions + "\n" + (ProcessInfo.processInfo.environment["TASKSYNC_BENCH_SYNC"] ?? ""), rateLimits: rateLimits),
            source: "benchmark")
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let transport = CurlTransport()
        let providers = try config.providers.map { try ProviderFactory.make($0, catalog: ProviderCatalog.all, transport: transport) }
        let engine = SyncEngine(config: config, mirror: try Mirror(path: config.sync.mirrorPath), providers: providers, logger: logger)
        return Bench(fakes: fakes, engine: engine, config: config, kinds: kinds, dir: dir)
    }
}

/// The arguments every run gives the fakes: N tasks on HelpSpace, last
/// touched an hour ago (the idle cycle is the steady state). Productive
/// answers writes with the relationships asked for (`include=`), as JSON:API
/// servers do; the tests cover the other reading, which costs a read-back per write.
func seedArguments(_ count: Int) -> [String] {
    ["--seed", "helpspace:\(count)", "--clock-offset=-3600", "--set", "productive.include_on_writes=honoured"]
}

/// `ratio NAME: MEASURED / LIMIT = R`, the form a script compares across runs.
func ratioLine(_ name: String, _ measured: Double, _ limit: Double, unit: String, digits: Int = 2) -> String {
    let f = "%.\(digits)f"
    let ratio = limit > 0 ? String(format: "%.2f", measured / limit) : "n/a"
    return "ratio \(name): \(String(format: f, measured)) \(unit) / \(String(format: f, limit)) \(unit) = \(ratio)"
}

func seconds(_ value: Double) -> String { String(format: "%.1f", value) }

/// The initial sync as `tasksync sync` runs it: one cycle per `create_batch`,
/// one after another; the number of cycles.
func initialSync(_ engine: SyncEngine) async throws -> Int {
    var cycles = 1
    while try await engine.runCycle().continuesAtOnce { cycles += 1 }
    return cycles
}

// MARK: the default run

/// The engine alone in this process; the fakes in tasksync-fakes.
func measure(count: Int, idleCycles: Int, kinds: [String]) async throws {
    let bench = try await Bench.start(kinds: kinds, fakesArguments: seedArguments(count))
    let (fakes, engine, config) = (bench.fakes, bench.engine, bench.config)

    let start = Date()
    let initialCycles = try await initialSync(engine)
    let initialSeconds = Date().timeIntervalSince(start)
    let initialPeakRSS = peakRSSMegabytes()
    let idlePeakMeasured = resetPeakRSS()
    let initial = try await bench.ledger()
    // Two minutes pass and one task changes: the cursor then sits past the initial burst.
    try await fakes.advance(seconds: 120)
    if let first = try await fakes.tasks(kinds[1], limit: 1).first { try await fakes.edit(kinds[1], first.id, FakeEdit(addTags: ["touched"])) }
    // Carries the one change across. Productive's copies are listed in full for the first time, as every
    // `full_listing_every` cycles later: both members' whole listings in memory at once.
    let carry = try await engine.runCycle()
    let fullListingPeakRSS = idlePeakMeasured ? peakRSSSinceResetMegabytes() : nil
    let idleReset = idlePeakMeasured && resetPeakRSS()
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
    let after = try await bench.ledger()
    await bench.stop()

    let sum = { (l: [String: FakeLedgerCounts]) in (l.values.map(\.total).reduce(0, +), l.values.map(\.writes).reduce(0, +)) }
    print("tasks: \(count) (created on HelpSpace, copied to \(kinds.dropFirst().joined(separator: ", ")))")
    print(
        "initial sync: \(String(format: "%.1f", initialSeconds)) s in \(initialCycles) cycle\(initialCycles == 1 ? "" : "s") "
            + "(create_batch = \(config.sync.createBatch)), \(sum(initial).0) requests (\(sum(initial).1) writes)")
    print(
        "idle cycle (comments_every = \(config.sync.commentsEvery)): "
            + kinds.map { kind in
                let l = after[kind]!
                return
                    "\(kind) \(l.total / idleCycles) requests (\(l.writes / idleCycles) writes, \(l.commentRequests / idleCycles) comment reads)"
            }.joined(separator: ", ") + ", outcome \(idle.outcome.rawValue)"
    )
    print("idle cycle engine CPU: \(String(format: "%.0f", idleCPU)) ms (\(String(format: "%.0f", idleSystem)) ms of it in the kernel)")
    let phaseText = ["load", "fetch", "plan", "write"].map { "\($0) \(String(format: "%.0f", (phases[$0] ?? 0) / Double(idleCycles)))" }
    print("idle cycle phases (wall ms): " + phaseText.joined(separator: ", "))
    let idlePeakRSS = idleReset ? peakRSSSinceResetMegabytes() : nil
    let mb = { (v: Double) in String(format: "%.0f", v) }
    // Resetting VmHWM resets ru_maxrss too: the run's peak is the largest of the three.
    let peakRSS = [initialPeakRSS, fullListingPeakRSS ?? 0, idlePeakRSS ?? 0, peakRSSMegabytes()].max()!
    print(
        "engine peak RSS: \(mb(peakRSS)) MB (initial sync \(mb(initialPeakRSS)) MB"
            + (fullListingPeakRSS.map { ", the next cycle (every member listed in full) \(mb($0)) MB" } ?? "")
            + (idlePeakRSS.map { ", idle cycles \(mb($0)) MB)" } ?? ")"))
    let carryPhases = ["load", "fetch", "plan", "write"].map { "\($0) \(String(format: "%.0f", carry.phaseMilliseconds[$0] ?? 0))" }
    print("the cycle after the initial sync, phases (wall ms): " + carryPhases.joined(separator: ", "))
    // Issue 11's reference: 1.6 s of engine CPU per idle cycle at 100,000 tasks (16 µs an item) and its RSS target.
    print(ratioLine("idle-cpu-per-item", count > 0 ? idleCPU * 1000 / Double(count) : 0, 16, unit: "µs"))
    print(ratioLine("peak-rss", peakRSS, 150, unit: "MB", digits: 0))
    if let idlePeakRSS { print(ratioLine("peak-rss-idle", idlePeakRSS, 150, unit: "MB", digits: 0)) }
}

// MARK: idle cycle against latency

/// The provider's request concurrency: its config's `concurrency` key.
func concurrency(of provider: ProviderConfig) -> (value: Int, source: String) { (provider.concurrency, "config") }

func measureIdleLatency(count: Int, idleCycles: Int, kinds: [String], latencyMilliseconds: Double) async throws {
    // The initial sync runs at 0 ms to save time; the latency starts with the idle part.
    let bench = try await Bench.start(kinds: kinds, fakesArguments: seedArguments(count))
    let (fakes, engine) = (bench.fakes, bench.engine)
    let start = Date()
    _ = try await initialSync(engine)
    let initialSeconds = Date().timeIntervalSince(start)
    let initial = try await bench.ledger()
    try await fakes.advance(seconds: 120)
    if let first = try await fakes.tasks(kinds[1], limit: 1).first { try await fakes.edit(kinds[1], first.id, FakeEdit(addTags: ["touched"])) }
    _ = try await engine.runCycle()
    try await fakes.setLatency(milliseconds: latencyMilliseconds)
    try await fakes.resetLedgers()
    let idleStart = Date()
    var idle = try await engine.runCycle()
    for _ in 1..<idleCycles { idle = try await engine.runCycle() }
    let wall = Date().timeIntervalSince(idleStart) / Double(idleCycles)
    let after = try await bench.ledger()
    await bench.stop()

    let cycles = Double(idleCycles)
    var made = 0.0
    var listing = 0.0
    var limit = 0.0
    var concurrencies: [String] = []
    for kind in kinds {
        let l = after[kind]!
        let c = concurrency(of: bench.config.providers.first { $0.name == kind }!)
        // Needed: the listing pages plus the comment reads the comment rule scheduled (those made).
        let needed = Double(l.listingRequests + l.commentRequests) / cycles
        made += Double(l.total) / cycles
        listing += Double(l.listingRequests) / cycles
        // Members are read side by side: the slowest one bounds the cycle.
        limit = max(limit, (needed / Double(c.value)).rounded(.up) * latencyMilliseconds / 1000)
        concurrencies.append("\(kind) \(c.value) (\(c.source))")
    }
    let perCycle = { (n: Int) in String(format: "%.0f", Double(n) / cycles) }
    print("tasks: \(count) (created on HelpSpace, copied to \(kinds.dropFirst().joined(separator: ", ")))")
    print(
        "initial sync (0 ms latency): \(seconds(initialSeconds)) s, \(initial.values.map(\.total).reduce(0, +)) requests")
    var members: [String] = []
    for kind in kinds {
        let l = after[kind]!
        let listed: String = perCycle(l.listingRequests)
        let read: String = perCycle(l.commentRequests)
        members.append("\(kind) \(perCycle(l.total)) requests (\(listed) listing pages, \(read) comment reads, \(perCycle(l.writes)) writes)")
    }
    let latencyText = String(format: "%.0f", latencyMilliseconds)
    let wallText = String(format: "%.2f", wall)
    print(
        "idle cycle at \(latencyText) ms a request (comments_every = \(bench.config.sync.commentsEvery)): \(wallText) s, "
            + members.joined(separator: ", ") + ", outcome \(idle.outcome.rawValue)")
    print("concurrency: " + concurrencies.joined(separator: ", "))
    print("requests: made \(String(format: "%.0f", made)), listing minimum \(String(format: "%.0f", listing))")
    print(ratioLine("idle-wall-\(String(format: "%.0f", latencyMilliseconds))ms", wall, limit, unit: "s"))
    print("429s: \(after.values.map(\.tooManyRequests).reduce(0, +))")
}

// MARK: first sync against the published windows

/// The least seconds `requests` sent one after another can take under all
/// of `windows` at once, none answered late: each goes at the earliest
/// instant every window allows (sliding windows, as the budget counts them).
func minimumSeconds(_ requests: Int, under windows: [RateLimitWindow]) -> Double {
    var sent: [Double] = []
    sent.reserveCapacity(requests)
    for i in 0..<requests {
        var t = sent.last ?? 0
        for w in windows where i >= w.requests { t = max(t, sent[i - w.requests] + w.seconds) }
        sent.append(t)
    }
    return sent.last ?? 0
}

/// `windows` K times shorter, in `rate_limit` syntax.
func scaled(_ windows: [RateLimitWindow], by k: Double) -> String {
    windows.map { RateLimitWindow(requests: $0.requests, seconds: $0.seconds / k).description }.joined(separator: ", ")
}

func measureFirstSync(name: String, count: Int, kinds: [String], latencyMilliseconds: Double, timeScale: Double) async throws {
    // The fakes enforce the published windows of the kinds that have them;
    // the engine runs on each kind's default budget (its descriptor's
    // `rate_limit`), both K times shorter with --time-scale K.
    let limited = kinds.filter { ["productive", "proofhub"].contains($0) }
    var rateLimits: [String: String] = [:]
    for kind in limited {
        guard let published = ProviderCatalog.schemas.first(where: { $0.kind == kind })?.defaultRateLimit,
            case .success(let windows) = RateLimitWindow.parseList(published)
        else {
            usage("\(kind): no default rate_limit")
        }
        rateLimits[kind] = timeScale == 1 ? "" : scaled(windows, by: timeScale)
    }
    let defaults = SyncSettings()
    let bench = try await Bench.start(
        kinds: kinds,
        fakesArguments: seedArguments(count) + limited.flatMap { ["--set", "\($0).enforce_rate_limits=true"] }
            + (timeScale == 1 ? [] : limited.flatMap { ["--set", "\($0).time_scale=\(timeScale)"] }) + [
                "--latency", String(latencyMilliseconds / timeScale),
            ],
        rateLimits: rateLimits,
        syncOptions: timeScale == 1 ? "" : "retry_after_max = \(defaults.retryAfterMax / timeScale)")
    let (fakes, engine) = (bench.fakes, bench.engine)
    // The fakes' shared clock hands out instants at least 1 ms apart, so
    // seeding N tasks left it up to N ms ahead of the real one; until the real
    // one catches up, it barely moves, and the requests it stamps then would
    // stay in the fake's window longer than in a real server's (a 429 the
    // engine's budget cannot foresee). Start once it has caught up.
    try await Task.sleep(for: .milliseconds(count + 500))
    let start = Date()
    var cycles = 0
    var outcome = ""
    var phases: [String: Double] = [:]
    // One cycle per create_batch, one after another; after a cycle that parked a provider
    // (a budget wait past retry_after_max), the next comes a poll interval later, until
    // every member holds the N tasks.
    while true {
        let report = try await engine.runCycle()
        cycles += 1
        outcome = report.outcome.rawValue
        phases.merge(report.phaseMilliseconds, uniquingKeysWith: +)
        var done = true
        for kind in kinds.dropFirst() {
            if try await fakes.tasks(kind).count < count { done = false }
        }
        if done { break }
        if report.continuesAtOnce { continue }  // the next batch (create_batch), at once as `run` does
        if cycles >= 100 || Date().timeIntervalSince(start) > 3600 {
            print("first sync did not finish: \(cycles) cycles, \(seconds(Date().timeIntervalSince(start))) s, outcome \(outcome)")
            break
        }
        // As `tasksync run` does between cycles (its poll_interval), K times faster.
        try await Task.sleep(for: .seconds(bench.config.sync.pollInterval / timeScale))
    }
    let wall = Date().timeIntervalSince(start)
    let ledger = try await bench.ledger()
    await bench.stop()

    print("tasks: \(count) (created on HelpSpace, copied to \(kinds.dropFirst().joined(separator: ", ")))")
    print(
        "first sync at \(String(format: "%.0f", latencyMilliseconds)) ms a request: \(seconds(wall)) s in \(cycles) cycle\(cycles == 1 ? "" : "s"), "
            + "outcome \(outcome); "
            + kinds.map { kind in
                let l = ledger[kind]!
                return "\(kind) \(l.total) requests (\(l.writes) writes, \(l.tooManyRequests) answered 429)"
            }.joined(separator: ", "))
    if timeScale != 1 {
        print("time scale \(String(format: "%g", timeScale)): the run took \(seconds(wall)) s, \(seconds(wall * timeScale)) s at real speed")
    }
    // Per limited member: the requests it admitted a second over the whole
    // sync against the most its budget lets so many requests reach: all of
    // them sent one after another at the earliest instant its windows allow.
    var rates: [(kind: String, achieved: Double, limit: Double, least: Double, windows: String)] = []
    for kind in limited {
        let l = ledger[kind]!
        let windows = bench.config.providers.first { $0.name == kind }!.rateLimit
        let admitted = l.total - l.tooManyRequests
        let least = minimumSeconds(admitted, under: windows)
        guard least > 0 else { continue }
        rates.append((kind, Double(admitted) / wall, Double(admitted) / least, least, windows.map(\.description).joined(separator: ", ")))
    }
    let binding = rates.max { $0.least < $1.least }
    for r in rates where r.kind != binding?.kind {
        print("\(r.kind): \(String(format: "%.2f", r.achieved)) req/s against its budget \(r.windows) (\(String(format: "%.2f", r.limit)) req/s), not binding")
    }
    if let b = binding {
        let admitted = ledger[b.kind]!.total - ledger[b.kind]!.tooManyRequests
        print(
            "budget: \(b.kind) \(b.windows), binding; its \(admitted) requests take at least \(seconds(b.least)) s under it "
                + "(\(String(format: "%.2f", b.limit)) req/s)")
        print(ratioLine("\(name)-\(b.kind)", b.achieved, b.limit, unit: "req/s"))
        // The writes cannot start before the plan, which needs every member's
        // listing and the comments of the tasks to copy: the same rate over the push alone.
        let reading = ["load", "fetch", "plan"].map { phases[$0] ?? 0 }.reduce(0, +) / 1000
        let writing = (phases["write"] ?? 0) / 1000
        print("phases: reading and planning \(seconds(reading)) s, writing \(seconds(writing)) s")
        let written = ledger[b.kind]!.writes - ledger[b.kind]!.tooManyRequests
        let writesLimit = Double(written) / max(minimumSeconds(written, under: bench.config.providers.first { $0.name == b.kind }!.rateLimit), 1e-9)
        // Over one cycle only: across cycles, the waits of a parked provider fall between the pushes.
        if writing > 0, cycles == 1 { print(ratioLine("\(name)-\(b.kind)-writing", Double(written) / writing, writesLimit, unit: "req/s")) }
    }
    print("429s: \(ledger.values.map(\.tooManyRequests).reduce(0, +))")
}
