import Foundation
import Testing

/// What `tasksync sync` prints for a person to read.
@Suite("What sync prints", .serialized)
struct OutputTests {
    func sync(_ h: DaemonHarness, _ extra: [String] = []) async throws -> (Int32, String) {
        let (status, out) = try await h.runToEnd(["sync", "--config", h.configPath] + extra, timeout: 30)
        return (status, out)
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test("with a provider down, sync says which one and why, and never 'in sync: nothing to do'")
    func failedProviderIsNotInSync() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        await h.pr.inject(.status(503), times: 5)
        let (status, out) = try await sync(h)
        #expect(status == 2)
        #expect(!out.contains("in sync"), "\(out)")
        #expect(out.contains("productive failed"), "\(out)")
        #expect(out.contains("503"), "\(out)")
    }

    @Test("the deletion guard is said once, in words, with the share, the limit and the key")
    func deletionGuardSaidOnce() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        try h.configText.replacingOccurrences(
            of: "members = [\"helpspace\", \"productive\"]", with: "members = [\"helpspace\", \"productive\"]\non_delete = \"delete\""
        )
        .write(toFile: h.configPath, atomically: true, encoding: .utf8)
        var ids: [Int64] = []
        for i in 0..<4 { ids.append(await h.hs.seed(title: "Guarded \(i)")) }
        #expect(try await sync(h).0 == 0)
        for id in ids.prefix(2) { await h.hs.remove(id) }
        let (status, out) = try await sync(h)
        #expect(status == 3)
        #expect(count("max_delete_share", in: out) == 1, "\(out)")
        #expect(out.contains("2 of 4 tasks (50%)"), "\(out)")
        #expect(out.contains("0.25"), "\(out)")
    }

    @Test("a capability note is printed once per link, not per task or cycle")
    func capabilityNoteOnce() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        for i in 0..<3 { await h.pr.seed(title: "Noted \(i)") }
        let (_, out) = try await sync(h)
        #expect(count("cannot write comments", in: out) == 1, "\(out)")
        let (_, again) = try await sync(h)
        #expect(count("cannot write comments", in: again) == 1, "\(again)")
    }
}
