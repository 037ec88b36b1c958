import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the `tasksync-fakes` program is.
public enum FakesProgram {
    public static let name = "tasksync-fakes"
    /// Names the program to run instead of looking for it (tests).
    public static let environmentVariable = "TASKSYNC_FAKES"
    /// Where the Debian package installs it.
    public static let packagedPath = "/usr/lib/tasksync/tasksync-fakes"

    /// No program where it was looked for.
    public struct Missing: Error, CustomStringConvertible {
        /// Who needs it: `tasksync demo`, `tasksync-benchmark`.
        public var neededBy: String
        public var looked: [String]
        public var fromEnvironment: Bool

        public var description: String {
            let where_ =
                fromEnvironment
                ? "$\(FakesProgram.environmentVariable) names \(looked[0]), which is not an executable file"
                : "looked for it at " + looked.joined(separator: ", ")
            return "\(neededBy) needs the \(FakesProgram.name) program (the fake providers it syncs against), and found none: \(where_). "
                + "It is built with tasksync (swift build --product \(FakesProgram.name)) and installed next to it, or at \(FakesProgram.packagedPath) "
                + "by the package; $\(FakesProgram.environmentVariable) names another path."
        }
    }

    /// This process's executable, symlinks resolved.
    public static var ownExecutable: String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
    }

    /// Where to look, in order: `$TASKSYNC_FAKES` alone when it is set; otherwise
    /// next to this executable, in `../lib/tasksync/` from it (`PREFIX/bin` and
    /// `PREFIX/lib/tasksync`), and at ``packagedPath``.
    public static func candidates(environment: [String: String], executable: String?) -> (paths: [String], fromEnvironment: Bool) {
        if let named = environment[environmentVariable], !named.isEmpty { return ([named], true) }
        var paths: [String] = []
        if let executable {
            let dir = URL(fileURLWithPath: executable).deletingLastPathComponent()
            paths.append(dir.appendingPathComponent(name).path)
            paths.append(dir.deletingLastPathComponent().appendingPathComponent("lib/tasksync/\(name)").standardizedFileURL.path)
        }
        paths.append(packagedPath)
        var seen = Set<String>()
        return (paths.filter { seen.insert($0).inserted }, false)
    }

    /// The program's path, or ``Missing`` saying where it was looked for.
    public static func locate(
        neededBy: String, environment: [String: String] = ProcessInfo.processInfo.environment, executable: String? = ownExecutable
    ) throws -> String {
        let (paths, fromEnvironment) = candidates(environment: environment, executable: executable)
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue, access(path, X_OK) == 0 {
                return path
            }
        }
        throw Missing(neededBy: neededBy, looked: paths, fromEnvironment: fromEnvironment)
    }
}

public enum FakesChildError: Error, CustomStringConvertible {
    case endedEarly(String)
    case timedOut(String)
    case refused(command: String, message: String)
    case protocolError(String)

    public var description: String {
        switch self {
        case .endedEarly(let what): "\(FakesProgram.name) ended \(what)"
        case .timedOut(let what): "\(FakesProgram.name) did not answer \(what) in time"
        case .refused(let command, let message): "\(FakesProgram.name) refused '\(command)': \(message)"
        case .protocolError(let message): "\(FakesProgram.name): \(message)"
        }
    }
}

/// A running `tasksync-fakes`: its `ready` line, and its commands as methods.
/// Its output is read on a thread of its own (``LineReader``), never on
/// Swift's cooperative pool. Call ``stop(timeout:)`` when done: it ends the
/// child, by SIGKILL if need be. If this process ends first, however it
/// ends, the child's stdin closes and it exits.
///
/// One caller at a time: a command waits for its answer before the next.
public final class FakesChild: @unchecked Sendable {
    public let ready: FakesReady
    public var pid: Int32 { process.processIdentifier }
    private let process: ChildProcess
    private let toChild: Pipe
    private let fromChild: Pipe
    private let output: LineReader

    private init(process: ChildProcess, toChild: Pipe, fromChild: Pipe, output: LineReader, ready: FakesReady) {
        self.process = process
        self.toChild = toChild
        self.fromChild = fromChild
        self.output = output
        self.ready = ready
    }

