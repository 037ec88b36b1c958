import ArgumentParser
import Foundation
import Mirror
import ProviderCatalog
import SyncConfig
import TaskModel

/// What `pause` and `resume` say about the lock, in their --help.
private let pauseLockHelp = """
    It writes the mirror, so it takes the mirror's lock (MIRROR.lock) like `sync`: while \
    `tasksync run` (the service) or a `sync` holds it, it exits 75 and names the holder. \
    Stop the service, pause or resume, start it again: `systemctl stop tasksync; tasksync \
    pause --link NAME --reason TEXT; systemctl start tasksync`.

    Exit status: 0 done; 64 the config has no such link (the message lists the ones it \
    has); 75 another process holds the mirror's lock; 78 the config is invalid; 74 the \
    mirror cannot be opened.
    """

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pause a link: `run` and `sync` skip it until `tasksync resume`; the pause survives restarts.",
        discussion: """
            A paused link is neither read nor written; each cycle's plan says "paused since \
            TIME, reason TEXT", and so does `tasksync status`. Pausing it again replaces the \
            time and the reason.

            \(pauseLockHelp)
            """)

    @OptionGroup var options: ConfigOptions
    @Option(name: .long, help: "The link to pause.") var link: String
    @Option(name: .long, help: "Why, for `tasksync status` and the plan.") var reason: String?

    func run() throws {
        let at = Timestamp.now.description
        try withLinkMirror(options, link: link) { try $0.setPause(link: link, at: at, reason: reason) }
        print("link \(link): paused since \(at), reason \(reason ?? "none given")")
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resume a paused link: the next cycle of `run` or `sync` reads and syncs it again.",
        discussion: pauseLockHelp)

    @OptionGroup var options: ConfigOptions
    @Option(name: .long, help: "The link to resume.") var link: String

    func run() throws {
        try withLinkMirror(options, link: link) { try $0.setPause(link: link, at: nil, reason: nil) }
        print("link \(link): resumed")
    }
}

/// Loads the config, checks that it has `link`, takes the mirror's lock and
/// writes the mirror; each failure exits with its own status (see
/// `pauseLockHelp`). Needs no provider or token: nothing remote is touched.
private func withLinkMirror(_ options: ConfigOptions, link: String, _ body: (MirrorWriter) throws -> Void) throws {
    let config: SyncConfiguration
    do { config = try ConfigLoader.load(path: options.configPath) } catch {
        printError("\(error)")
        throw ExitCode(ExitStatus.configError)
    }
    _ = try selectLinks(config, links: [link], providers: [])
    let path = options.mirrorPath ?? config.sync.mirrorPath
    let lock: MirrorLock
    do { lock = try MirrorLock(mirrorPath: path, holder: Setup.holderDescription) } catch {
        printError("\(error)")
        throw ExitCode(ExitStatus.locked)
    }
    defer { withExtendedLifetime(lock) {} }
    do {
        let mirror = try Mirror(path: path)
        try mirror.write(body)
    } catch {
        printError("mirror \(path): \(error)")
        throw ExitCode(ExitStatus.mirrorError)
    }
}
