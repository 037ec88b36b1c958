import ArgumentParser
import Foundation
import HTTPTransport
import Logging
import Mirror
import SyncConfig
import SyncEngine
import TaskModel

/// Loads the config, opens the mirror, builds the providers: what `run` and
/// `sync` share. Every failure here is the operator's to fix, so each is
/// printed plainly with its file and key, and exits with a distinct code.
struct Setup {
    var config: SyncConfiguration
    var mirror: Mirror
    var engine: SyncEngine

    static func load(_ options: ConfigOptions, readOnlyMirror: Bool, logger: Logger, hooks: EngineHooks = EngineHooks()) throws -> Setup {
        let config: SyncConfiguration
        do {
            config = try ConfigLoader.load(path: options.config)
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.configError)
        }
        return try build(config, mirrorPath: options.mirror, readOnlyMirror: readOnlyMirror, logger: logger, hooks: hooks)
    }

    static func build(_ config: SyncConfiguration, mirrorPath: String?, readOnlyMirror: Bool, logger: Logger,
                      hooks: EngineHooks = EngineHooks(), transport: (any HTTPTransport)? = nil) throws -> Setup {
        var options = TransportOptions()
        options.requestTimeout = config.sync.requestTimeout
        let transport = transport ?? CurlTransport(options: options)
        var providers: [any TaskProvider] = []
        var problems: [String] = []
        for p in config.providers {
            do { providers.append(try ProviderFactory.make(p, transport: transport)) } catch { problems.append("\(config.source): \(p.key): \(error)") }
        }
        if !problems.isEmpty {
            problems.forEach(printError)
            throw ExitCode(ExitStatus.configError)
        }
        let path = mirrorPath ?? config.sync.mirrorPath
        let mirror: Mirror
        do {
            mirror = try Mirror(path: path, readOnly: readOnlyMirror)
        } catch {
            printError("mirror \(path): \(error)")
            throw ExitCode(ExitStatus.mirrorError)
        }
        return Setup(config: config, mirror: mirror, engine: SyncEngine(config: config, mirror: mirror, providers: providers, hooks: hooks, logger: logger))
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Logs to stderr as readable lines. (journald comes with the systemd glue.)
func makeLogger(verbose: Bool) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = verbose ? .debug : .notice
        return handler
    }
    return Logger(label: "tasksync")
}
