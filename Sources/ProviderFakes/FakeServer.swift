import FlyingFox
import FlyingSocks
import Foundation
import TaskModel

#if canImport(Glibc)
    import Glibc
#endif

/// A request as a fake sees it: query values decoded, header names lower case.
public struct FakeRequest: Sendable {
    public var method: String
    public var path: String
    /// The query, form-decoded as Rails and Laravel decode it: `%XX` escapes
    /// and a `+` that reads as a space (NOTES.md: "`+` must be sent as `%2B`").
    public var query: [(String, String)]
    /// The query exactly as sent, still percent-encoded.
    public var rawQuery: String
    public var headers: [String: String]
    public var body: Data

    public init(
        method: String, path: String, query: [(String, String)] = [], rawQuery: String = "", headers: [String: String] = [:], body: Data = Data()
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
    }

    public func value(_ name: String) -> String? { query.first { $0.0 == name }?.1 }
    public func values(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }

    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }

    /// The body's fields in order, form-decoded as the query is, when the
    /// body is `application/x-www-form-urlencoded` (parameters such as
    /// `; charset=utf-8` allowed); nil under any other content type or none.
    public var formFields: [(String, String)]? {
        let type = (headers["content-type"] ?? "").split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else { return nil }
        return String(decoding: body, as: UTF8.self).split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (FakeHTTPConnection.formDecode(kv[0]), kv.count > 1 ? FakeHTTPConnection.formDecode(kv[1]) : "")
        }
    }
}

public struct FakeResponse: Sendable, Error {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    /// The server writes this response with `Connection: close` and then
    /// closes the connection.
    public var closesConnection = false
    /// The server writes nothing at all and closes the connection: the
    /// client sees its request vanish without an answer.
    public var dropsConnection = false

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ object: Any, contentType: String = "application/json") -> FakeResponse {
        FakeResponse(status: status, headers: ["Content-Type": contentType], body: FakeJSON.encode(object))
    }

    /// An XML document: the declaration, then `root` as given.
    public static func xml(_ status: Int, _ root: String, contentType: String = "application/xml; charset=utf-8") -> FakeResponse {
        FakeResponse(status: status, headers: ["Content-Type": contentType], body: Data((FakeXML.declaration + root).utf8))
    }
}

/// XML text as the legacy APIs write it: entities for the five special
/// characters, CDATA sections for HTML-bearing text.
enum FakeXML {
    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    /// Characters XML 1.0 cannot carry at all (C0 controls but tab, LF, CR) are dropped.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" || $0 == "\n" || $0 == "\r" }))
    }

    /// `&amp; &lt; &gt; &quot; &apos;`.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in clean(text) {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    /// `<![CDATA[...]]>`; a `]]>` inside is split across two sections.
    static func cdata(_ text: String) -> String {
        "<![CDATA[" + clean(text).replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
    }
}