    /// Starts the program and waits for its `ready` line. Its stderr is this
    /// process's. SIGPIPE is ignored from then on in this process: a child
    /// that has ended gives an error on the next command, not the end of this one.
    public static func start(program: String, arguments: [String] = [], readyTimeout: Double = 120) async throws -> FakesChild {
        signal(SIGPIPE, SIG_IGN)
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let toChild = Pipe()
        let fromChild = Pipe()
        process.standardInput = toChild
        process.standardOutput = fromChild
        try process.run()
        let output = LineReader(fileDescriptor: fromChild.fileHandleForReading.fileDescriptor)
        func fail(_ error: FakesChildError) async -> FakesChildError {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? toChild.fileHandleForWriting.close()
            _ = await waitForExit(process, timeout: 10)
            return error
        }
        switch await output.next(timeout: readyTimeout) {
        case .line(let line) where line.hasPrefix(FakesReady.prefix):
            do {
                let ready = try FakesJSON.decode(FakesReady.self, from: line.dropFirst(FakesReady.prefix.count))
                return FakesChild(process: process, toChild: toChild, fromChild: fromChild, output: output, ready: ready)
            } catch {
                throw await fail(.protocolError("unreadable ready line: \(line)"))
            }
        case .line(let line): throw await fail(.protocolError("expected a ready line, got: \(line)"))
        case .end:
            _ = await waitForExit(process, timeout: 10)
            throw await fail(.endedEarly("before its fakes were ready (\(exitText(process)))"))
        case .timedOut: throw await fail(.timedOut("with its ready line"))
        }
    }

    static func exitText(_ process: ChildProcess) -> String {
        if process.isRunning { return "still running" }
        return process.terminationReason == .uncaughtSignal
            ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
    }

    static func waitForExit(_ process: ChildProcess, timeout: Double) async -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { try? await Task.sleep(for: .milliseconds(20)) }
        return !process.isRunning
    }

    /// Sends one command; returns what follows `ok ` in the answer (nil for a bare `ok`).
    @discardableResult
    public func send(_ command: String, timeout: Double = 60) async throws -> String? {
        do {
            try toChild.fileHandleForWriting.write(contentsOf: Data((command + "\n").utf8))
        } catch {
            throw FakesChildError.endedEarly("before '\(command)' (\(Self.exitText(process)))")
        }
        switch await output.next(timeout: timeout) {
        case .line("ok"): return nil
        case .line(let line) where line.hasPrefix("ok "): return String(line.dropFirst(3))
        case .line(let line) where line.hasPrefix("error "): throw FakesChildError.refused(command: command, message: String(line.dropFirst(6)))
        case .line(let line): throw FakesChildError.protocolError("unexpected answer to '\(command)': \(line)")
        case .end: throw FakesChildError.endedEarly("before answering '\(command)'")
        case .timedOut: throw FakesChildError.timedOut("'\(command)'")
        }
    }

    /// A command whose answer is `ok JSON`.
    public func request<T: Decodable>(_ command: String, as type: T.Type) async throws -> T {
        guard let json = try await send(command) else { throw FakesChildError.protocolError("'\(command)' answered no value") }
        return try FakesJSON.decode(type, from: json)
    }

    /// A user's edit in that provider's own UI.
    public func edit(_ kind: String, _ id: String, _ edit: FakeEdit) async throws {
        try await send("edit \(kind) \(id) \(FakesJSON.line(edit))")
    }

    /// The live top-level tasks of that fake, by id; with `limit`, the first that many.
    public func tasks(_ kind: String, limit: Int? = nil) async throws -> [FakeTaskSnapshot] {
        try await request("tasks \(kind)" + (limit.map { " \($0)" } ?? ""), as: [FakeTaskSnapshot].self)
    }

    /// Each fake's requests since the last ``resetLedgers()``, by kind.
    public func ledgers() async throws -> [String: FakeLedgerCounts] {
        try await request("ledger", as: [String: FakeLedgerCounts].self)
    }

    public func resetLedgers() async throws { try await send("reset") }

    /// Moves the fakes' shared clock on.
    public func advance(seconds: Double) async throws { try await send("advance \(seconds)") }

    /// From now on every answer of that kind's fake (of every fake when nil)
    /// waits `milliseconds` before it is served.
    public func setLatency(milliseconds: Double, kind: String? = nil) async throws {
        try await send("latency \(milliseconds)" + (kind.map { " \($0)" } ?? ""))
    }

    /// Ends the child: `quit`, then its stdin closes; SIGKILL if it is still
    /// running after `timeout` seconds. Safe to call more than once.
    public func stop(timeout: Double = 5) async {
        if process.isRunning { _ = try? await send("quit", timeout: timeout) }
        try? toChild.fileHandleForWriting.close()
        if await Self.waitForExit(process, timeout: timeout) { return }
        kill(process.processIdentifier, SIGKILL)
        _ = await Self.waitForExit(process, timeout: 10)
    }
}
