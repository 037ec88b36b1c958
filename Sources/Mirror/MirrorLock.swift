import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One writer per mirror (rule 14): an exclusive `flock` on a file beside
/// the database (`mirror.sqlite.lock`), held for as long as the process
/// runs. The holder writes its pid and what it is into the file, so a
/// second process can say who is in the way.
///
/// The lock is taken before the mirror is opened, so two first starts do not
/// race on the schema migration either. The kernel releases it when the
/// process ends, however it ends: a stale file from a crash locks nothing.
public final class MirrorLock: Sendable {
    /// The mirror this lock guards, as given.
    public let mirrorPath: String
    /// `mirrorPath` + `.lock`.
    public let lockPath: String
    private let fd: Int32

    /// Who holds a lock, as its file says.
    public struct Holder: Sendable, Equatable, CustomStringConvertible {
        public var pid: Int32?
        public var what: String?
        public var since: String?

        public var description: String {
            var text = what ?? "another process"
            if let pid { text += ", pid \(pid)" }
            if let since { text += ", since \(since)" }
            return text
        }
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// Another process holds the lock.
        case held(mirror: String, lockFile: String, by: Holder)
        /// The lock file could not be created or locked.
        case unavailable(lockFile: String, message: String)

        public var description: String {
            switch self {
            case .held(let mirror, let lockFile, let holder):
                "mirror \(mirror) is in use by \(holder) (lock \(lockFile)); one process writes a mirror at a time. "
                    + "Wait for it to finish, or stop it (systemctl stop tasksync); "
                    + "status, journal, mappings, conflicts and sync --dry-run work meanwhile."
            case .unavailable(let lockFile, let message):
                "cannot lock \(lockFile): \(message)"
            }
        }
    }

    /// Takes the lock without waiting, or throws ``Failure/held(mirror:lockFile:by:)``
    /// naming the holder. `holder` says what this process is (`tasksync run --config ...`).
    public init(mirrorPath: String, holder: String) throws {
        self.mirrorPath = mirrorPath
        self.lockPath = mirrorPath + ".lock"
        let directory = (mirrorPath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw Failure.unavailable(lockFile: lockPath, message: "\(error)")
            }
        }
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure.unavailable(lockFile: lockPath, message: String(cString: strerror(errno))) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK {
                throw Failure.held(mirror: mirrorPath, lockFile: lockPath, by: Self.waitForHolder(lockPath))
            }
            throw Failure.unavailable(lockFile: lockPath, message: String(cString: strerror(code)))
        }
        self.fd = fd
        let since = ISO8601DateFormatter().string(from: Date())
        let text = "pid=\(getpid())\nholder=\(holder.replacingOccurrences(of: "\n", with: " "))\nsince=\(since)\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit { close(fd) }  // closing the last descriptor releases the lock

    /// What the lock file says about its holder.
    public static func holder(_ lockPath: String) -> Holder {
        guard let text = try? String(contentsOfFile: lockPath, encoding: .utf8) else { return Holder() }
        var holder = Holder()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "pid": holder.pid = Int32(parts[1])
            case "holder": holder.what = parts[1]
            case "since": holder.since = parts[1]
            default: break
            }
        }
        return holder
    }

    /// The holder writes its pid right after it takes the lock: a process
    /// that lost the race by a hair may find the file still empty, so it
    /// looks again for a moment before it answers without a pid.
    static func waitForHolder(_ lockPath: String) -> Holder {
        var holder = holder(lockPath)
        for _ in 0..<20 where holder.pid == nil {
            usleep(25_000)
            holder = Self.holder(lockPath)
        }
        return holder
    }
}
