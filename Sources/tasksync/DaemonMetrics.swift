import Foundation
import HTTPTransport
import Metrics
import Mirror
import Prometheus
import SyncConfig
import SyncEngine
import TaskModel

/// What `tasksync run` counts, for the metrics endpoint (`[metrics]`).
///
/// Every metric goes through swift-metrics' API (`Counter`, `Gauge`); the
/// backend is swift-prometheus' registry, bootstrapped once per process by
/// ``bootstrap()``, which the endpoint renders in the Prometheus text
/// format. Most values come from what exists already: the ``CycleReport``
/// each cycle returns (cycles, errors per provider, conflicts) and the
/// mirror after it (pending outbox rows, each link's last success). Only
/// requests and 429 answers are counted where they happen, in
/// ``CountingTransport``, below each provider's request budget.
///
/// Every configured provider and link has its series from the start, at 0:
/// a counter that never moved is still there to compare against.
final class DaemonMetrics: Sendable {
    /// What the endpoint renders.
    let registry: PrometheusCollectorRegistry
    /// `tasksync_cycles_total`: cycles run, whatever their outcome.
    private let cycles: Metrics.Counter
    /// `tasksync_cycle_failures_total`: cycles that failed as a whole (the
    /// mirror could not be written) or ended `partial` or `stopped`.
    private let cycleFailures: Metrics.Counter
    private let made = Made()

    /// The metric names, as the endpoint shows them.
    enum Name {
        static let cycles = "tasksync_cycles_total"
        static let cycleFailures = "tasksync_cycle_failures_total"
        static let requests = "tasksync_provider_requests_total"
        static let tooManyRequests = "tasksync_provider_http_429_total"
        static let errors = "tasksync_provider_errors_total"
        static let outboxPending = "tasksync_outbox_pending"
        static let conflicts = "tasksync_conflicts_total"
        static let lastSuccess = "tasksync_link_last_success_timestamp_seconds"
    }

    private init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        cycles = Metrics.Counter(label: Name.cycles)
        cycleFailures = Metrics.Counter(label: Name.cycleFailures)
    }

    /// Makes swift-prometheus the process's metrics backend (once: a second
    /// bootstrap is a programming error in swift-metrics).
    static func bootstrap() -> DaemonMetrics {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return DaemonMetrics(registry: registry)
    }

    /// The metrics of one provider, made once per name and kept.
    struct ProviderMetrics: Sendable {
        let requests: Metrics.Counter
        let tooManyRequests: Metrics.Counter
        let errors: Metrics.Counter
        let outboxPending: Metrics.Gauge
    }

    /// The metrics of one link, made once per name and kept.
    struct LinkMetrics: Sendable {
        let conflicts: Metrics.Counter
        let lastSuccess: Metrics.Gauge
    }

    func provider(_ name: String) -> ProviderMetrics {
        made.provider(name) {
            let labels = [("provider", name)]
            return ProviderMetrics(
                requests: Metrics.Counter(label: Name.requests, dimensions: labels),
                tooManyRequests: Metrics.Counter(label: Name.tooManyRequests, dimensions: labels),
                errors: Metrics.Counter(label: Name.errors, dimensions: labels),
                outboxPending: Metrics.Gauge(label: Name.outboxPending, dimensions: labels))
        }
    }

    func link(_ name: String) -> LinkMetrics {
        made.link(name) {
            let labels = [("link", name)]
            return LinkMetrics(
                conflicts: Metrics.Counter(label: Name.conflicts, dimensions: labels), lastSuccess: Metrics.Gauge(label: Name.lastSuccess, dimensions: labels))
        }
    }

    /// Makes the series of every provider and link of `config` (at 0 until
    /// something happens), and reads the gauges from the mirror: at start and
    /// after a reload.
    func prepare(_ config: SyncConfiguration, mirror: Mirror) {
        for p in config.providers { _ = provider(p.name) }
        for l in config.links { _ = link(l.name) }
        refresh(config, mirror: mirror)
    }

    /// A cycle's report: its errors per provider, the conflicts it recorded,
    /// the gauges from the mirror the cycle left, and last the cycle itself
    /// (so a scrape that sees the cycle counted sees all of it).
    func record(_ report: CycleReport, config: SyncConfiguration, mirror: Mirror) {
        for (name, count) in report.providerErrors where count > 0 { provider(name).errors.increment(by: count) }
        if !report.dryRun {
            // A link that stopped recorded nothing; every other link's conflicts are in the mirror's conflicts list.
            for plan in report.plans where plan.stopped == nil {
                let conflicts = plan.items.filter { $0.action == .conflict }.count
                if conflicts > 0 { link(plan.link).conflicts.increment(by: conflicts) }
            }
        }
        refresh(config, mirror: mirror)
        if report.outcome == .partial || report.outcome == .stopped { cycleFailures.increment() }
        cycles.increment()
    }

    /// A cycle that failed as a whole (it threw: the mirror could not be read or written).
    func recordFailedCycle(_ config: SyncConfiguration, mirror: Mirror) {
        refresh(config, mirror: mirror)
        cycleFailures.increment()
        cycles.increment()
    }

    /// The gauges, as the mirror holds them: writes pending per provider, and
    /// each link's last success (0: never).
    func refresh(_ config: SyncConfiguration, mirror: Mirror) {
        if let pending = try? mirror.pendingOutbox() {
            for p in config.providers { provider(p.name).outboxPending.record(pending[p.name] ?? 0) }
        }
        if let states = try? mirror.linkStates() {
            for l in config.links {
                let at = states.first { $0.link == l.name }?.lastSuccessAt.flatMap(Timestamp.init(parsing:))
                link(l.name).lastSuccess.record(at?.secondsSince1970 ?? 0)
            }
        }
    }

    /// The metrics made so far, by provider and by link.
    private final class Made: @unchecked Sendable {
        private let lock = NSLock()
        private var providers: [String: ProviderMetrics] = [:]
        private var links: [String: LinkMetrics] = [:]

        func provider(_ name: String, make: () -> ProviderMetrics) -> ProviderMetrics { made(name, in: &providers, make) }

        func link(_ name: String, make: () -> LinkMetrics) -> LinkMetrics { made(name, in: &links, make) }

        /// The metrics made under `name`, made now if they are not yet.
        private func made<Value>(_ name: String, in table: inout [String: Value], _ make: () -> Value) -> Value {
            lock.lock()
            defer { lock.unlock() }
            if let made = table[name] { return made }
            let made = make()
            table[name] = made
            return made
        }
    }
}

/// Counts each request one provider sends and each 429 it is answered.
/// It sits below the provider's ``RateLimitedTransport``: a request sent
/// again after a 429 counts again, and a request its budget holds back
/// (the provider is parked) is not sent, so not counted.
struct CountingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let metrics: DaemonMetrics.ProviderMetrics

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        metrics.requests.increment()
        let response = try await inner.send(request)
        if response.status == 429 { metrics.tooManyRequests.increment() }
        return response
    }
}
