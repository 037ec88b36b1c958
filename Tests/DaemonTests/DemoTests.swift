import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `tasksync demo` and the program that serves its fakes, tasksync-fakes: the
/// shipped binary links no fake server, finds the program or says where it
/// looked, and never leaves it running.
@Suite("demo and tasksync-fakes", .serialized)
struct DemoTests {
    /// Runs `/bin/sh -c script` to its end; returns its stdout, trimmed.
    func shell(_ h: DaemonHarness, _ script: String) async throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        let outPath = h.dir + "/sh-\(UUID().uuidString.prefix(8)).out"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        try p.run()
        _ = await h.exitStatus(p, timeout: 120)
        return h.text(outPath).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// FlyingFox itself is in `tasksync` (it serves the metrics endpoint,
    /// `[metrics]`); the fakes, which run on it, are not.
    @Test("the tasksync binary links no fake server: nm finds no ProviderFakes or FakeHelpSpace symbol in it, and finds both in tasksync-fakes")
    func noFakeServerInTasksync() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        func count(_ binary: String, _ word: String) async throws -> Int {
            try #require(FileManager.default.isExecutableFile(atPath: binary), "\(binary): build it first")
            let out = try await shell(h, "nm '\(binary)' | grep -c '\(word)'")
            return try #require(Int(out), "nm \(binary): \(out) (is binutils installed?)")
        }
        #expect(try await count(tasksyncBinary, "ProviderFakes") == 0)
        #expect(try await count(tasksyncBinary, "FakeHelpSpace") == 0)
        #expect(try await count(tasksyncBinary, "FakeProductive") == 0)
        // The same count finds what is there: the check is not blind.
        #expect(try await count(tasksyncBinary, "SyncEngine") > 0)
        #expect(try await count(tasksyncFakesBinary, "ProviderFakes") > 0)
        #expect(try await count(tasksyncFakesBinary, "FakeHelpSpace") > 0)
    }

    @Test("demo without the tasksync-fakes program: exit 69, saying it needs tasksync-fakes and where it looked")
    func demoWithoutFakes() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        let missing = h.dir + "/nowhere/tasksync-fakes"
        let (status, out) = try await h.runToEnd(["demo"], timeout: 30, environment: ["TASKSYNC_FAKES": missing])
        #expect(status == 69, "\(out) \(h.stderr)")
        #expect(h.stderr.contains("tasksync demo needs the tasksync-fakes program"), "\(h.stderr)")
        #expect(h.stderr.contains("$TASKSYNC_FAKES names \(missing), which is not an executable file"), "\(h.stderr)")
        #expect(!out.contains("=="))
    }

    @Test("demo runs the tasksync-fakes named by $TASKSYNC_FAKES; killed outright (SIGKILL), its child sees stdin close and ends")
    func noOrphanAfterSIGKILL() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        // A symlink elsewhere: the demo runs that one, not the one next to it.
        let named = h.dir + "/fakes-elsewhere"
        try FileManager.default.createSymbolicLink(atPath: named, withDestinationPath: tasksyncFakesBinary)
        let outPath = h.dir + "/demo.out"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let demo = h.process(["demo", "--keep", h.dir + "/kept", "--serve"], environment: ["TASKSYNC_FAKES": named])
        demo.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        try demo.run()
        var ready = false
        for _ in 0..<1200 where !ready {
            ready = h.text(outPath).contains("fakes serving until Ctrl-C")
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(ready, "\(h.text(outPath)) \(h.stderr)")
        #expect(h.text(outPath).contains("requests: helpspace 1 (0 writes), productive 1 (0 writes)"), "\(h.text(outPath))")
        let children = childProcesses(of: demo.processIdentifier)
        #expect(children.map(\.name) == ["fakes-elsewhere"], "\(children)")
        kill(demo.processIdentifier, SIGKILL)
        #expect(await h.exitStatus(demo, timeout: 10) != nil)
        for child in children {
            var ended = false
            for _ in 0..<200 where !ended {
                ended = processEnded(child.pid)
                if !ended { try await Task.sleep(for: .milliseconds(50)) }
            }
            if !ended { kill(child.pid, SIGKILL) }
            #expect(ended, "tasksync-fakes (pid \(child.pid)) still running after its demo was killed")
        }
    }
}
