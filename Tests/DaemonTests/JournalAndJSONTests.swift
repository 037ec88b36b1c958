import Foundation
import GRDB
import Testing

/// `journal --since`, journal retention, JSON output and `demo --keep`, as a user meets them.
@Suite("journal, JSON and demo --keep", .serialized)
struct JournalAndJSONTests {
    func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    /// A harness with one synced task: its cycle wrote journal entries.
    func synced() async throws -> DaemonHarness {
        let h = try await DaemonHarness()
        await h.hs.seed(title: "Journal me", subtasks: ["one"])
        let (status, _) = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 30)
        #expect(status == 0, "stderr: \(h.stderr)")
        return h
    }

    /// ISO 8601 in a given offset, e.g. `+14:00`.
    func iso(_ date: Date, offsetHours: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: offsetHours * 3600)
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        return f.string(from: date)
    }

    @Test("journal --since takes journalctl's forms, compared as times; anything else exits 64 naming the forms")
    func since() async throws {
        let h = try await synced()
        defer { Task { await h.stop() } }
        let journal = { (since: String) in try await h.runToEnd(["journal", "--config", h.configPath, "--since", since], timeout: 30) }
        let all = try await h.runToEnd(["journal", "--config", h.configPath], timeout: 30)
        #expect(all.status == 0)
        let count = lines(all.out).count
        #expect(count > 0, "\(all.out)")
        for form in ["yesterday", "today", "2 hours ago", "-30min", "1h 30min ago", "2026-01-01", "2026-01-01 10:00:00", "2026-01-01T10:00:00Z"] {
            let r = try await journal(form)
            #expect(r.status == 0, "\(form): \(h.stderr)")
            #expect(lines(r.out).count == count, "\(form): \(r.out)")
        }
        for form in ["tomorrow", "+1h", "2099-01-01"] {
            let r = try await journal(form)
            #expect(r.status == 0, "\(form)")
            #expect(r.out.isEmpty, "\(form): \(r.out)")
        }
        // An hour ago written at +14:00 sorts after every `at` as text, but is earlier as a time: every entry.
        let earlier = try await journal(iso(Date().addingTimeInterval(-3600), offsetHours: 14))
        #expect(lines(earlier.out).count == count, "\(earlier.out)")
        // An hour from now written at -11:00 sorts before them as text, but is later: none.
        let later = try await journal(iso(Date().addingTimeInterval(3600), offsetHours: -11))
        #expect(later.out.isEmpty, "\(later.out)")

        let bad = try await h.runToEnd(["journal", "--config", h.configPath, "--since", "last tuesday-ish"], timeout: 30)
        #expect(bad.status == 64)
        #expect(h.stderr.contains("last tuesday-ish"), "\(h.stderr)")
        #expect(h.stderr.contains("yesterday") && h.stderr.contains("2 hours ago"), "\(h.stderr)")
    }

    static func count(_ path: String, _ sql: String) throws -> Int { try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: sql) ?? -1 } }

    /// Makes the older half of the journal 100 days old (one entry in another offset), and adds an old conflict.
    func ageHalf(_ path: String, total: Int) throws {
        try DatabaseQueue(path: path).write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM journal ORDER BY id LIMIT ?", arguments: [total / 2])
            let old = Date().addingTimeInterval(-100 * 86400)
            for (i, id) in ids.enumerated() {
                try db.execute(
                    sql: "UPDATE journal SET at = ? WHERE id = ?",
                    arguments: [i == 0 ? iso(old, offsetHours: 5) : iso(old, offsetHours: 0).replacingOccurrences(of: "+00:00", with: "Z"), id])
            }
            try db.execute(
                sql: """
                    INSERT INTO conflicts (cycle_id, at, link, entity_id, field, winner_provider, winner_value, loser_provider, loser_value)
                    VALUES (1, '2020-01-01T00:00:00.000Z', 'support-web', 1, 'title', 'helpspace', 'a', 'productive', 'b')
                    """)
        }
    }

    @Test("[sync] journal_retention_days: older entries go at the next cycle; conflicts and recent entries stay; 0 keeps all")
    func retention() async throws {
        let h = try await synced()
        defer { Task { await h.stop() } }
        let count = { (sql: String) in try Self.count(h.mirrorPath, sql) }
        let total = try count("SELECT COUNT(*) FROM journal")
        #expect(total >= 2)
        // Half the entries made 100 days old (one in another offset), and an old conflict.
        try ageHalf(h.mirrorPath, total: total)
        let conflicts = try count("SELECT COUNT(*) FROM conflicts")

        // 0 keeps everything.
        try h.configText.replacingOccurrences(of: "poll_interval = 5", with: "poll_interval = 5\njournal_retention_days = 0")
            .write(toFile: h.configPath, atomically: true, encoding: .utf8)
        #expect(try await h.runToEnd(["sync", "--config", h.configPath], timeout: 30).status == 0)
        #expect(try count("SELECT COUNT(*) FROM journal") >= total)

        try h.configText.replacingOccurrences(of: "poll_interval = 5", with: "poll_interval = 5\njournal_retention_days = 30")
            .write(toFile: h.configPath, atomically: true, encoding: .utf8)
        let before = try count("SELECT COUNT(*) FROM journal")
        #expect(try await h.runToEnd(["sync", "--config", h.configPath], timeout: 30).status == 0)
        #expect(try count("SELECT COUNT(*) FROM journal") == before - total / 2)
        #expect(try count("SELECT COUNT(*) FROM journal WHERE julianday(at) < julianday('now') - 30") == 0)
        #expect(try count("SELECT COUNT(*) FROM conflicts") == conflicts)
        let shown = try await h.runToEnd(["journal", "--config", h.configPath, "--limit", "10000"], timeout: 30)
        #expect(lines(shown.out).count == before - total / 2)
    }

    /// Every key in a JSON document, at any depth (dictionary keys of provider names included).
    func keys(_ json: Any) -> [String] {
        if let d = json as? [String: Any] { return d.keys + d.values.flatMap(keys) }
        if let a = json as? [Any] { return a.flatMap(keys) }
        return []
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test("--json: snake_case keys everywhere, field values as JSON values, errors as JSON on stdout with the exit code")
    func jsonOutput() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let id = await h.hs.seed(title: "Before")
        let first = try await h.runToEnd(["sync", "--json", "--config", h.configPath], timeout: 30)
        #expect(first.status == 0, "\(h.stderr)")
        await h.hs.edit(id) { $0.title = "After, renamed" }
        let dry = try await h.runToEnd(["sync", "--dry-run", "--json", "--config", h.configPath], timeout: 30)
        #expect(dry.status == 0)
        let report = try #require(try json(dry.out) as? [String: Any])
        #expect(report["dry_run"] as? Bool == true)
        #expect(report["read_requests"] != nil)
        #expect(try #require(try json(first.out) as? [String: Any])["dry_run"] as? Bool == false)
        #expect(try await h.runToEnd(["sync", "--config", h.configPath], timeout: 30).status == 0)

        let isSnake = { (k: String) in k.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-" } }
        for command in ["status", "journal", "mappings", "conflicts"] {
            let r = try await h.runToEnd([command, "--json", "--config", h.configPath], timeout: 30)
            #expect(r.status == 0, "\(command): \(h.stderr)")
            let doc = try json(r.out)
            #expect(keys(doc).allSatisfy(isSnake), "\(command): \(keys(doc).filter { !isSnake($0) })")
        }
        for (name, text) in [("sync --json", first.out), ("sync --dry-run --json", dry.out)] {
            let found = keys(try json(text))
            #expect(found.allSatisfy(isSnake), "\(name): \(found.filter { !isSnake($0) })")
        }
        let journal = try #require(try json(try await h.runToEnd(["journal", "--json", "--config", h.configPath], timeout: 30).out) as? [[String: Any]])
        let rename = try #require(journal.first { $0["kind"] as? String == "change" && $0["field"] as? String == "title" })
        #expect(rename["old_value"] as? String == "Before")
        #expect(rename["new_value"] as? String == "After, renamed")
        #expect(rename["entity_id"] != nil && rename["cycle_id"] != nil)
        let mappings = try #require(try json(try await h.runToEnd(["mappings", "--json", "--config", h.configPath], timeout: 30).out) as? [[String: Any]])
        #expect(mappings.first?["entity_id"] != nil)

        let missing = try await h.runToEnd(["status", "--json", "--config", h.dir + "/missing.toml"], timeout: 30)
        #expect(missing.status == 78)
        let error = try #require(try json(missing.out) as? [String: Any], "\(missing.out)")
        #expect(error["exit_code"] as? Int == 78)
        #expect((error["error"] as? String)?.contains("missing.toml") == true, "\(error)")
        let bad = try await h.runToEnd(["journal", "--json", "--config", h.configPath, "--since", "soonish"], timeout: 30)
        #expect(bad.status == 64)
        let badError = try #require(try json(bad.out) as? [String: Any], "\(bad.out)")
        #expect(badError["exit_code"] as? Int == 64)
        #expect((badError["error"] as? String)?.contains("soonish") == true)
        let broken = h.dir + "/broken.toml"
        try "[sync\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let syncBroken = try await h.runToEnd(["sync", "--json", "--config", broken], timeout: 30)
        #expect(syncBroken.status == 78)
        #expect(try #require(try json(syncBroken.out) as? [String: Any], "\(syncBroken.out)")["exit_code"] as? Int == 78)
    }

    @Test("demo --keep DIR --serve: a config, 0600 tokens and a mirror that sync and status use; Ctrl-C ends it and DIR stays")
    func demoKeep() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let dir = h.dir + "/kept"
        let outPath = h.dir + "/demo.out"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let demo = h.process(["demo", "--keep", dir, "--serve"])
        demo.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        try demo.run()
        var ready = false
        for _ in 0..<1200 where !ready {
            ready = h.text(outPath).contains("fakes serving until Ctrl-C")
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(ready, "\(h.text(outPath)) \(h.stderr)")
        for name in ["helpspace.token", "productive.token"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name): \(String(mode ?? 0, radix: 8))")
        }
        let config = dir + "/tasksync.toml"
        let sync = try await h.runToEnd(["sync", "--config", config], timeout: 30)
        #expect(sync.status == 0, "\(sync.out) \(h.stderr)")
        let status = try await h.runToEnd(["status", "--config", config], timeout: 30)
        #expect(status.status == 0)
        #expect(status.out.contains("mirror: 3 tasks"), "\(status.out)")
        // The fakes serve from tasksync-fakes, a child of the demo; it ends with the demo.
        let children = childProcesses(of: demo.processIdentifier)
        #expect(children.map(\.name) == ["tasksync-fakes"], "\(children)")
        kill(demo.processIdentifier, SIGINT)
        #expect(await h.exitStatus(demo, timeout: 20) == 0)
        for child in children {
            var ended = false
            for _ in 0..<100 where !ended {
                ended = processEnded(child.pid)
                if !ended { try await Task.sleep(for: .milliseconds(50)) }
            }
            if !ended { kill(child.pid, SIGKILL) }
            #expect(ended, "tasksync-fakes (pid \(child.pid)) still running after the demo ended")
        }
        #expect(try await h.runToEnd(["status", "--config", config], timeout: 30).status == 0)
        #expect(h.text(outPath).contains("config, tokens (0600) and mirror kept in \(dir)"))
    }
}
