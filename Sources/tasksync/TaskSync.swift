import ArgumentParser
import SyncEngine

/// The version: `tasksync --version` prints it and `run` logs it in its
/// first line. The package takes its version from the file VERSION; a test
/// keeps the two the same.
let tasksyncVersion = "0.1.0"

@main
struct TaskSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasksync",
        abstract: "Keeps tasks in sync, both ways, between task systems (HelpSpace, Productive, ProofHub).",
        discussion: """
            A config file names the providers (one account and scope each) and the links \
            between them. The mirror, a SQLite file, remembers which remote tasks belong \
            together and what both sides last agreed on.

            Start with `tasksync demo` (local fake providers, no account needed), then \
            `tasksync check-config --config FILE`, `tasksync sync --dry-run`, and run the \
            daemon with `tasksync run` (the systemd unit does).
            """,
        version: "tasksync \(tasksyncVersion)",
        subcommands: [
            Run.self, Sync.self, Resync.self, Pause.self, Resume.self, CheckConfig.self, Status.self, Journal.self, Mappings.self, Conflicts.self, Demo.self,
        ]
    )

    /// ArgumentParser's own main, plus: with --json, a failure is also printed as JSON on stdout.
    static func main() async {
        ProcessMemory.tuneMalloc()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand { try await asyncCommand.run() } else { try command.run() }
        } catch {
            JSONOutput.shared.reportFailure(exitCode: exitCode(for: error).rawValue, message: message(for: error))
            exit(withError: error)
        }
    }
}

/// Options every command that reads the config takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The config file (TOML); default /etc/tasksync/tasksync.toml, or the instance's.")
    var config: String?

    @Option(name: .long, help: "The mirror file; overrides the instance's and [sync] mirror in the config.")
    var mirror: String?

    @Option(name: .long, help: Instance.help)
    var instance: String?

    func validate() throws { try Instance.validate(instance) }

    var configPath: String { config ?? instance.map(Instance.configPath) ?? Instance.defaultConfig }
    /// nil: the config's `[sync] mirror`.
    var mirrorPath: String? { mirror ?? instance.map(Instance.mirrorPath) }
}

/// Exit codes of `tasksync sync` and the other commands.
enum ExitStatus {
    static let inSync: Int32 = 0
    static let changed: Int32 = 0
    static let partial: Int32 = 2
    static let stopped: Int32 = 3
    /// `sync` stopped by SIGTERM or SIGINT: the writes in flight finished, the rest waits for the next cycle.
    static let interrupted: Int32 = 4
    /// Another process holds the mirror's lock (rule 14).
    static let locked: Int32 = 75  // EX_TEMPFAIL
    /// A command line naming what the config does not have (`sync --link`), or a conflict the mirror does not have.
    static let usage: Int32 = 64  // EX_USAGE
    /// `conflicts restore`: refused (already restored, the task gone, the field changed since).
    static let refused: Int32 = 65  // EX_DATAERR
    static let configError: Int32 = 78  // EX_CONFIG
    static let mirrorError: Int32 = 74  // EX_IOERR
    /// `sync`: a provider refused the credentials (401 or 403).
    static let unauthorized: Int32 = 77  // EX_NOPERM
    /// `sync`: a provider could not be reached (network, DNS, TLS, timeout).
    static let unreachable: Int32 = 69  // EX_UNAVAILABLE
    /// `demo`: the tasksync-fakes program is not where the demo looks (sysexits: "a support program ... does not exist").
    static let missingProgram: Int32 = 69  // EX_UNAVAILABLE

    /// The exit status of one cycle. When several things fail at once, the
    /// one that says most about what to do wins: 3 (a link stopped itself)
    /// over 4 (interrupted) over 77 (credentials refused: only an operator
    /// fixes that) over 69 (unreachable: may heal by itself) over 2 (partial).
    static func of(_ report: CycleReport) -> Int32 {
        switch report.outcome {
        case .inSync, .changed: return inSync
        case .stopped: return stopped
        case .interrupted: return interrupted
        case .partial:
            switch report.providerFailures.values.max() {
            case .unauthorized: return unauthorized
            case .unreachable: return unreachable
            case .other, nil: return partial
            }
        }
    }
}
