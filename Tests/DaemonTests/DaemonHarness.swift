import FakesWire
import Foundation
import ProviderFakes
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `tasksync` binary, next to the test bundle.
let tasksyncBinary: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/tasksync").path
}()

/// The built `tasksync-fakes`, next to `tasksync`: where `tasksync demo` finds it.
let tasksyncFakesBinary = URL(fileURLWithPath: tasksyncBinary).deletingLastPathComponent().appendingPathComponent("tasksync-fakes").path

/// The pids of `parent`'s children (from /proc/PID/stat), with their names (comm).
func childProcesses(of parent: Int32) -> [(pid: Int32, name: String)] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).compactMap { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let open = stat.firstIndex(of: "("),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 1, Int32(fields[1]) == parent else { return nil }
        return (pid, String(stat[stat.index(after: open)..<close]))
    }
}

/// Whether the process has ended (gone, or a zombie not yet reaped).
func processEnded(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
}

/// A Unix datagram socket bound to a path, collecting what arrives: stands
/// in for systemd's notify socket or journald's socket.
final class DatagramListener: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [(at: Date, bytes: [UInt8])] = []
    private var running = true
    private var thread: Thread?

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in loop() }
        self.thread = thread
        thread.start()
    }

    private func loop() {
        var buffer = [UInt8](repeating: 0, count: 1 << 17)
        while true {
            lock.lock()
            let go = running
            lock.unlock()
            guard go else { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                lock.lock()
                received.append((Date(), Array(buffer[0..<n])))
                lock.unlock()
            }
        }
        close(fd)
    }

    var datagrams: [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return received.map(\.bytes)
    }

    var messages: [String] { datagrams.map { String(decoding: $0, as: UTF8.self) } }

    /// Each message with the time it arrived.
    var timedMessages: [(at: Date, text: String)] {
        lock.lock()
        defer { lock.unlock() }
        return received.map { ($0.at, String(decoding: $0.bytes, as: UTF8.self)) }
    }

    /// When the first message satisfying `predicate` arrived.
    func firstTime(_ predicate: (String) -> Bool) -> Date? { timedMessages.first { predicate($0.text) }?.at }

    /// The arrival times of WATCHDOG=1 pings between `start` and `end`.
    func pings(from start: Date, to end: Date) -> [Date] {
        timedMessages.filter { $0.text.contains("WATCHDOG=1") && $0.at >= start && $0.at <= end }.map(\.at)
    }

    /// Waits until a datagram satisfies `predicate`, up to `timeout` seconds.
    @discardableResult
    func waitFor(_ timeout: Double = 20, _ predicate: (String) -> Bool) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if messages.contains(where: predicate) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func stop() {
        lock.lock()
        running = false
        lock.unlock()
        unlink(path)
    }
}

/// Two fakes, a config in a fresh folder, and the real binary to run against them.
final class DaemonHarness: @unchecked Sendable {
    let hs = FakeHelpSpace()
    let pr = FakeProductive()
    let dir: String
    var configPath: String { dir + "/tasksync.toml" }
    var mirrorPath: String { dir + "/mirror.sqlite" }
    private(set) var configText = ""

    init() async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tasksync-daemon-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let hsURL = try await hs.start()
        let prURL = try await pr.start()
        try hs.token.write(toFile: dir + "/helpspace.token", atomically: true, encoding: .utf8)
        try pr.token.write(toFile: dir + "/productive.token", atomically: true, encoding: .utf8)
        configText = FakeLinkConfig.toml(dir: dir, helpspace: hsURL, productive: prURL, syncOptions: "poll_interval = 5")
        try configText.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// `stderrPath`: a file of its own for this process's stderr (two processes
    /// writing the shared stderr.log at once would overwrite each other).
    func process(_ arguments: [String], environment: [String: String] = [:], wrapper: [String] = [], stderrPath: String? = nil) -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrapper.first ?? tasksyncBinary)
        p.arguments = Array(wrapper.dropFirst()) + (wrapper.isEmpty ? [] : [tasksyncBinary]) + arguments
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        env["JOURNAL_STREAM"] = nil
        env.merge(environment) { $1 }
        p.environment = env
        let errorPath = stderrPath ?? dir + "/stderr.log"
        if !FileManager.default.fileExists(atPath: errorPath) {
            _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        }
        p.standardError = FileHandle(forWritingAtPath: errorPath)
        p.standardOutput = FileHandle.nullDevice
        return p
    }

    var stderr: String { (try? String(contentsOfFile: dir + "/stderr.log", encoding: .utf8)) ?? "" }

    func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Runs the binary to its end; returns its exit status and stdout.
    ///
    /// Stdout goes to a file, and the wait polls: a blocking read here would
    /// hold one of the few threads of Swift's cooperative pool, which the
    /// fakes in this process need to answer the child (on 2 cores, two such
    /// reads starve them until curl's timeout).
    func runToEnd(
        _ arguments: [String], timeout: Double = 60, environment: [String: String] = [:], stderrPath: String? = nil
    ) async throws -> (status: Int32, out: String) {
        let p = process(arguments, environment: environment, stderrPath: stderrPath)
        let outPath = dir + "/stdout-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardOutput = out
        try p.run()
        let status = await exitStatus(p, timeout: timeout) ?? -1
        try? out.close()
        return (status, text(outPath))
    }

    func waitForExit(_ p: Process, timeout: Double) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < end { try? await Task.sleep(for: .milliseconds(50)) }
        return !p.isRunning
    }

    /// Waits for the process to end and returns its exit status; one still
    /// running after `timeout` seconds is killed (SIGKILL) and gives nil.
    func exitStatus(_ p: Process, timeout: Double) async -> Int32? {
        if await waitForExit(p, timeout: timeout) { return p.terminationStatus }
        kill(p.processIdentifier, SIGKILL)
        _ = await waitForExit(p, timeout: 10)
        return nil
    }

    func stop() async {
        await hs.stop()
        await pr.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
