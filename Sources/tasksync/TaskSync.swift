import ArgumentParser

@main
struct TaskSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasksync",
        abstract: "Keeps tasks in sync, both ways, between task systems (HelpSpace, Productive).",
        discussion: """
            A config file names the providers (one account and scope each) and the links \
            between them. The mirror, a SQLite file, remembers which remote tasks belong \
            together and what both sides last agreed on.

            Start with `tasksync demo` (local fake providers, no account needed), then \
            `tasksync check-config --config FILE`, `tasksync sync --dry-run`, and run the \
            daemon with `tasksync run` (the systemd unit does).
            """,
        subcommands: [
            Run.self, Sync.self, CheckConfig.self, Status.self, Journal.self, Mappings.self, Conflicts.self, Demo.self,
        ]
    )
}

/// Options every command that reads the config takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The config file (TOML).")
    var config: String = "/etc/tasksync/tasksync.toml"

    @Option(name: .long, help: "The mirror file; overrides [sync] mirror in the config.")
    var mirror: String?
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
    static let configError: Int32 = 78  // EX_CONFIG
    static let mirrorError: Int32 = 74  // EX_IOERR
}
