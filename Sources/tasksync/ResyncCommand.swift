import ArgumentParser
import Foundation
import Mirror
import SyncConfig
import SyncEngine
import SystemdGlue
import TaskModel

struct Resync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild a link's state from what its members hold: pairs are kept, unknown tasks pair by title as on a first link, nothing is copied twice.",
        discussion: """
            For when the mirror no longer matches the providers: it was lost or restored \
            from an old copy, a link was renamed, or a task looks stuck. The link's next \
            cycle lists every member in full (no changed-since cursor), reads every \
            task's comments, and merges every task again against what each member holds \
            now, rebuilding what the mirror remembers of each copy; the changed-since \
            cursor starts again from the newest time that listing showed.

            What it keeps: which copies belong together (tasks already paired keep the \
            same partners, even ones renamed since, or sharing a title), the last agreed \
            value of each copy (so an edit made on one member is taken, and the same field \
            edited on two is a conflict, as always: nothing is overwritten unseen), deleted \
            and archived tasks (never made again), the conflicts, the journal, the outbox \
            and a pause. What it pairs: a task the mirror does not know goes, as on a first \
            link, to a task of the same title (case and spaces aside) that lacks a copy on \
            its member, or to an unpaired task of the same title on another member; only \
            what has no partner is copied, and the plan says each pair, adoption and copy. \
            A task gone from a member (confirmed by a direct read) follows the link's \
            on_delete, and the deletion guard, as in any cycle.

            The outbox: writes of an earlier cycle that were sent without an answer are \
            looked for first (by the fields they were sent with) and linked, not made \
            again; writes never sent are planned again from what the members hold. No \
            write is ever in flight when a resync starts: it is done at the start of the \
            link's cycle, never in the middle of one.

            When no other process holds the mirror's lock, resync runs that cycle at once, \
            like `tasksync sync --link NAME`, prints its plan, and exits as `sync` does. \
            When the service (or a sync) holds it, resync only records the request, in one \
            small transaction, and the holder does it at the start of its next cycle of the \
            link (`tasksync journal` then shows a `resync` entry); no need to stop the \
            service. A request stays until a cycle has read every member: if one cannot be \
            read, the next cycle tries again. A paused link is resynced after `tasksync \
            resume`.

            With --dry-run: the plan the resync would carry out, item by item; nothing is \
            written or asked, and no lock is taken.

            Exit status: as `tasksync sync` (0 done, 2 partial, 3 stopped by the deletion \
            guard, 4 interrupted, 77, 69, 78, 74), and 0 when the request was left to the \
            process holding the lock; 64 the config has no such link (the message lists \
            the ones it has).
            """)

    @OptionGroup var options: ConfigOptions
    @Option(name: .long, help: "The link to rebuild; an unknown name exits 64 and lists the known ones.") var link: String
    @Flag(name: .long, help: "Print the resync's plan only: write nothing, ask nothing.") var dryRun = false
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Flag(name: .shortAndLong, help: "Log every write to stderr.") var verbose = false

    func run() async throws {
        let logger = makeLogger(verbose: verbose)
        let config: SyncConfiguration
        do { config = try ConfigLoader.load(path: options.configPath) } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.configError)
        }
        _ = try selectLinks(config, links: [link], providers: [])
        if dryRun {
            let setup = try Setup.load(options, readOnlyMirror: true, logger: logger)
            return try finish(try await setup.engine.runCycle(dryRun: true, links: [link], resync: [link]))
        }
        let path = options.mirrorPath ?? config.sync.mirrorPath
        let lock: MirrorLock
        do { lock = try MirrorLock(mirrorPath: path, holder: Setup.holderDescription) } catch MirrorLock.Failure.held {
            return try askHolder(path)
        } catch {
            printError("\(error)")
            throw ExitCode(ExitStatus.locked)
        }
        // Nobody else writes the mirror: ask, then run the link's cycle here.
        let oneShot = OneShotCycle(logger: logger)
        defer { oneShot.end() }
        let (stop, hooks) = (oneShot.stop, oneShot.hooks)
        let setup: Setup
        do {
            setup = try Setup.build(config, mirrorPath: path, readOnlyMirror: false, logger: logger, hooks: hooks, stop: stop, holding: lock)
        } catch let failure as Setup.Failure {
            printError(failure.message)
            throw ExitCode(failure.exitStatus)
        }
        let at = Timestamp.now.description
        try setup.mirror.write { try $0.requestResync(link: link, at: at) }
        if !json {
            print("link \(link): resync asked at \(at); its cycle runs now")
            for line in try outboxLines(setup.mirror) { print(line) }
            if try setup.mirror.linkStates().contains(where: { $0.link == link && $0.pausedAt != nil }) {
                print("link \(link) is paused: the resync is done at its first cycle after tasksync resume --link \(link)")
            }
        }
        try finish(try await setup.engine.runCycle(links: [link]))
    }

    /// Another process holds the lock: the request only, done by its next cycle of the link.
    private func askHolder(_ path: String) throws {
        let at = Timestamp.now.description
        let (_, holder) = try writeRequest(mirrorPath: path) { try $0.requestResync(link: link, at: at) }
        let mirror = try Mirror(path: path, readOnly: true)
        let pending = try mirror.pendingOutbox(link: link)
        if json {
            struct Asked: Encodable {
                var link: String
                var resyncRequestedAt: String
                var doneBy: String
                var pendingOutboxSent: Int
                var pendingOutboxNotSent: Int
            }
            let asked = try mirror.linkStates().first { $0.link == link }?.resyncRequestedAt ?? at
            return printJSON(
                Asked(
                    link: link, resyncRequestedAt: asked, doneBy: carriedOutBy(holder).trimmingCharacters(in: CharacterSet(charactersIn: ",")),
                    pendingOutboxSent: pending.sent,
                    pendingOutboxNotSent: pending.notSent))
        }
        print("link \(link): resync asked at \(at): \(carriedOutBy(holder)) does it; tasksync journal shows a resync entry when it is done")
        for line in try outboxLines(mirror) { print(line) }
    }

    /// What happens to the link's outbox rows still pending.
    private func outboxLines(_ mirror: Mirror) throws -> [String] {
        let pending = try mirror.pendingOutbox(link: link)
        var lines: [String] = []
        if pending.sent > 0 {
            lines.append(
                "  \(pending.sent) writes of an earlier cycle were sent without an answer: the resync looks for their copies first "
                    + "(by the fields they were sent with) and links them; nothing is made twice")
        }
        if pending.notSent > 0 {
            lines.append("  \(pending.notSent) writes of an earlier cycle were never sent: the resync plans them again from what the members hold")
        }
        return lines
    }

    private func finish(_ report: CycleReport) throws {
        print(render(report, json: json))
        let status = ExitStatus.of(report)
        if status != ExitStatus.inSync { throw ExitCode(status) }
    }
}