/// JSON with its keys sorted, so an unchanged page is always the same
/// bytes. Written here rather than with `JSONSerialization`'s
/// `.sortedKeys`, which on Linux compares keys through the locale and took
/// nine tenths of a listing's time.
enum FakeJSON {
    static func encode(_ value: Any) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(value, into: &out)
        return Data(out)
    }

    static func write(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let s as String: string(s, into: &out)
        case let b as Bool: out += b ? Array("true".utf8) : Array("false".utf8)
        case let i as Int: out += Array(String(i).utf8)
        case let i as Int64: out += Array(String(i).utf8)
        case let i as Int32: out += Array(String(i).utf8)
        case let d as Double: out += Array((d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)) : "null").utf8)
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (n, key) in object.keys.sorted().enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                string(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(object[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let array as [Any]:
            out.append(UInt8(ascii: "["))
            for (n, item) in array.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        // Class casts last: casting a Swift dictionary or array to a class
        // bridges the whole of it to Foundation first.
        case is NSNull: out += Array("null".utf8)
        case let n as NSNumber: out += Array(n.stringValue.utf8)
        default: string(String(describing: value), into: &out)
        }
    }

    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case 10: out += [92, UInt8(ascii: "n")]
            case 13: out += [92, UInt8(ascii: "r")]
            case 9: out += [92, UInt8(ascii: "t")]
            case 0..<32:
                let hex = String(byte, radix: 16)
                out += Array("\\u00\(hex.count == 1 ? "0" + hex : hex)".utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// What a fake does with a connection after it has answered.
public enum ConnectionPolicy: Sendable, Equatable {
    /// HTTP/1.1 persistent connections (RFC 9112 §9.3): the connection stays
    /// open for the next request unless the client sends `Connection: close`.
    /// Neither document says what the real servers do.
    case keepAlive
    /// Every answer carries `Connection: close` and the server closes the
    /// connection after it, as some proxies and load balancers do.
    case close
}

/// A fault a test asks a fake to answer with instead of serving the request.
public enum Fault: Sendable, Equatable {
    case status(Int)
    /// 429 with the provider's reset header.
    case rateLimited(seconds: Int)
    /// 200 with a body that is not JSON (on ActiveCollab, whose answers are
    /// XML by default: the answer cut short, XML that does not close).
    case malformedBody
    /// The create is carried out, then the connection is closed without any
    /// answer: what a client sees when a kept-alive connection dies while its
    /// POST is in flight. It only fires on a request that creates something
    /// (any POST; on HelpSpace also a PATCH whose `sub_tasks` has an item
    /// without `id`); other requests pass it by.
    case dropAfterCreate
}

/// What every fake counts: requests by method, and faults to serve next.
public struct RequestLedger: Sendable {
    public private(set) var byMethod: [String: Int] = [:]
    public private(set) var lines: [String] = []
    /// Answers by HTTP status: each fake's handler notes the status of
    /// every answer it gives (a 429 it enforced or was told to give included).
    public private(set) var byStatus: [Int: Int] = [:]
    var faults: [(fault: Fault, remaining: Int, method: String?)] = []

    public var total: Int { byMethod.values.reduce(0, +) }
    /// Every request that is not a GET.
    public var writes: Int { total - (byMethod["GET"] ?? 0) }

    /// Requests of `method` (any when nil) whose path, without the query,
    /// starts with `pathPrefix`.
    public func count(_ method: String? = nil, pathPrefix: String = "") -> Int {
        lines.filter { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, method == nil || parts[0] == method! else { return false }
            return (parts[1].split(separator: "?", maxSplits: 1).first ?? "").hasPrefix(pathPrefix)
        }.count
    }

    mutating func record(_ request: FakeRequest) {
        byMethod[request.method, default: 0] += 1
        lines.append("\(request.method) \(request.path)\(request.rawQuery.isEmpty ? "" : "?" + request.rawQuery)")
    }

    /// Notes the status of one answer (``byStatus``).
    mutating func answered(_ status: Int) { byStatus[status, default: 0] += 1 }

    mutating func nextFault(for method: String, isCreate: Bool = false) -> Fault? {
        guard
            let index = faults.firstIndex(where: {
                ($0.method == nil || $0.method == method) && ($0.fault != .dropAfterCreate || isCreate)
            })
        else { return nil }
        let fault = faults[index].fault
        faults[index].remaining -= 1
        if faults[index].remaining <= 0 { faults.remove(at: index) }
        return fault
    }
}

/// A sliding-window request limit: at most `requests` in any `seconds`.
/// Answers that were refused do not count.
struct SlidingWindow: Sendable {
    private var times: [Double] = []
    private var head = 0

    /// Nil when one more request fits at `now`; otherwise the whole seconds
    /// until the oldest counted request leaves the window.
    mutating func wait(now: Double, requests: Int, seconds: Double) -> Int? {
        while head < times.count, times[head] <= now - seconds { head += 1 }
        if head > 1024 {
            times.removeFirst(head)
            head = 0
        }
        guard times.count - head >= requests else { return nil }
        return max(1, Int((times[head] + seconds - now).rounded(.up)))
    }

    mutating func record(_ now: Double) { times.append(now) }
}

/// Answers of GET requests kept while nothing changes: the same page is then
/// served as the very same bytes, without building it again.
struct PageCache: Sendable {
    private var generation = -1
    private var pages: [String: FakeResponse] = [:]
    /// Until when the kept pages hold (a time-dependent field such as
    /// `is_overdue` flips then).
    private var validUntil = Double.infinity

    mutating func page(_ key: String, generation: Int, now: Double) -> FakeResponse? {
        guard generation == self.generation, now < validUntil else {
            pages.removeAll(keepingCapacity: true)
            self.generation = generation
            validUntil = .infinity
            return nil
        }
        return pages[key]
    }

    mutating func keep(_ page: FakeResponse, for key: String, validUntil: Double = .infinity) {
        if pages.count >= 2048 { pages.removeAll(keepingCapacity: true) }
        pages[key] = page
        self.validUntil = min(self.validUntil, validUntil)
    }
}

/// The ids a listing matched, in order, kept while nothing changes: paging
/// through one query filters and sorts the whole set once, not once a page.
struct ListingMemo<ID: Sendable>: Sendable {
    private var generation = -1
    private var key = ""
    private var ids: [ID] = []

    mutating func ids(_ key: String, generation: Int, _ compute: () -> [ID]) -> [ID] {
        if generation == self.generation, key == self.key { return ids }
        ids = compute()
        self.key = key
        self.generation = generation
        return ids
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 (a free port) that hands every
/// request to `handler`. Built on FlyingSocks (FlyingFox's socket layer)
/// rather than on FlyingFox's `HTTPServer`, because a fake has to do what
/// `HTTPServer` cannot: close a connection after an answer
/// (``FakeResponse/closesConnection``), and drop one without any answer
/// (``FakeResponse/dropsConnection``). Head and body leave in one write, with
/// CRLF after every header line (RFC 9112 §2.1).
final class FakeHTTPServer: Sendable {
    typealias Handler = @Sendable (FakeRequest) async -> FakeResponse

    let port: Int
    private let listener: Socket
    private let task: Task<Void, Never>

    /// Requests being answered right now, and the most there ever were:
    /// how concurrent the client was.
    let inFlight = InFlight()

    init(handler unCounted: @escaping Handler) async throws {
        let inFlight = self.inFlight
        let handler: Handler = { request in
            inFlight.change(+1)
            let answer = await unCounted(request)
            inFlight.change(-1)
            return answer
        }
        let pool = HTTPServer.defaultPool()
        try await pool.prepare()
        let socket = try Socket(domain: Int32(AF_INET), type: .stream)
        try socket.setValue(true, for: BoolSocketOption(name: SO_REUSEADDR))
        try socket.bind(to: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0))
        try socket.listen()
        guard case .ip4(_, let port) = try socket.sockname() else { throw SocketError.unsupportedAddress }
        let listening = try AsyncSocket(socket: socket, pool: pool)
        self.port = Int(port)
        self.listener = socket
        self.task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await pool.run() }
                group.addTask {
                    await withDiscardingTaskGroup { connections in
                        while !Task.isCancelled {
                            guard let client = try? await listening.accept() else {
                                if Task.isCancelled { break }
                                try? await Task.sleep(for: .milliseconds(5))
                                continue
                            }
                            connections.addTask {
                                var connection = FakeHTTPConnection(socket: client.socket, pool: pool)
                                await connection.serve(handler)
                            }
                        }
                    }
                }
                _ = await group.next()
                group.cancelAll()
            }
        }
    }

    /// Stops serving. A second call does nothing: closing the listener's
    /// descriptor twice would close whatever the process opened under that
    /// number since (another fake's socket, a mirror's SQLite file), which
    /// a test that stops a fake mid-way (a member refusing connections)
    /// and again at its end would otherwise do.
    func stop() async {
        guard stopping.claim() else { return }
        task.cancel()
        await task.value
        try? listener.close()
    }

    private let stopping = Once()

    /// Stops serving and keeps the port: a socket stays bound to it without
    /// listening, so a client is refused (a member that is down) and no
    /// other fake started meanwhile can take the port and answer in its place.
    func refuse() async {
        await stop()
        guard let holder = try? Socket(domain: Int32(AF_INET), type: .stream) else { return }
        try? holder.setValue(true, for: BoolSocketOption(name: SO_REUSEADDR))
        try? holder.bind(to: try sockaddr_in.inet(ip4: "127.0.0.1", port: UInt16(port)))
        Self.held.keep(holder)
    }

    /// Ports held by ``refuse()``, for the life of the process.
    private static let held = HeldSockets()
}

