import ArgumentParser
import Foundation
import HTTPTransport
import Logging
import Mirror
import ProviderCatalog
import ProviderKit
import SyncConfig
import SyncEngine
import SystemdGlue
import TaskModel

/// Loads the config, takes the mirror's lock, opens the mirror, builds the
/// providers: what `run` and `sync` share. Every failure here is the
/// operator's to fix: it comes with its file and key, and with an exit
/// status of its own.
struct Setup {
    var config: SyncConfiguration
    var mirror: Mirror
    var engine: SyncEngine
    /// Held while the mirror is open for writing (rule 14); nil for a
    /// read-only copy (a dry run).
    var lock: MirrorLock?

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var exitStatus: Int32
        var description: String { message }
    }

    /// For the commands: prints the failure and exits with its status.
    static func load(
        _ options: ConfigOptions, readOnlyMirror: Bool, logger: Logger, hooks: EngineHooks = EngineHooks(), stop: StopFlag? = nil,
        metrics: DaemonMetrics? = nil
    ) throws -> Setup {
        do {
            return try make(
                configPath: options.configPath, mirrorPath: options.mirrorPath, readOnlyMirror: readOnlyMirror, logger: logger, hooks: hooks, stop: stop,
                metrics: metrics)
        } catch let failure as Failure {
            printError(failure.message)
            throw ExitCode(failure.exitStatus)
        }
    }

    static func make(
        configPath: String, mirrorPath: String?, readOnlyMirror: Bool, logger: Logger, hooks: EngineHooks = EngineHooks(),
        stop: StopFlag? = nil, holding held: MirrorLock? = nil, metrics: DaemonMetrics? = nil
    ) throws -> Setup {
        let config: SyncConfiguration
        do {
            config = try ConfigLoader.load(path: configPath)
        } catch {
            throw Failure(message: "\(error)", exitStatus: ExitStatus.configError)
        }
        return try build(
            config, mirrorPath: mirrorPath, readOnlyMirror: readOnlyMirror, logger: logger, hooks: hooks, stop: stop, holding: held, metrics: metrics)
    }

    /// `stop` and `hooks.progress` reach the transport (``LivenessTransport``);
    /// `held` is a lock this process already holds (a reload keeps it when
    /// the mirror stays the same); with `metrics` (the daemon), each
    /// provider's requests and 429s are counted (``CountingTransport``).
    static func build(
        _ config: SyncConfiguration, mirrorPath: String?, readOnlyMirror: Bool, logger: Logger,
        hooks: EngineHooks = EngineHooks(), stop: StopFlag? = nil, holding held: MirrorLock? = nil, transport: (any HTTPTransport)? = nil,
        metrics: DaemonMetrics? = nil
    ) throws -> Setup {
        var options = TransportOptions()
        options.requestTimeout = Watchdog.requestTimeout(
            configured: config.sync.requestTimeout, watchdog: SystemdNotifier().watchdogInterval, logger: logger)
        options.connectTimeout = min(options.connectTimeout, options.requestTimeout)
        let transport = LivenessTransport(inner: transport ?? CurlTransport(options: options), progress: hooks.progress, stop: stop)
        var providers: [any TaskProvider] = []
        var problems: [String] = []
        for p in config.providers {
            let counted: any HTTPTransport = metrics.map { CountingTransport(inner: transport, metrics: $0.provider(p.name)) } ?? transport
            do { providers.append(try ProviderFactory.make(p, catalog: ProviderCatalog.all, transport: counted)) } catch {
                problems.append("\(config.source): \(p.key): \(error)")
            }
        }
        if !problems.isEmpty { throw Failure(message: problems.joined(separator: "\n"), exitStatus: ExitStatus.configError) }
        let path = mirrorPath ?? config.sync.mirrorPath
        // The lock comes before the mirror is opened: two first starts must not both migrate it.
        var lock: MirrorLock?
        if !readOnlyMirror {
            if let held, held.mirrorPath == path {
                lock = held
            } else {
                do { lock = try MirrorLock(mirrorPath: path, holder: Self.holderDescription) } catch {
                    throw Failure(message: "\(error)", exitStatus: ExitStatus.locked)
                }
            }
        }
        let mirror: Mirror
        do {
            mirror = try Mirror(path: path, readOnly: readOnlyMirror)
        } catch {
            throw Failure(message: "mirror \(path): \(error)", exitStatus: ExitStatus.mirrorError)
        }
        return Setup(
            config: config, mirror: mirror, engine: SyncEngine(config: config, mirror: mirror, providers: providers, hooks: hooks, logger: logger),
            lock: lock)
    }

    /// What the lock file says about its holder: the command line.
    static var holderDescription: String {
        (["tasksync"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
    }
}

func printError(_ message: String) {
    JSONOutput.shared.record(message)
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Logs to journald when stderr is the journal (under systemd), with
/// structured fields; otherwise readable lines on stderr.
func makeLogger(verbose: Bool) -> Logger {
    let journal = JournalLogHandler.stderrIsJournal || ProcessInfo.processInfo.environment["TASKSYNC_LOG"] == "journal"
    LoggingSystem.bootstrap { label in
        if journal {
            var handler = JournalLogHandler(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = verbose ? .debug : .notice
        return handler
    }
    return Logger(label: "tasksync")
}
