import ArgumentParser
import Foundation
import Logging
import ProviderFakes
import SyncConfig
import SyncEngine

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "See tasksync work in a minute: local fake HelpSpace and Productive, real sync cycles over HTTP.",
        discussion: """
            Starts fakes of both APIs on 127.0.0.1 with a few tasks, writes a config and token \
            files to a temporary folder, and runs real cycles: first the link pairs and copies, \
            then an edit on each side flows across. No account, nothing leaves this machine.
            """)

    @Flag(name: .long, help: "Keep the temporary folder (config, tokens, mirror) and print its path.") var keep = false

    func run() async throws {
        let logger = makeLogger(verbose: false)
        let clock = FakeClock()
        let hs = FakeHelpSpace(clock: clock)
        let pr = FakeProductive(clock: clock)
        let hsURL = try await hs.start()
        let prURL = try await pr.start()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-demo-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        try hs.token.write(toFile: dir + "/helpspace.token", atomically: true, encoding: .utf8)
        try pr.token.write(toFile: dir + "/productive.token", atomically: true, encoding: .utf8)
        let config = try ConfigLoader.parse(
            FakeLinkConfig.toml(
                dir: dir, helpspace: hsURL, productive: prURL, linkOptions: "on_delete = \"archive\"\nmax_delete_share = 0.5", syncOptions: "poll_interval = 30"
            ), source: dir + "/tasksync.toml")

        // What each team already had before the link.
        let login = await hs.seed(
            title: "Fix login redirect", description: "<p>Users land on a 404 after login.</p>", statusID: 2, tags: ["bug"], priority: "high",
            subtasks: ["Reproduce", "Write test"])
        await hs.seed(title: "Café menu: 日本語 labels 🍣", description: "Translate the menu &amp; prices", statusID: 1, tags: ["i18n"])
        await hs.addComment(login, text: "<p>Seen on Firefox too.</p>", author: "Alex Rivera")
        await pr.seed(title: "Fix login redirect", description: "<p>Users land on a 404 after login.</p>", status: "2546", tags: ["bug"])
        let invoice = await pr.seed(title: "Invoice export to CSV", status: "2545", tags: ["billing"])

        let setup = try Setup.build(config, mirrorPath: nil, readOnlyMirror: false, logger: logger)
        print("== HelpSpace at \(hsURL), Productive at \(prURL)")
        print("\n== 1. dry run of the first cycle (nothing is written)")
        print(render(try await Setup.build(config, mirrorPath: nil, readOnlyMirror: true, logger: logger).engine.runCycle(dryRun: true), json: false))
        print("\n== 2. first real cycle: same-title tasks are paired, the rest copied")
        print(render(try await setup.engine.runCycle(), json: false))

        print("\n== 3. a user moves the HelpSpace task to Done; another renames and tags the Productive one")
        await hs.edit(login) { $0.statusID = 3 }
        await pr.edit(invoice) {
            $0.title = "Invoice export to CSV and XLSX"
            $0.tags.append("export")
        }
        print(render(try await setup.engine.runCycle(), json: false))

        print("\n== 4. an idle cycle: nothing changed, nothing is written")
        await hs.resetLedger()
        await pr.resetLedger()
        print(render(try await setup.engine.runCycle(), json: false))
        let hsLedger = await hs.ledger
        let prLedger = await pr.ledger
        print("requests: helpspace \(hsLedger.total) (\(hsLedger.writes) writes), productive \(prLedger.total) (\(prLedger.writes) writes)")

        print("\n== both sides now")
        for t in await hs.liveTasks() {
            print("helpspace  #\(t.id) \"\(t.title)\" status=\(t.statusID) tags=\(t.tags.sorted()) subtasks=\(t.subtasks.map(\.title))")
        }
        for t in await pr.liveTasks() where t.parentID == nil {
            let subs = await pr.liveTasks().filter { $0.parentID == t.id }.map(\.title)
            let comments = await pr.comments(of: t.id).count
            print("productive #\(t.id) \"\(t.title)\" status=\(t.workflowStatusID) tags=\(t.tags.sorted()) subtasks=\(subs) comments=\(comments)")
        }
        print("\nmappings (tasksync mappings):")
        for r in try setup.mirror.mappingRows() where r.kind == "task" {
            print("  #\(r.entityID) \"\(r.title)\" " + r.remotes.sorted { $0.key < $1.key }.map { "\($0.key) #\($0.value)" }.joined(separator: ", "))
        }
        if keep { print("\nconfig, tokens and mirror kept in \(dir)") }
        await hs.stop()
        await pr.stop()
    }
}