final class HeldSockets: @unchecked Sendable {
    private let lock = NSLock()
    private var sockets: [Socket] = []

    func keep(_ socket: Socket) {
        lock.lock()
        sockets.append(socket)
        lock.unlock()
    }
}

/// A count of requests in flight, and its peak.
final class InFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0
    private var peak = 0

    func change(_ delta: Int) {
        lock.lock()
        now += delta
        peak = max(peak, now)
        lock.unlock()
    }

    var most: Int {
        lock.lock()
        defer { lock.unlock() }
        return peak
    }
}

/// True for the first ``claim()`` only.
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}

/// One client connection: reads requests one after another, answers each.
struct FakeHTTPConnection {
    let socket: Socket
    let pool: any AsyncSocketPool
    private var buffer: [UInt8] = []
    private var start = 0

    init(socket: Socket, pool: any AsyncSocketPool) {
        self.socket = socket
        self.pool = pool
    }

    struct Malformed: Error {
        var status: Int
        var reason: String
    }

    mutating func serve(_ handler: FakeHTTPServer.Handler) async {
        defer { try? socket.close() }
        try? socket.setFlags(.nonBlocking)
        // The head and the body leave in one write; without delay all the same.
        try? socket.setValue(true, for: BoolSocketOption(level: Int32(IPPROTO_TCP), name: Int32(TCP_NODELAY)))
        while !Task.isCancelled {
            let request: FakeRequest
            var clientCloses = false
            do {
                guard let next = try await readRequest() else { return }
                request = next.request
                clientCloses = next.closes
            } catch let error as Malformed {
                var answer = FakeResponse(status: error.status, headers: ["Content-Type": "text/plain"], body: Data(error.reason.utf8))
                answer.closesConnection = true
                try? await write(Self.encode(answer, method: "GET", close: true))
                return
            } catch {
                return
            }
            let answer = await handler(request)
            if answer.dropsConnection { return }
            let close = clientCloses || answer.closesConnection
            do { try await write(Self.encode(answer, method: request.method, close: close)) } catch { return }
            if close { return }
        }
    }

