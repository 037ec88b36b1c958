import Foundation

/// A few threads of its own for blocking calls (libcurl's easy interface).
///
/// Not GCD: on Linux a dispatch queue runs about one thread per core and
/// does not notice that its threads are blocked in the network, so slow
/// requests would queue behind each other. Up to `limit` threads start as
/// work arrives and end after `idleSeconds` without any.
final class BlockingWorkers: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var threads = 0
    private var idle = 0
    private let limit: Int
    private let idleSeconds: Double

    init(limit: Int, idleSeconds: Double = 30) {
        self.limit = max(1, limit)
        self.idleSeconds = idleSeconds
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        if idle == 0 && threads < limit {
            threads += 1
            let thread = Thread { [self] in work() }
            thread.name = "tasksync-http"
            thread.start()
        }
        condition.signal()
        condition.unlock()
    }

    private func work() {
        condition.lock()
        while true {
            while jobs.isEmpty {
                idle += 1
                let signalled = condition.wait(until: Date().addingTimeInterval(idleSeconds))
                idle -= 1
                if !signalled && jobs.isEmpty {
                    threads -= 1
                    condition.unlock()
                    return
                }
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
            condition.lock()
        }
    }
}
