import FlyingFox
import FlyingSocks
import Foundation
import TaskModel

/// A request as a fake sees it: query values decoded, header names lower case.
public struct FakeRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(String, String)]
    /// The query exactly as sent, still percent-encoded.
    public var rawQuery: String
    public var headers: [String: String]
    public var body: Data

    public func value(_ name: String) -> String? { query.first { $0.0 == name }?.1 }
    public func values(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }

    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
}

public struct FakeResponse: Sendable, Error {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ object: Any, contentType: String = "application/json") -> FakeResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes, .sortedKeys])) ?? Data()
        return FakeResponse(status: status, headers: ["Content-Type": contentType], body: data)
    }
}

/// A fault a test asks a fake to answer with instead of serving the request.
public enum Fault: Sendable, Equatable {
    case status(Int)
    /// 429 with the provider's reset header.
    case rateLimited(seconds: Int)
    /// 200 with a body that is not JSON.
    case malformedBody
}

/// What every fake counts: requests by method, and faults to serve next.
public struct RequestLedger: Sendable {
    public private(set) var byMethod: [String: Int] = [:]
    public private(set) var lines: [String] = []
    var faults: [(fault: Fault, remaining: Int, method: String?)] = []

    public var total: Int { byMethod.values.reduce(0, +) }
    /// Every request that is not a GET.
    public var writes: Int { total - (byMethod["GET"] ?? 0) }

    mutating func record(_ request: FakeRequest) {
        byMethod[request.method, default: 0] += 1
        lines.append("\(request.method) \(request.path)\(request.rawQuery.isEmpty ? "" : "?" + request.rawQuery)")
    }

    mutating func nextFault(for method: String) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.method == nil || $0.method == method }) else { return nil }
        let fault = faults[index].fault
        faults[index].remaining -= 1
        if faults[index].remaining <= 0 { faults.remove(at: index) }
        return fault
    }
}

/// Runs a FlyingFox server on 127.0.0.1 (a free port) that hands every
/// request to `handler`.
final class FakeHTTPServer: Sendable {
    let server: HTTPServer
    let task: Task<Void, Never>

    init(handler: @escaping @Sendable (FakeRequest) async -> FakeResponse) async throws {
        let server = HTTPServer(
            address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, pool: NoDelayPool(inner: HTTPServer.defaultPool()),
            logger: .disabled)
        await server.appendRoute("*") { request in
            let body = try await request.bodyData
            var headers: [String: String] = [:]
            for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
            let fake = FakeRequest(
                method: request.method.rawValue, path: request.path, query: request.query.map { ($0.name, $0.value) },
                rawQuery: request.target.query(percentEncoded: true), headers: headers, body: body)
            let answer = await handler(fake)
            var out = HTTPHeaders()
            for (name, value) in answer.headers { out[HTTPHeader(name)] = value }
            return HTTPResponse(statusCode: HTTPStatusCode(answer.status, phrase: "Fake"), headers: out, body: answer.body)
        }
        self.server = server
        self.task = Task { try? await server.run() }
        try await server.waitUntilListening()
    }

    var port: Int {
        get async {
            if case .ip4(_, let port) = await server.listeningAddress { return Int(port) }
            return 0
        }
    }

    func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }
}

/// FlyingFox writes a response's head and body in two writes; on a kept-alive
/// connection Nagle's algorithm then holds the body until the client's
/// delayed ACK (about 40 ms, twice a request). FlyingFox has no socket
/// option for it, but every socket it waits on passes through its pool: this
/// one sets TCP_NODELAY there (on the listening socket too, which Linux
/// passes on to the connections it accepts).
struct NoDelayPool: AsyncSocketPool {
    let inner: any AsyncSocketPool

    func prepare() async throws { try await inner.prepare() }
    func run() async throws { try await inner.run() }

    func suspendSocket(_ socket: Socket, untilReadyFor events: Socket.Events) async throws {
        try? socket.setValue(true, for: BoolSocketOption(level: Int32(IPPROTO_TCP), name: Int32(TCP_NODELAY)))
        try await inner.suspendSocket(socket, untilReadyFor: events)
    }
}

/// A clock shared by fakes: strictly increasing, so every edit gets a newer
/// `updated_at` than the one before it, on any fake. Tests can move it on.
public final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    private var offset: Double

    /// `offset`: seconds the fake's time runs ahead of (or, negative, behind) the real clock.
    public init(offset: Double = 0) { self.offset = offset }

    /// The next instant: now (with the offset), or 1 ms after the last one handed out.
    public func tick() -> Date {
        lock.lock()
        defer { lock.unlock() }
        last = max(Date().addingTimeInterval(offset), last.addingTimeInterval(0.001))
        return last
    }

    /// Moves the fake's time on, as if that many seconds had passed.
    public func advance(seconds: Double) {
        lock.lock()
        offset += seconds
        last = last.addingTimeInterval(seconds)
        lock.unlock()
    }
}

/// `2025-09-03T06:19:43+00:00` and friends.
enum FakeTime {
    static func iso(_ date: Date, offsetHours: Int = 0, milliseconds: Bool = false) -> String {
        // Shift the instant by the offset, print it as UTC, then name the offset.
        let shifted = Timestamp(secondsSince1970: date.timeIntervalSince1970 + Double(offsetHours * 3600))
        let sign = offsetHours < 0 ? "-" : "+"
        let hours = abs(offsetHours) < 10 ? "0\(abs(offsetHours))" : "\(abs(offsetHours))"
        return shifted.iso8601(fractional: milliseconds).dropLast() + "\(sign)\(hours):00"
    }

    /// Central European offset: +02:00 in summer time, +01:00 otherwise.
    static func centralEuropeanOffset(_ date: Date) -> Int {
        zagreb.secondsFromGMT(for: date) / 3600
    }

    static let zagreb = TimeZone(identifier: "Europe/Zagreb") ?? TimeZone(secondsFromGMT: 3600)!

    static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}