    // MARK: reading

    /// Reads more bytes into the buffer; throws `SocketError.disconnected` at the end.
    private mutating func fill() async throws {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 65536 {
            buffer.removeFirst(start)
            start = 0
        }
        while true {
            try Task.checkCancellation()
            do {
                buffer += try socket.read(atMost: 16384)
                return
            } catch SocketError.blocked {
                try await pool.suspendSocket(socket, untilReadyFor: .read)
            }
        }
    }

    private mutating func write(_ data: Data) async throws {
        var sent = data.startIndex
        while sent < data.endIndex {
            do {
                sent = try socket.write(data, from: sent)
            } catch SocketError.blocked {
                try await pool.suspendSocket(socket, untilReadyFor: .write)
            }
        }
    }

    /// The index just past the blank line that ends the head, if it is in the buffer.
    private func headEnd(from: Int) -> Int? {
        var i = max(from, start)
        while i < buffer.count {
            if buffer[i] == 10 {
                if i + 1 < buffer.count, buffer[i + 1] == 10 { return i + 2 }
                if i + 2 < buffer.count, buffer[i + 1] == 13, buffer[i + 2] == 10 { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    private mutating func readLine() async throws -> String {
        var scanned = 0  // bytes after `start` known to hold no line end (`fill` may move `start`)
        while true {
            if let nl = buffer[(start + scanned)...].firstIndex(of: 10) {
                let end = nl > start && buffer[nl - 1] == 13 ? nl - 1 : nl
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = nl + 1
                return line
            }
            scanned = buffer.count - start
            if buffer.count - start > 8192 { throw Malformed(status: 400, reason: "line too long") }
            try await fill()
        }
    }

    private mutating func readBytes(_ count: Int) async throws -> [UInt8] {
        while buffer.count - start < count { try await fill() }
        let bytes = Array(buffer[start..<start + count])
        start += count
        return bytes
    }

    /// The next request and whether the client asked to close after it; nil
    /// when the client closed the connection between requests.
    private mutating func readRequest() async throws -> (request: FakeRequest, closes: Bool)? {
        var scanned = 0  // bytes after `start` known to hold no head end (`fill` may move `start`)
        var end: Int?
        while end == nil {
            end = headEnd(from: start + scanned)
            if end != nil { break }
            scanned = max(0, buffer.count - start - 2)
            if buffer.count - start > 65536 { throw Malformed(status: 431, reason: "request head too large") }
            do { try await fill() } catch SocketError.disconnected {
                if buffer.count == start { return nil }
                throw SocketError.disconnected
            }
        }
        // Lines split on the LF byte (a Swift `Character` holds CR LF as one).
        var lines = buffer[start..<end!].split(separator: 10, omittingEmptySubsequences: false).map { bytes in
            String(decoding: bytes.last == 13 ? bytes.dropLast() : bytes, as: UTF8.self)
        }
        start = end!
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        guard let requestLine = lines.first else { throw Malformed(status: 400, reason: "no request line") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { throw Malformed(status: 400, reason: "bad request line") }
        let method = String(parts[0])
        let version = String(parts[2])
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw Malformed(status: 400, reason: "bad header line") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if let earlier = headers[name] { headers[name] = earlier + ", " + value } else { headers[name] = value }
        }

        // The body: chunked, or Content-Length, or none (RFC 9112 §6).
        var body: [UInt8] = []
        let chunked = headers["transfer-encoding"]?.lowercased().contains("chunked") == true
        if headers["transfer-encoding"] != nil, headers["content-length"] != nil {
            throw Malformed(status: 400, reason: "Content-Length and Transfer-Encoding together")
        }
        let length: Int
        if let text = headers["content-length"] {
            guard let n = Int(text), n >= 0 else { throw Malformed(status: 400, reason: "bad Content-Length") }
            length = n
        } else {
            length = 0
        }
        if headers["expect"]?.lowercased() == "100-continue", chunked || buffer.count - start < length {
            try await write(Data("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        if chunked {
            while true {
                let sizeLine = try await readLine()
                guard let size = Int(sizeLine.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) ?? "", radix: 16), size >= 0
                else { throw Malformed(status: 400, reason: "bad chunk size") }
                if size == 0 {
                    var trailer = try await readLine()
                    while !trailer.isEmpty { trailer = try await readLine() }
                    break
                }
                body += try await readBytes(size)
                _ = try await readLine()
            }
        } else if length > 0 {
            body = try await readBytes(length)
        }

        let target = parts[1]
        let pieces = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = pieces.first.map(String.init) ?? "/"
        let rawQuery = pieces.count > 1 ? String(pieces[1]) : ""
        var query: [(String, String)] = []
        for pair in rawQuery.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            query.append((Self.formDecode(kv[0]), kv.count > 1 ? Self.formDecode(kv[1]) : ""))
        }
        let connection = (headers["connection"] ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let closes = version == "HTTP/1.1" ? connection.contains("close") : !connection.contains("keep-alive")
        let request = FakeRequest(
            method: method, path: rawPath.removingPercentEncoding ?? rawPath, query: query, rawQuery: rawQuery, headers: headers,
            body: Data(body))
        return (request, closes)
    }

    static func formDecode(_ text: Substring) -> String {
        let spaced = text.contains("+") ? text.replacingOccurrences(of: "+", with: " ") : String(text)
        return spaced.removingPercentEncoding ?? spaced
    }

    // MARK: writing

    static func encode(_ answer: FakeResponse, method: String, close: Bool) -> Data {
        var head = "HTTP/1.1 \(answer.status) \(reason(answer.status))\r\n"
        for (name, value) in answer.headers.sorted(by: { $0.key < $1.key }) {
            let lower = name.lowercased()
            if lower == "content-length" || lower == "connection" || lower == "date" { continue }
            head += "\(name): \(value.filter { $0 != "\r" && $0 != "\n" })\r\n"
        }
        head += "Date: \(FakeTime.httpDate(Date()))\r\n"
        // No Content-Length (nor body) in a 204 or 304 (RFC 9110 §8.6).
        let bodyless = answer.status == 204 || answer.status == 304 || answer.status < 200
        if !bodyless { head += "Content-Length: \(answer.body.count)\r\n" }
        if close { head += "Connection: close\r\n" }
        head += "\r\n"
        var data = Data(head.utf8)
        if !bodyless, method != "HEAD" { data.append(answer.body) }
        return data
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }
}

/// A clock shared by fakes: strictly increasing, so every edit gets a newer
/// `updated_at` than the one before it, on any fake. Tests can move it on.
public final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    private var offset: Double
    /// Set: time stands still at this instant, and moves only by ``advance(seconds:)``.
    private var frozen: Date?

    /// `offset`: seconds the fake's time runs ahead of (or, negative, behind) the real clock.
    public init(offset: Double = 0) { self.offset = offset }

    /// A clock that stands still at `instant` until ``advance(seconds:)``
    /// moves it: for tests whose outcome must not depend on how fast the
    /// machine runs them (a rate window, say).
    public init(frozenAt instant: Date) {
        self.offset = 0
        self.frozen = instant
    }

    private var base: Date { frozen ?? Date().addingTimeInterval(offset) }

    /// The next instant: now (with the offset), or 1 ms after the last one handed out.
    public func tick() -> Date {
        lock.lock()
        defer { lock.unlock() }
        last = max(base, last.addingTimeInterval(0.001))
        return last
    }

    /// The fake's time now (with the offset), without handing out an instant.
    public func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return max(base, last)
    }

    /// Moves the fake's time on, as if that many seconds had passed.
    public func advance(seconds: Double) {
        lock.lock()
        offset += seconds
        frozen = frozen?.addingTimeInterval(seconds)
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

    /// `2025-09-15T10:30:00Z`: whole seconds in UTC, named `Z`.
    static func zulu(_ date: Date) -> String {
        Timestamp(millisecondsSince1970: Int64((date.timeIntervalSince1970 * 1000).rounded(.down))).iso8601(fractional: false)
    }

    /// The instant cut to whole seconds (`06:20:02.000`).
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// Central European offset: +02:00 in summer time, +01:00 otherwise.
    static func centralEuropeanOffset(_ date: Date) -> Int {
        zagreb.secondsFromGMT(for: date) / 3600
    }

    static let zagreb = TimeZone(identifier: "Europe/Zagreb") ?? TimeZone(secondsFromGMT: 3600)!

    /// An RFC 3339 date-time with its offset (`Z`, `+02:00`), milliseconds optional.
    static func parse(_ text: String) -> Date? {
        Timestamp(parsing: text).map { Date(timeIntervalSince1970: $0.secondsSince1970) }
    }

    /// A date (`2025-09-15`) or a date-time with an offset, as a Laravel
    /// `date` rule accepts it; a date alone is midnight UTC.
    static func parseDateOrTime(_ text: String) -> Date? {
        if let d = parse(text) { return d }
        guard isDate(text) else { return nil }
        return parse(text + "T00:00:00Z")
    }

    /// `YYYY-MM-DD` with a real month and day.
    static func isDate(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 45, b[7] == 45 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { (48...57).contains(b[$0]) }
        guard digits, let month = Int(text.dropFirst(5).prefix(2)), let day = Int(text.suffix(2)) else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// RFC 9110 §5.6.7 IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

/// RFC 3986 unreserved characters stay, everything else is `%XX`: how the
/// real APIs' `links` spell their queries (`filter%5Bproject_id%5D=1911`).
func fakePercentEncode(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.append(Character(UnicodeScalar(byte)))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}
