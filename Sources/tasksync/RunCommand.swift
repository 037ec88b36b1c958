import ArgumentParser
import Logging
import ServiceLifecycle
import SyncEngine

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: a sync cycle every poll interval until SIGTERM or SIGINT.",
        discussion: """
            A signal stops the loop between cycles: a cycle in flight finishes (each batch is \
            one transaction, so a kill mid-cycle loses nothing either). Errors of one cycle are \
            logged and recorded in the mirror (`tasksync status`); the loop goes on.
            """)

    @OptionGroup var options: ConfigOptions
    @Flag(name: .shortAndLong, help: "Log every write.") var verbose = false

    func run() async throws {
        let logger = makeLogger(verbose: verbose)
        let setup = try Setup.load(options, readOnlyMirror: false, logger: logger)
        let service = PollLoop(engine: setup.engine, interval: setup.config.sync.pollInterval, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The poll loop as a service: a cycle, then a sleep that a graceful
/// shutdown cuts short.
struct PollLoop: Service {
    let engine: SyncEngine
    let interval: Double
    let logger: Logger

    func run() async throws {
        logger.notice("tasksync running, one cycle every \(Int(interval)) s")
        while !Task.isShuttingDownGracefully {
            do {
                let report = try await engine.runCycle()
                if !report.errors.isEmpty { logger.warning("cycle \(report.cycle ?? 0): \(report.errors.count) errors: \(report.errors.joined(separator: "; "))") }
            } catch {
                logger.error("cycle failed: \(error)")
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
            } catch {
                break
            }
        }
        logger.notice("tasksync stopped")
    }
}
