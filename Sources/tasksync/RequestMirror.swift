import ArgumentParser
import Foundation
import Mirror

/// Writes an operator's request (`resync`, `conflicts restore`) into the
/// mirror in one small transaction. The engine acts on such requests at the
/// start of a link's cycle, never in the middle of one, so the request needs
/// no lock: when another process (the service) holds it, the request is
/// written beside it, without migrating the schema (the holder owns that),
/// and `holder` says who will carry it out. When nobody holds the lock,
/// this process takes it for the write, as `pause` does, and `holder` is nil.
func writeRequest<T>(mirrorPath path: String, _ body: (MirrorWriter) throws -> T) throws -> (value: T, holder: MirrorLock.Holder?) {
    var lock: MirrorLock?
    var holder: MirrorLock.Holder?
    do { lock = try MirrorLock(mirrorPath: path, holder: Setup.holderDescription) } catch MirrorLock.Failure.held(_, _, let by) {
        holder = by
    } catch {
        printError("\(error)")
        throw ExitCode(ExitStatus.locked)
    }
    defer { withExtendedLifetime(lock) {} }
    do {
        let mirror = try Mirror(path: path, migrate: lock != nil)
        return (try mirror.write(body), holder)
    } catch {
        printError("mirror \(path): \(error)")
        throw ExitCode(ExitStatus.mirrorError)
    }
}

/// Who carries out a request written beside `holder` (nil: nobody held the
/// lock), as the subject of the sentence that says what it does.
func carriedOutBy(_ holder: MirrorLock.Holder?) -> String {
    guard let holder else { return "the link's next cycle (the service's, or the next tasksync sync)" }
    return "the next cycle of the link by \(holder), which holds the mirror (the service: within its poll_interval),"
}
