import ArgumentParser
import SyncConfig

/// Where `tasksync@NAME.service` keeps its files. The template unit passes
/// the same paths (`--config /etc/tasksync/%i.toml --mirror
/// /var/lib/tasksync-%i/mirror.sqlite`; a test compares them), so `tasksync
/// status --instance NAME` reads the mirror the unit writes.
///
/// Each instance has a state directory of its own beside `tasksync.service`'s
/// (`StateDirectory=tasksync-%i`), not inside it: with `DynamicUser=yes`,
/// `/var/lib/tasksync` is `tasksync.service`'s own (a symlink to a 0700
/// directory of another user), and a directory nested there fails to start
/// with 238/STATE_DIRECTORY.
enum Instance {
    static let defaultConfig = "/etc/tasksync/tasksync.toml"

    static func configPath(_ name: String) -> String { "/etc/tasksync/\(name).toml" }
    static func mirrorPath(_ name: String) -> String { "/var/lib/tasksync-\(name)/mirror.sqlite" }

    /// The name rule of ``ConfigLoader/isInstanceName(_:)``, which also finds the instance's credentials.
    static func validate(_ name: String?) throws {
        guard let name else { return }
        guard ConfigLoader.isInstanceName(name) else {
            throw ValidationError("--instance '\(name)': a name of letters, digits, '_' and '-', as in tasksync@NAME.service")
        }
    }

    static let help: ArgumentHelp = """
        The instance NAME of tasksync@NAME.service: config /etc/tasksync/NAME.toml, mirror \
        /var/lib/tasksync-NAME/mirror.sqlite (the paths its unit passes).
        """
}
