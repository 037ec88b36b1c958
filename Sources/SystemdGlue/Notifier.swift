import CSystemd
import Foundation

/// Tells systemd how the service is doing (`sd_notify`): READY=1 once the
/// config and the mirror are good, STATUS= after each cycle, WATCHDOG=1 while
/// the loop makes progress, RELOADING=1 and STOPPING=1.
///
/// Outside systemd (no `NOTIFY_SOCKET`), every call does nothing: the same
/// binary runs by hand, in tests and under systemd.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Sends one or more `KEY=value` assignments in one datagram.
    public func notify(_ assignments: [String]) {
        let message = assignments.map(Self.oneLine).joined(separator: "\n")
        _ = sd_notify(0, message)
    }

    public func ready(status: String) { notify(["READY=1", "STATUS=\(status)"]) }
    public func status(_ text: String) { notify(["STATUS=\(text)"]) }
    public func watchdog() { notify(["WATCHDOG=1"]) }
    public func stopping() { notify(["STOPPING=1", "STATUS=stopping"]) }

    /// RELOADING=1, with the monotonic time newer systemd versions ask for.
    public func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
        notify(["RELOADING=1", "MONOTONIC_USEC=\(usec)", "STATUS=reloading the config"])
    }

    /// The watchdog interval systemd expects pings within (`WatchdogSec=`),
    /// or nil when there is no watchdog for this process.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    /// A STATUS= value is one line.
    static func oneLine(_ s: String) -> String {
        String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
