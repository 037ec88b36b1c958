import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 server of the tests' own on 127.0.0.1: POSIX sockets, a
/// thread per connection, answers with exactly the bytes a test gives, or
/// closes the connection without answering.
final class RawServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var body: [UInt8]
        /// Which connection it came on (0, 1, ...), and its place on it.
        var connection: Int
        var indexOnConnection: Int
    }

    enum Reply: Sendable {
        /// These bytes, then wait for the next request on the connection.
        case bytes([UInt8])
        /// Close the connection without a byte of answer.
        case close
    }

    let port: UInt16
    var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var received: [Request] = []
    private var clients: Set<Int32> = []
    private var connections = 0
    private var stopped = false

    /// Every request read so far, in order.
    var requests: [Request] { lock.withLock { received } }

    init(handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        listener = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A server that answers every request with the same bytes.
    convenience init(answer: String) throws {
        try self.init { _ in .bytes(Array(answer.utf8)) }
    }

    /// Stops accepting and ends open connections. Descriptors are closed
    /// only by the threads that use them, and only under the lock, so no
    /// number that another test's socket has taken over is shut down here.
    func stop() {
        lock.withLock {
            stopped = true
            shutdown(listener, Int32(SHUT_RDWR))  // wakes accept(), whose thread closes it
            for fd in clients { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            let index: Int? = lock.withLock {
                guard fd >= 0, !stopped else {
                    if fd >= 0 { close(fd) }
                    close(listener)
                    return nil
                }
                clients.insert(fd)
                connections += 1
                return connections - 1
            }
            guard let index else { return }
            let thread = Thread { [self] in serve(fd, connection: index) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        defer {
            lock.withLock {
                clients.remove(fd)
                close(fd)
            }
        }
        var buffer: [UInt8] = []
        var index = 0
        while let request = readRequest(fd, &buffer, connection: connection, index: index) {
            index += 1
            lock.withLock { received.append(request) }
            switch handler(request) {
            case .close: return
            case .bytes(let bytes): guard writeAll(fd, bytes) else { return }
            }
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8], connection: Int, index: Int) -> Request? {
        let end = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while true {
            if buffer.count >= 4, let i = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == end }) {
                headerEnd = i
                break
            }
            guard readMore(fd, &buffer) else { return nil }
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ").map(String.init)
        guard requestLine.count >= 2 else { return nil }
        var length = 0
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0].lowercased() == "content-length" { length = Int(parts[1]) ?? 0 }
        }
        let bodyStart = headerEnd + 4
        while buffer.count < bodyStart + length {
            guard readMore(fd, &buffer) else { return nil }
        }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return Request(method: requestLine[0], path: requestLine[1], body: body, connection: connection, indexOnConnection: index)
    }

    private func readMore(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        buffer += chunk[..<n]
        return true
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}
