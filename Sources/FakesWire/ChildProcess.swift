import CSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, with the part of
/// Foundation's `Process` interface that tasksync's programs and tests use.
///
/// Why not `Process`: on Linux, swift-corelibs-foundation 6.3.1's
/// `Process.run()` crashes now and then (SIGSEGV in a memmove: it copies
/// a whole 256-byte `d_name` out of each `/proc/self/fd` entry, reading
/// past glibc's buffer; swiftlang/swift-corelibs-foundation#5472, fixed
/// upstream after 6.3.1). A test suite that starts hundreds of processes
/// hit it. Here the child gets its descriptors 0-2 by `dup2` and every
/// other descriptor closed by `posix_spawn_file_actions_addclosefrom_np`,
/// with no directory walk.
///
/// Contract: set the properties, `run()` once. Standard streams take a
/// `FileHandle` (its descriptor is duplicated; the caller keeps the handle)
/// or a `Pipe` (the child's end is duplicated and then closed here, as
/// `Process` does, so the parent's end sees EOF when the child exits); nil
/// leaves the parent's own. `isRunning` reaps the child once it has ended.
public final class ChildProcess: @unchecked Sendable {
    public enum TerminationReason: Sendable { case exit, uncaughtSignal }

    public var executableURL: URL?
    public var arguments: [String] = []
    /// Nil: the parent's environment.
    public var environment: [String: String]?
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?

    public private(set) var processIdentifier: Int32 = 0
    private let lock = NSLock()
    private var ended: (status: Int32, reason: TerminationReason)?

    public init() {}

    public struct SpawnError: Error, CustomStringConvertible {
        public var path: String
        public var code: Int32
        public var description: String { "cannot start \(path): \(String(cString: strerror(code)))" }
    }

    public func run() throws {
        let path = executableURL?.path ?? ""
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [FileHandle] = []
        for (target, stream) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
            switch stream {
            case let pipe as Pipe:
                let end = target == 0 ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                posix_spawn_file_actions_adddup2(&actions, end.fileDescriptor, target)
                childEnds.append(end)
            case let handle as FileHandle where handle === FileHandle.nullDevice:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case let handle as FileHandle:
                posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
            default:
                break
            }
        }
        cspawn_addclosefrom(&actions, 3)
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard code == 0 else { throw SpawnError(path: path, code: code) }
        processIdentifier = pid
        for end in childEnds { try? end.close() }
    }

    /// Reaps the child if it has ended; never blocks.
    private func reap() {
        lock.lock()
        defer { lock.unlock() }
        guard ended == nil, processIdentifier > 0 else { return }
        var status: Int32 = 0
        let r = waitpid(processIdentifier, &status, WNOHANG)
        guard r == processIdentifier else { return }
        let signal = status & 0x7f
        ended = signal == 0 ? ((status >> 8) & 0xff, .exit) : (signal, .uncaughtSignal)
    }

    public var isRunning: Bool {
        reap()
        lock.lock()
        defer { lock.unlock() }
        return processIdentifier > 0 && ended == nil
    }

    /// The exit status, or the signal that ended it; 0 while it runs.
    public var terminationStatus: Int32 {
        reap()
        lock.lock()
        defer { lock.unlock() }
        return ended?.status ?? 0
    }

    public var terminationReason: TerminationReason {
        reap()
        lock.lock()
        defer { lock.unlock() }
        return ended?.reason ?? .exit
    }

    /// Blocks the calling thread until the child ends (polls every 10 ms).
    public func waitUntilExit() {
        while isRunning { usleep(10_000) }
    }
}
