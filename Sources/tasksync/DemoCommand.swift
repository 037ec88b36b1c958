import ArgumentParser
import FakesWire
import Foundation
import Logging
import ProviderCatalog
import SyncConfig
import SyncEngine
import UnixSignals

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "See tasksync work in a minute: local fake HelpSpace and Productive, real sync cycles over HTTP.",
        discussion: """
            Starts fakes of both APIs on 127.0.0.1 with a few tasks, writes a config and token \
            files to a temporary folder, and runs real cycles: first the link pairs and copies, \
            then an edit on each side flows across. No account, nothing leaves this machine.

            --keep DIR keeps, in DIR: tasksync.toml (the config), helpspace.token and \
            productive.token (mode 0600) and mirror.sqlite (an earlier demo's mirror there is \
            replaced). `tasksync status|journal|mappings|conflicts --config DIR/tasksync.toml` \
            read them at any time. `tasksync sync --config DIR/tasksync.toml` needs the fake \
            providers, which the demo runs in a child process and which forget everything when \
            it ends: add --serve to keep them serving on the same ports until Ctrl-C (SIGINT) or SIGTERM.

            The fakes are a program of their own, tasksync-fakes (the tasksync binary links no \
            fake server): the demo runs $TASKSYNC_FAKES if set, else the one next to its own \
            executable, in ../lib/tasksync/ from it, or /usr/lib/tasksync/tasksync-fakes (the package's).
            """)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keep the config, the token files (0600) and the mirror in this folder (created if missing); see below.", valueName: "dir"))
    var keep: String?
    @Flag(name: .long, help: "With --keep: after the demo, keep the fake providers serving until Ctrl-C, for `tasksync sync` against DIR/tasksync.toml.")
    var serve = false
    @Flag(
        name: .long,
        help:
            "Link a fake of every provider kind there is (\(FakeLinkConfig.kinds.map(\.kind).joined(separator: ", "))) in one link, not only HelpSpace and Productive."
    )
    var all = false

    /// The kinds the demo links, in member order.
    var kinds: [String] { all ? FakeLinkConfig.kinds.map(\.kind) : ["helpspace", "productive"] }

    func validate() throws {
        if serve && keep == nil { throw ValidationError("--serve needs --keep DIR: sync reads the config kept there") }
    }

    /// Writes `text` to `path` with mode 0600, whatever was there and whatever the umask.
    static func writePrivate(_ text: String, to path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    func run() async throws {
        let program: String
        do {
            program = try FakesProgram.locate(neededBy: "tasksync demo")
        } catch let missing as FakesProgram.Missing {
            printError(missing.description)
            throw ExitCode(ExitStatus.missingProgram)
        }
        let fakes = try await FakesChild.start(program: program, arguments: kinds.flatMap { ["--kind", $0] })
        // Whatever happens here, the child ends with the demo (and if this
        // process is killed, its closed stdin ends it).
        do {
            try await session(fakes)
        } catch {
            await fakes.stop()
            throw error
        }
        await fakes.stop()
    }

    func session(_ fakes: FakesChild) async throws {
        let dir =
            keep.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-demo-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: dir) } }
        // The demo's own cycles release the mirror's lock when they end, so a `sync` can take it while --serve waits.
        try await demo(fakes, dir: dir)
        if let keep {
            print("\nconfig, tokens (0600) and mirror kept in \(dir)")
            print("  tasksync status --config \(dir)/tasksync.toml")
            if serve {
                print("  tasksync sync --config \(dir)/tasksync.toml    (fakes serving until Ctrl-C)")
                fflush(nil)  // stdout may be a file: say it before waiting
                for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { break }
                print("stopped serving; \(keep) is kept")
            } else {
                print("  (sync against it needs the fakes: run the demo with --keep \(keep) --serve)")
            }
        }
    }

    func demo(_ fakes: FakesChild, dir: String) async throws {
        let logger = makeLogger(verbose: false)
        let hs = try fakes.ready.fake("helpspace")
        let pr = try fakes.ready.fake("productive")
        // What each team already had before the link: tasksync-fakes seeded it (`--seed demo`).
        guard let login = hs.seeded["login"], let invoice = pr.seeded["invoice"] else {
            throw FakesChildError.protocolError("the ready line names no seeded login (helpspace) or invoice (productive) task")
        }
        let members = try kinds.map { try fakes.ready.fake($0) }
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: dir + "/mirror.sqlite" + suffix) }
        for m in members { try Self.writePrivate(m.token, to: "\(dir)/\(m.kind).token") }
        let text = FakeLinkConfig.toml(
            dir: dir, members: members.map { ($0.kind, $0.kind, $0.baseURL) }, linkOptions: "on_delete = \"archive\"\nmax_delete_share = 0.5",
            syncOptions: "poll_interval = 30")
        try text.write(toFile: dir + "/tasksync.toml", atomically: true, encoding: .utf8)
        let config = try ConfigLoader.parse(text, source: dir + "/tasksync.toml")

        let setup = try Setup.build(config, mirrorPath: nil, readOnlyMirror: false, logger: logger)
        print("== " + members.map { "\($0.kind) at \($0.baseURL)" }.joined(separator: ", "))
        print("\n== 1. dry run of the first cycle (nothing is written)")
        print(render(try await Setup.build(config, mirrorPath: nil, readOnlyMirror: true, logger: logger).engine.runCycle(dryRun: true), json: false))
        print("\n== 2. first real cycle: same-title tasks are paired, the rest copied")
        print(render(try await setup.engine.runCycle(), json: false))

        print("\n== 3. a user moves the HelpSpace task to Done; another renames and tags the Productive one")
        try await fakes.edit("helpspace", login, FakeEdit(status: "3"))
        try await fakes.edit("productive", invoice, FakeEdit(title: "Invoice export to CSV and XLSX", addTags: ["export"]))
        print(render(try await setup.engine.runCycle(), json: false))

        print("\n== 4. an idle cycle: nothing changed, nothing is written")
        try await fakes.resetLedgers()
        print(render(try await setup.engine.runCycle(), json: false))
        let ledgers = try await fakes.ledgers()
        print("requests: " + kinds.map { "\($0) \(ledgers[$0]?.total ?? 0) (\(ledgers[$0]?.writes ?? 0) writes)" }.joined(separator: ", "))

        print("\n== every side now")
        let width = kinds.map(\.count).max() ?? 0
        for kind in kinds {
            for t in try await fakes.tasks(kind) {
                let name = kind + String(repeating: " ", count: width - kind.count)
                print("\(name) #\(t.id) \"\(t.title)\" status=\(t.status) tags=\(t.tags.sorted()) subtasks=\(t.subtasks) comments=\(t.comments)")
            }
        }
        print("\nmappings (tasksync mappings):")
        for r in try setup.mirror.mappingRows() where r.kind == "task" {
            print("  #\(r.entityID) \"\(r.title)\" " + r.remotes.sorted { $0.key < $1.key }.map { "\($0.key) #\($0.value)" }.joined(separator: ", "))
        }
    }
}
