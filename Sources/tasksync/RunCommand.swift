import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SyncEngine
import SystemdGlue
import UnixSignals

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: a sync cycle every poll interval until SIGTERM or SIGINT.",
        discussion: """
            Under systemd (Type=notify) it sends READY=1 once the config and the mirror are \
            good, STATUS= after each cycle, WATCHDOG=1 from real progress (each response that \
            arrived, each write stored, the wait between cycles; never while a request hangs), \
            and logs to journald with TASKSYNC_* fields. Under a watchdog, a request times out \
            after at most half its interval ([sync] request_timeout is lowered, with a notice).

            It holds the mirror's lock (MIRROR.lock, beside it) from before the mirror is opened \
            until it exits: a second `run` or a `sync` on the same mirror exits 75 and names \
            this process's pid. status, journal, mappings, conflicts and sync --dry-run only \
            read, and work meanwhile.

            With a [metrics] table it serves GET /metrics in the Prometheus text format on the \
            address its listen key names (127.0.0.1 when only a port is given): cycles, requests, \
            errors and 429s per provider, pending writes, conflicts, each link's last success.

            SIGHUP re-reads the config: a valid one replaces the running one (and moves, starts \
            or stops the metrics endpoint); an invalid one is logged and the old one keeps running. SIGTERM or SIGINT stops within seconds, \
            whatever the cycle's size: no new request is sent, the writes in flight finish and \
            are stored, the cycle is recorded as interrupted, and the process exits 0; the next \
            start plans the rest again.

            Exit status: 0 stopped by SIGTERM or SIGINT; 75 another process holds the mirror's \
            lock; 78 the config is invalid; 74 the mirror cannot be opened.
            """)

    @OptionGroup var options: ConfigOptions
    @Flag(name: .shortAndLong, help: "Log every write.") var verbose = false

    func run() async throws {
        let logger = makeLogger(verbose: verbose)
        logger.notice("tasksync \(tasksyncVersion) starting", metadata: ["version": "\(tasksyncVersion)", "config": "\(options.configPath)"])
        let notifier = SystemdNotifier()
        let watchdog = Watchdog(notifier: notifier)
        let stop = StopFlag()
        let progress = WriteProgress(logger: logger, status: { notifier.status($0) })
        let hooks = EngineHooks(progress: { watchdog.ping() }, isStopping: { stop.isSet }, writes: progress.settled)
        // Counted whether or not [metrics] is there now: a reload may add it.
        let metrics = DaemonMetrics.bootstrap()
        let setup = try Setup.load(options, readOnlyMirror: false, logger: logger, hooks: hooks, stop: stop, metrics: metrics)
        metrics.prepare(setup.config, mirror: setup.mirror)
        let endpoint = MetricsEndpoint(registry: metrics.registry, logger: logger)
        await endpoint.apply(setup.config.metrics)
        notifier.ready(status: "config \(options.configPath) valid, mirror \(setup.mirror.path) open; first cycle starting")
        logger.notice("tasksync ready", metadata: ["config": "\(options.configPath)", "mirror": "\(setup.mirror.path)"])
        logCapabilityNotes(setup.engine, logger: logger)
        let loop = PollLoop(
            options: options, setup: setup, hooks: hooks, stop: stop, notifier: notifier, watchdog: watchdog, logger: logger, metrics: metrics,
            endpoint: endpoint)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: loop)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// What never flows in each link, said once at start and after a reload.
func logCapabilityNotes(_ engine: SyncEngine, logger: Logger) {
    for (link, note) in engine.capabilityNotes() { logger.notice("\(note)", metadata: ["link": "\(link)"]) }
}

/// The poll loop: a cycle, then a wait that SIGHUP (reload) or a graceful
/// shutdown cuts short. The watchdog is pinged while waiting, after each
/// cycle and, through the engine's progress hook and the transport, while a
/// cycle gets things done. A graceful shutdown sets `stop`, which ends the
/// cycle in flight within seconds.
struct PollLoop: Service {
    let options: ConfigOptions
    let setup: Setup
    let hooks: EngineHooks
    let stop: StopFlag
    let notifier: SystemdNotifier
    let watchdog: Watchdog
    let logger: Logger
    let metrics: DaemonMetrics
    let endpoint: MetricsEndpoint

    func run() async throws {
        var current = setup
        let reloads = ReloadRequests()
        let signals = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) { reloads.request() }
        }
        defer { signals.cancel() }
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully {
                var atOnce = false
                do {
                    let report = try await current.engine.runCycle()
                    atOnce = report.continuesAtOnce
                    metrics.record(report, config: current.config, mirror: current.mirror)
                    notifier.status(Self.summary(report, mirror: current))
                    if !report.errors.isEmpty {
                        logger.warning("cycle \(report.cycle ?? 0): \(report.errors.count) errors: \(report.errors.joined(separator: "; "))")
                    }
                } catch {
                    metrics.recordFailedCycle(current.config, mirror: current.mirror)
                    logger.error("cycle failed: \(error)")
                    notifier.status("last cycle failed: \(error)")
                }
                watchdog.ping()
                // Wait for the next cycle in short steps, so a reload or a stop is not kept waiting.
                // A first sync in batches (create_batch) goes on at once.
                let deadline = ContinuousClock.now + .milliseconds(atOnce ? 0 : Int64(current.config.sync.pollInterval * 1000))
                while ContinuousClock.now < deadline && !Task.isShuttingDownGracefully && !reloads.pending {
                    do {
                        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(250)) }
                    } catch {
                        break
                    }
                    watchdog.ping()
                }
                if reloads.take() {
                    current = reload(current)
                    metrics.prepare(current.config, mirror: current.mirror)
                    await endpoint.apply(current.config.metrics)
                }
            }
        } onGracefulShutdown: {
            stop.set()
            notifier.stopping()
            logger.notice("stopping: no new request; the writes in flight finish")
        }
        await endpoint.stop()
        logger.notice("tasksync stopped")
    }

    /// Re-reads the config. A valid one replaces the running engine; an
    /// invalid one is logged and the old one keeps running.
    func reload(_ current: Setup) -> Setup {
        notifier.reloading()
        do {
            let next = try Setup.make(
                configPath: options.configPath, mirrorPath: options.mirrorPath, readOnlyMirror: false, logger: logger, hooks: hooks, stop: stop,
                holding: current.lock, metrics: metrics)
            logger.notice("config reloaded", metadata: ["config": "\(options.configPath)"])
            logCapabilityNotes(next.engine, logger: logger)
            notifier.ready(status: "config reloaded; \(next.config.links.count) links")
            return next
        } catch {
            logger.error("reload failed, keeping the running config: \(error)", metadata: ["config": "\(options.configPath)"])
            notifier.ready(status: "reload failed, running on the previous config: \(error)")
            return current
        }
    }

    static func summary(_ report: CycleReport, mirror setup: Setup) -> String {
        let tasks = (try? setup.mirror.entityCounts()["task"]) ?? 0
        var text = "cycle \(report.cycle ?? 0): \(report.outcome.rawValue); \(report.plans.count) links, \(tasks) tasks"
        let writes = report.plans.map(\.writeCount).reduce(0, +)
        if writes > 0 { text += ", \(writes) writes" }
        if let error = report.errors.first { text += "; last error: \(error)" }
        return text
    }
}

/// SIGHUPs waiting to be acted on between cycles.
final class ReloadRequests: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false

    func request() {
        lock.lock()
        flag = true
        lock.unlock()
    }

    var pending: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }

    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let was = flag
        flag = false
        return was
    }
}
