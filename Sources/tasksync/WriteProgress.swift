import Foundation
import Logging

/// Says how a long push is going: per provider, writes settled of the
/// cycle's total, the rate and the time left, at most every `interval`
/// seconds (a push that ends sooner says nothing). Each report is logged
/// (stderr, or the journal under systemd), and passed to `status`
/// (systemd's STATUS= for `run`).
final class WriteProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var started: [String: Date] = [:]
    private var lastSaid: [String: Date] = [:]
    private let interval: Double
    private let logger: Logger
    private let status: @Sendable (String) -> Void

    init(interval: Double = 5, logger: Logger, status: @escaping @Sendable (String) -> Void) {
        self.interval = interval
        self.logger = logger
        self.status = status
    }

    /// The hook for ``EngineHooks/writes``.
    func settled(provider: String, settled: Int, total: Int) {
        let now = Date()
        lock.lock()
        if settled <= 0 || started[provider] == nil { started[provider] = now }
        let start = started[provider] ?? now
        let due = now.timeIntervalSince(lastSaid[provider] ?? start) >= interval
        if due { lastSaid[provider] = now }
        if settled >= total {
            started[provider] = nil
            lastSaid[provider] = nil
        }
        lock.unlock()
        guard due, total > 0 else { return }
        let line = Self.line(provider: provider, settled: settled, total: total, elapsed: now.timeIntervalSince(start))
        logger.notice("\(line)", metadata: ["provider": "\(provider)"])
        status(line)
    }

    /// `productive: 120 of 2000 writes, 11.5/s, about 2 min 44 s left`.
    static func line(provider: String, settled: Int, total: Int, elapsed: Double) -> String {
        let rate = elapsed > 0 ? Double(settled) / elapsed : 0
        var text = "\(provider): \(settled) of \(total) writes"
        if rate > 0 {
            text += String(format: ", %.1f/s", rate)
            if settled < total { text += ", about \(durationText(Double(total - settled) / rate)) left" }
        }
        return text
    }
}
