import FlyingFox
import FlyingSocks
import Foundation
import Logging
import Prometheus
import SyncConfig

/// `GET /metrics` in the Prometheus text format, on the address `[metrics]
/// listen` names; 404 for anything else. `tasksync run` serves it while the
/// config has a `[metrics]` table, and moves or stops it when a reload
/// changes or removes the table.
///
/// The HTTP server is FlyingFox's, already a dependency of this package (its
/// fakes run on its sockets): a scrape is one GET, and FlyingFox parses it,
/// keeps slow clients to a timeout and answers anything but the one route
/// with 404, which a hand-written listener would have to get right again.
/// An address that cannot be bound (in use, not on this host) is logged and
/// tried again every 30 s; the sync goes on meanwhile.
actor MetricsEndpoint {
    private let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private var current: (settings: MetricsSettings, task: Task<Void, Never>)?

    /// Seconds between attempts to bind an address that could not be bound.
    static let retrySeconds = 30

    init(registry: PrometheusCollectorRegistry, logger: Logger) {
        self.registry = registry
        self.logger = logger
    }

    /// Serves on `settings`' address, or nowhere when nil; a change of
    /// address stops the old server first.
    func apply(_ settings: MetricsSettings?) async {
        if current?.settings == settings { return }
        if let current {
            current.task.cancel()
            await current.task.value
            logger.notice("metrics endpoint on \(current.settings) stopped")
        }
        current = nil
        guard let settings else { return }
        let registry = self.registry
        let logger = self.logger
        current = (settings, Task { await Self.serve(settings, registry: registry, logger: logger) })
    }

    func stop() async { await apply(nil) }

    private static func serve(_ settings: MetricsSettings, registry: PrometheusCollectorRegistry, logger: Logger) async {
        var failedBefore = false
        while !Task.isCancelled {
            do {
                let server = try makeServer(settings, registry: registry, logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await server.run() }
                    group.addTask {
                        // Said once it listens; a bind that fails ends run() first, which cancels this wait.
                        guard (try? await server.waitUntilListening(timeout: 60)) != nil else { return }
                        let url = "http://\(settings)/metrics"
                        if settings.isLoopback {
                            logger.notice("metrics endpoint: \(url)")
                        } else {
                            logger.warning("metrics endpoint: \(url), reachable from other hosts as [metrics] listen says (no authentication)")
                        }
                    }
                    // The first error (the server's) leaves the group, which cancels the wait.
                    while try await group.next() != nil {}
                }
            } catch {
                if Task.isCancelled { break }
                // Said once as an error, then quietly while it keeps failing.
                let line: Logger.Message = "metrics endpoint: cannot serve on \(settings): \(error); trying again every \(retrySeconds) s"
                if failedBefore { logger.debug(line) } else { logger.error(line) }
                failedBefore = true
            }
            try? await Task.sleep(for: .seconds(retrySeconds))
        }
    }

    private static func makeServer(_ settings: MetricsSettings, registry: PrometheusCollectorRegistry, logger: Logger) throws -> HTTPServer {
        let port = UInt16(settings.port)
        let log = FlyingFoxLog(logger: logger)
        let server =
            settings.isIPv6
            ? HTTPServer(address: try .inet6(ip6: settings.host, port: port), timeout: 15, logger: log, handler: MetricsHandler(registry: registry))
            : HTTPServer(address: try .inet(ip4: settings.host, port: port), timeout: 15, logger: log, handler: MetricsHandler(registry: registry))
        return server
    }
}

/// The one route: GET /metrics renders the registry; anything else is 404.
struct MetricsHandler: HTTPHandler {
    let registry: PrometheusCollectorRegistry

    /// The Prometheus text exposition format, version 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    func handleRequest(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        guard request.method == .GET, request.path == "/metrics" else {
            return FlyingFox.HTTPResponse(
                statusCode: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: Data("not found: GET /metrics\n".utf8))
        }
        return FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentType: Self.contentType], body: Data(registry.emitToBuffer()))
    }
}

/// FlyingFox's own log lines (a connection opened or closed, a server
/// error) go to the daemon's log at debug level: ``MetricsEndpoint`` says
/// what an operator needs (where it serves, why it cannot).
struct FlyingFoxLog: FlyingSocks.Logging {
    let logger: Logger

    func logDebug(_ debug: @autoclosure () -> String) { logger.debug("\(debug())") }
    func logInfo(_ info: @autoclosure () -> String) { logger.debug("\(info())") }
    func logWarning(_ warning: @autoclosure () -> String) { logger.debug("\(warning())") }
    func logError(_ error: @autoclosure () -> String) { logger.debug("\(error())") }
    func logCritical(_ critical: @autoclosure () -> String) { logger.debug("\(critical())") }
}
