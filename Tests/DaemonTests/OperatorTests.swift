import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 12, "Under systemd": the units, the reload, the exit codes, the
/// instances and the version, as an operator meets them.
@Suite("Operator readiness under systemd: units, reload, exit codes, instances, version", .serialized)
struct OperatorTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// One unit file's `Key=value` lines, by section; a key given twice keeps both, in order.
    struct Unit {
        var sections: [String: [(key: String, value: String)]] = [:]

        init(_ name: String, instance: String? = nil) throws {
            var text = try String(contentsOf: OperatorTests.root.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
            if let instance { text = text.replacingOccurrences(of: "%i", with: instance) }
            var section = ""
            for raw in text.split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || line.hasPrefix("#") { continue }
                if line.hasPrefix("[") {
                    section = String(line.dropFirst().dropLast())
                } else if let eq = line.firstIndex(of: "=") {
                    sections[section, default: []].append((String(line[..<eq]), String(line[line.index(after: eq)...])))
                }
            }
        }

        func values(_ section: String, _ key: String) -> [String] { (sections[section] ?? []).filter { $0.key == key }.map(\.value) }
        func value(_ section: String, _ key: String) -> String? { values(section, key).last }
    }

    /// systemd's time spans as these units write them: `10s`, `10min`, `180s`, a bare number of seconds.
    static func seconds(_ span: String?) -> Double? {
        guard let span else { return nil }
        for (suffix, factor) in [("min", 60.0), ("s", 1.0), ("h", 3600.0)] where span.hasSuffix(suffix) {
            return Double(span.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(span)
    }

    /// Runs a unit's command line as systemd runs it (split on spaces, no shell).
    static func runCommandLine(_ line: String, in dir: String, timeout: Double = 30) async throws -> (status: Int32, out: String, err: String) {
        let words = line.split(separator: " ").map(String.init)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: words[0])
        p.arguments = Array(words.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        env["JOURNAL_STREAM"] = nil
        p.environment = env
        let tag = UUID().uuidString.prefix(8)
        let outPath = dir + "/cmd-\(tag).out"
        let errPath = dir + "/cmd-\(tag).err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        let end = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < end { try await Task.sleep(for: .milliseconds(50)) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return (p.terminationStatus, read(outPath), read(errPath))
    }

    /// The unit's ExecReload= lines in order, as systemd runs them: the first
    /// that fails ends the reload, and `systemctl reload` fails with it.
    static func reload(_ unit: Unit, binary: String, config: String, mainPID: Int32, dir: String) async throws -> [(status: Int32, err: String)] {
        var results: [(Int32, String)] = []
        for line in unit.values("Service", "ExecReload") {
            let command =
                line
                .replacingOccurrences(of: "/usr/local/bin/tasksync", with: binary)
                .replacingOccurrences(of: "/etc/tasksync/reloaded.toml", with: config)
                .replacingOccurrences(of: "$MAINPID", with: "\(mainPID)")
            let r = try await runCommandLine(command, in: dir)
            results.append((r.status, r.err + r.out))
            if r.status != 0 { break }
        }
        return results
    }

    /// Text with every run of whitespace made one space (help text wraps).
    static func flat(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    @Test("both units and the template instance verify (systemd-analyze verify says nothing, exposure at most 2.0)")
    func unitsVerify() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-units-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try await Self.runCommandLine(Self.root.path + "/scripts/verify-units " + tasksyncBinary, in: dir, timeout: 60)
        #expect(r.status == 0, "\(r.err)")
        #expect(!r.err.contains("verify"), "\(r.err)")
    }

    @Test("exit 78 is not restarted, 75 is, and the start limit holds: more starts than fit its interval at RestartSec")
    func restartPolicy() throws {
        for name in ["tasksync.service", "tasksync@.service"] {
            let unit = try Unit(name, instance: name.contains("@") ? "work" : nil)
            let prevented = unit.values("Service", "RestartPreventExitStatus").flatMap { $0.split(separator: " ").map(String.init) }
            #expect(prevented.contains("78"), "\(name)")
            #expect(!prevented.contains("75"), "\(name): a held lock is retried")
            #expect(unit.value("Service", "Restart") == "on-failure", "\(name)")
            // In [Unit]: systemd ignores them in [Service].
            let interval = try #require(Self.seconds(unit.value("Unit", "StartLimitIntervalSec")), "\(name)")
            let burst = try #require(unit.value("Unit", "StartLimitBurst").flatMap(Double.init), "\(name)")
            let restartSec = try #require(Self.seconds(unit.value("Service", "RestartSec")), "\(name)")
            #expect(burst * restartSec < interval, "\(name): failing starts RestartSec apart reach the limit")
            #expect(unit.values("Service", "StartLimitIntervalSec").isEmpty && unit.values("Service", "StartLimitBurst").isEmpty)
        }
    }

    /// `SyncEngine.ProcessMemory.mallocTunables`, written out: the units and the program must agree on it.
    static let mallocTunables = "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=131072"

    @Test("the units set glibc's malloc tunables; started without them, tasksync executes itself again with them (same pid)")
    func mallocTunables() async throws {
        for name in ["tasksync.service", "tasksync@.service"] {
            let unit = try Unit(name, instance: name.contains("@") ? "work" : nil)
            #expect(unit.values("Service", "Environment").contains("GLIBC_TUNABLES=\(Self.mallocTunables)"), "\(name)")
        }
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        // An empty value names no malloc setting: the daemon adds its own.
        let daemon = h.process(["run", "--config", h.configPath], environment: ["GLIBC_TUNABLES": ""])
        try daemon.run()
        let pid = daemon.processIdentifier
        // glibc, parsing the value at start, cuts it at its colons in place: read them back as colons.
        var environment = ""
        for _ in 0..<200 {
            environment = ((try? String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8)) ?? "").replacingOccurrences(of: "\0", with: ":")
            if environment.contains(Self.mallocTunables) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
        kill(pid, SIGTERM)
        #expect(await h.waitForExit(daemon, timeout: 30))
        #expect(name.hasPrefix("tasksync"), "the process keeps its name (ps, journald's _COMM): \(name)")
        #expect(
            (":" + environment).contains(":GLIBC_TUNABLES=\(Self.mallocTunables):"),  // it may be the first entry
            "the process \(pid) runs with the tunables: \(environment.split(separator: ":").filter { $0.hasPrefix("GLIBC") || $0.hasPrefix("glibc") })")
    }

    @Test("run exits 78 on a broken config, its first line naming the version")
    func brokenConfigExit() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let broken = h.dir + "/broken.toml"
        try h.configText.appending("\n[[link]]\nname = \"second\"\nmembers = [\"helpspace\"]\n").write(toFile: broken, atomically: true, encoding: .utf8)
        let (status, _) = try await h.runToEnd(["run", "--config", broken], timeout: 30)
        #expect(status == 78)
        let (versionStatus, versionOut) = try await h.runToEnd(["--version"], timeout: 30)
        #expect(versionStatus == 0)
        let version = versionOut.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.wholeMatch(of: /tasksync \d+\.\d+\.\d+.*/) != nil, "\(version)")
        // The package (scripts/package-deb) takes its version from the file VERSION: the two agree.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("VERSION"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version == "tasksync \(file)", "tasksyncVersion in TaskSync.swift and the file VERSION differ")
        let first = h.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("\(version) starting"), "\(first)")
        #expect(h.stderr.contains("link[1] (second).members"))
    }

    @Test("the reload's own command fails on a broken config with check-config's message; the daemon keeps running, unsignalled")
    func reloadFailsVisibly() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let listener = try DatagramListener(path: h.dir + "/notify.sock")
        defer { listener.stop() }
        let daemon = h.process(["run", "--config", h.configPath], environment: ["NOTIFY_SOCKET": listener.path], stderrPath: h.dir + "/daemon.log")
        try daemon.run()
        #expect(await listener.waitFor { $0.contains("STATUS=cycle 1:") })
        let unit = try Unit("tasksync@.service", instance: "reloaded")
        #expect(unit.values("Service", "ExecReload").count == 2)
        #expect(unit.values("Service", "ExecReload").last == "/bin/kill -HUP $MAINPID")

        let good = h.configText
        try good.appending("\n[[link]]\nname = \"second\"\nmembers = [\"helpspace\"]\n").write(toFile: h.configPath, atomically: true, encoding: .utf8)
        let failed = try await Self.reload(unit, binary: tasksyncBinary, config: h.configPath, mainPID: daemon.processIdentifier, dir: h.dir)
        #expect(failed.count == 1, "the signal is not sent")
        #expect(failed.first?.status == 78)
        #expect(failed.first?.err.contains("\(h.configPath): link[1] (second).members") == true, "\(failed)")
        try await Task.sleep(for: .seconds(1))
        #expect(!listener.messages.contains { $0.contains("RELOADING=1") })
        #expect(daemon.isRunning)

        try good.write(toFile: h.configPath, atomically: true, encoding: .utf8)
        let done = try await Self.reload(unit, binary: tasksyncBinary, config: h.configPath, mainPID: daemon.processIdentifier, dir: h.dir)
        #expect(done.map(\.status) == [0, 0], "\(done)")
        #expect(await listener.waitFor { $0.contains("STATUS=config reloaded") })
        kill(daemon.processIdentifier, SIGTERM)
        #expect(await h.waitForExit(daemon, timeout: 20))
        #expect(daemon.terminationStatus == 0)
    }

    @Test("sync exits 77 when a provider refuses the credentials, 69 when one cannot be reached, 77 when both; sync --help lists them")
    func providerExitCodes() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        await h.hs.seed(title: "Still synced")
        await h.pr.inject(.status(401), times: 1000)
        let (refused, refusedOut) = try await h.runToEnd(["sync", "--config", h.configPath, "--mirror", h.dir + "/a.sqlite"], timeout: 60)
        #expect(refused == 77, "\(refusedOut)")
        #expect(refusedOut.contains("HTTP 401"))
        let (_, json) = try await h.runToEnd(["sync", "--dry-run", "--json", "--config", h.configPath, "--mirror", h.dir + "/a.sqlite"], timeout: 60)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(report["provider_failures"] as? [String: String] == ["productive": "unauthorized"], "\(json)")

        let unreachable = h.dir + "/unreachable.toml"
        // Productive's base_url (the second provider) points at a port nothing listens on.
        let productiveURL = try #require(h.configText.split(separator: "\n").filter { $0.hasPrefix("base_url = ") }.last)
        try h.configText.replacingOccurrences(of: productiveURL, with: "base_url = \"http://127.0.0.1:9\"")
            .write(toFile: unreachable, atomically: true, encoding: .utf8)
        #expect(try String(contentsOfFile: unreachable, encoding: .utf8).contains("127.0.0.1:9"))
        let (down, downOut) = try await h.runToEnd(["sync", "--config", unreachable, "--mirror", h.dir + "/b.sqlite"], timeout: 60)
        #expect(down == 69, "\(downOut)")
        #expect(downOut.contains("network error"))

        await h.hs.inject(.status(403), times: 1000)
        let (both, bothOut) = try await h.runToEnd(["sync", "--config", unreachable, "--mirror", h.dir + "/c.sqlite"], timeout: 60)
        #expect(both == 77, "credentials refused wins over unreachable: \(bothOut)")

        let (_, help) = try await h.runToEnd(["sync", "--help"], timeout: 30)
        let text = Self.flat(help)
        #expect(text.contains("77 a provider refused the credentials"))
        #expect(text.contains("69 a provider could not be reached"))
        #expect(text.contains("When several apply: 3, then 4, then 77, then 69, then 2"))
    }

    @Test("--instance NAME reads the config and the mirror the template unit passes for tasksync@NAME")
    func instancePaths() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let name = "ops-test-\(UUID().uuidString.prefix(6).lowercased())"
        let unit = try Unit("tasksync@.service", instance: name)
        let start = try #require(unit.value("Service", "ExecStart")).split(separator: " ").map(String.init)
        let config = try #require(start.firstIndex(of: "--config").map { start[$0 + 1] })
        let mirror = try #require(start.firstIndex(of: "--mirror").map { start[$0 + 1] })
        let stateDirectory = try #require(unit.value("Service", "StateDirectory"))
        #expect(mirror.hasPrefix("/var/lib/\(stateDirectory)/"), "the mirror is in the instance's own state directory")
        #expect(!stateDirectory.hasPrefix("tasksync/"), "not nested in tasksync.service's own")
        #expect(unit.values("Service", "ExecReload").first?.hasSuffix("check-config --config \(config)") == true)

        // No such instance here: each command names the path it looked at.
        for command in ["status", "journal", "mappings", "conflicts"] {
            let (status, _) = try await h.runToEnd([command, "--instance", name], timeout: 30, stderrPath: h.dir + "/\(command).log")
            #expect(status == 74)
            #expect(h.text(h.dir + "/\(command).log").contains("no mirror at \(mirror)"), "\(command)")
        }
        let (syncStatus, _) = try await h.runToEnd(["sync", "--dry-run", "--instance", name], timeout: 30, stderrPath: h.dir + "/sync.log")
        #expect(syncStatus == 78)
        #expect(h.text(h.dir + "/sync.log").contains(config))
        let (bad, _) = try await h.runToEnd(["status", "--instance", "../etc"], timeout: 30)
        #expect(bad == 64)

        // Without --instance or --mirror, the config's own [sync] mirror.
        let (synced, _) = try await h.runToEnd(["sync", "--config", h.configPath], timeout: 60)
        #expect(synced == 0)
        let (shown, out) = try await h.runToEnd(["status", "--config", h.configPath], timeout: 30)
        #expect(shown == 0)
        #expect(out.contains("last cycle 1"))
    }
}
