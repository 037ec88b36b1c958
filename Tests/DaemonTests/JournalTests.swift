import Foundation
import Testing

/// Parses a native journal datagram: `KEY=value\n` fields, or the binary
/// form `KEY\n<64-bit little-endian length><value>\n` for values with newlines.
func journalFields(_ datagram: [UInt8]) -> [(String, String)] {
    var fields: [(String, String)] = []
    var i = 0
    while i < datagram.count {
        guard let end = datagram[i...].firstIndex(of: 10) else { break }
        let line = datagram[i..<end]
        if let eq = line.firstIndex(of: UInt8(ascii: "=")) {
            fields.append((String(decoding: line[..<eq], as: UTF8.self), String(decoding: line[(eq + 1)...], as: UTF8.self)))
            i = end + 1
        } else {
            let name = String(decoding: line, as: UTF8.self)
            var length = 0
            for k in 0..<8 { length |= Int(datagram[end + 1 + k]) << (8 * k) }
            let start = end + 9
            fields.append((name, String(decoding: datagram[start..<(start + length)], as: UTF8.self)))
            i = start + length + 1
        }
    }
    return fields
}

@Suite("journald: the real binary's log entries", .serialized)
struct JournalTests {
    @Test("entries carry TASKSYNC_* fields with valid names, and never a token")
    func fields() async throws {
        let h = try await DaemonHarness()
        defer { Task { await h.stop() } }
        await h.hs.seed(title: "Log me")
        // journald's socket path is compiled into libsystemd: in a private mount
        // namespace, our folder stands in for /run, with our listener as the socket.
        let run = h.dir + "/run"
        try FileManager.default.createDirectory(atPath: run + "/systemd/journal", withIntermediateDirectories: true)
        let listener = try DatagramListener(path: run + "/systemd/journal/socket")
        defer { listener.stop() }
        let sync = h.process(
            ["sync", "--config", h.configPath, "--verbose"], environment: ["TASKSYNC_LOG": "journal"],
            wrapper: ["/usr/bin/unshare", "-m", "sh", "-c", "mount --bind \"$0\" /run && exec \"$@\"", run])
        try sync.run()
        #expect(await h.waitForExit(sync, timeout: 30))
        #expect(sync.terminationStatus == 0, "stderr: \(h.stderr)")
        try await Task.sleep(for: .milliseconds(300))

        let entries = listener.datagrams.map { Dictionary(journalFields($0), uniquingKeysWith: { a, _ in a }) }
        #expect(!entries.isEmpty)
        #expect(entries.allSatisfy { $0["SYSLOG_IDENTIFIER"] == "tasksync" && $0["PRIORITY"] != nil && $0["MESSAGE"] != nil })
        let push = try #require(entries.first { $0["MESSAGE"] == "create-task done" })
        #expect(push["TASKSYNC_PROVIDER"] == "productive")
        #expect(push["TASKSYNC_LINK"] == "support-web")
        #expect(push["TASKSYNC_CYCLE"] == "1")
        #expect(push["TASKSYNC_ENTITY"] != nil)
        #expect(push["TASKSYNC_REMOTE_ID"] != nil)
        for entry in entries {
            for name in entry.keys {
                #expect(
                    name.first.map { $0 >= "A" && $0 <= "Z" } == true && name.allSatisfy { ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" },
                    "\(name)")
            }
        }
        let everything = listener.messages.joined()
        #expect(!everything.contains(h.hs.token))
        #expect(!everything.contains(h.pr.token))
    }
}
