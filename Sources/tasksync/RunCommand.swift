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
            good, STATUS= after each cycle, WATCHDOG=1 while the loop makes progress, and logs \
            to journald with TASKSYNC_* fields.

            SIGHUP re-reads the config: a valid one replaces the running one; an invalid one \
            is logged and the old one keeps running. SIGTERM or SIGINT stops the loop: a cycle \
            in flight finishes (each batch is one transaction, so even a kill loses nothing), \
            then the process exits 0.
            """)

    @OptionGroup var options: ConfigOptions
    @Flag(name: .shortAndLong, help: "Log every write.") var verbose = false

    func run() async throws {
        let logger = makeLogger(verbose: verbose)
        let notifier = SystemdNotifier()
        let watchdog = Watchdog(notifier: notifier)
        let hooks = EngineHooks(progress: { watchdog.ping() })
        let setup = try Setup.load(options, readOnlyMirror: false, logger: logger, hooks: hooks)
        notifier.ready(status: "config \(options.config) valid, mirror \(setup.mirror.path) open; first cycle starting")
        logger.notice("tasksync ready", metadata: ["config": "\(options.config)", "mirror": "\(setup.mirror.path)"])
        logCapabilityNotes(setup.engine, logger: logger)
        let loop = PollLoop(options: options, setup: setup, hooks: hooks, notifier: notifier, watchdog: watchdog, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: loop)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// What never flows in each link, said once at start and after a reload.
func logCapabilityNotes(_ engine: SyncEngine, logger: Logger) {
    for (link, note) in engine.capabilityNotes() { logger.notice("\(note)", metadata: ["link": "\(link)"]) }
}

/// Pings systemd's watchdog, at most twice per interval it asked for.
final class Watchdog: @unchecked Sendable {
    let notifier: SystemdNotifier
    let interval: Duration?
    private let lock = NSLock()
    private var last = ContinuousClock.now

    init(notifier: SystemdNotifier) {
        self.notifier = notifier
        self.interval = notifier.watchdogInterval
    }

    func ping() {
        guard let interval else { return }
        lock.lock()
        let due = last.duration(to: .now) >= interval / 4
        if due { last = .now }
        lock.unlock()
        if due { notifier.watchdog() }
    }
}

/// The poll loop: a cycle, then a wait that SIGHUP (reload) or a graceful
/// shutdown cuts short. The watchdog is pinged while waiting and, through
/// the engine's progress hook, while a cycle gets things done.
struct PollLoop: Service {
    let options: ConfigOptions
    let setup: Setup
    let hooks: EngineHooks
    let notifier: SystemdNotifier
    let watchdog: Watchdog
    let logger: Logger

    func run() async throws {
        var current = setup
        let reloads = ReloadRequests()
        let signals = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) { reloads.request() }
        }
        defer { signals.cancel() }
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully {
                do {
                    let report = try await current.engine.runCycle()
                    notifier.status(Self.summary(report, mirror: current))
                    if !report.errors.isEmpty {
                        logger.warning("cycle \(report.cycle ?? 0): \(report.errors.count) errors: \(report.errors.joined(separator: "; "))")
                    }
                } catch {
                    logger.error("cycle failed: \(error)")
                    notifier.status("last cycle failed: \(error)")
                }
                watchdog.ping()
                // Wait for the next cycle in short steps, so a reload or a stop is not kept waiting.
                let deadline = ContinuousClock.now + .milliseconds(Int64(current.config.sync.pollInterval * 1000))
                while ContinuousClock.now < deadline && !Task.isShuttingDownGracefully && !reloads.pending {
                    do {
                        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(250)) }
                    } catch {
                        break
                    }
                    watchdog.ping()
                }
                if reloads.take() { current = reload(current) }
            }
        } onGracefulShutdown: {
            notifier.stopping()
            logger.notice("stopping: the cycle in flight finishes first")
        }
        logger.notice("tasksync stopped")
    }

    /// Re-reads the config. A valid one replaces the running engine; an
    /// invalid one is logged and the old one keeps running.
    func reload(_ current: Setup) -> Setup {
        notifier.reloading()
        do {
            let next = try Setup.make(configPath: options.config, mirrorPath: options.mirror, readOnlyMirror: false, logger: logger, hooks: hooks)
            logger.notice("config reloaded", metadata: ["config": "\(options.config)"])
            logCapabilityNotes(next.engine, logger: logger)
            notifier.ready(status: "config reloaded; \(next.config.links.count) links")
            return next
        } catch {
            logger.error("reload failed, keeping the running config: \(error)", metadata: ["config": "\(options.config)"])
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
