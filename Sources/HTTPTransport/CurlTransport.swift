import CCurl
import Foundation

/// HTTP through libcurl (the design card's choice), with easy handles kept in
/// a pool so connections are reused across requests.
///
/// libcurl's easy interface blocks, so each request runs on one of at most
/// ``TransportOptions/maxConcurrent`` threads of the transport's own, and the
/// caller's task awaits it. TLS verification is always on.
///
/// A request that is not ``HTTPRequest/retryable`` goes out on a fresh
/// connection (`CURLOPT_FRESH_CONNECT`). libcurl (7.88, `Curl_retry_request`
/// in lib/transfer.c) sends a request again by itself when it went out on a
/// reused connection and not one byte came back, which is also what a server
/// that processed the request and then dropped the connection looks like; it
/// never does so on a connection it has just opened. So such a request is
/// sent once, and a failure after it may have left is reported as
/// ``TransportError/outcomeUnknown``. (libcurl 8.16 adds
/// `CURLOPT_FORBID_RETRY_ON_REUSE` for this; Debian 12 has 7.88.)
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    private let options: TransportOptions
    private let lock = NSLock()
    private var idleHandles: [OpaquePointer] = []
    private let workers: BlockingWorkers

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(options: TransportOptions = TransportOptions()) {
        _ = Self.globalInit
        self.options = options
        self.workers = BlockingWorkers(limit: options.maxConcurrent)
    }

    deinit {
        for handle in idleHandles { curl_easy_cleanup(UnsafeMutableRawPointer(handle)) }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            workers.submit {
                continuation.resume(with: Result { try self.perform(request) })
            }
        }
    }

    private func checkout() -> OpaquePointer? {
        lock.lock()
        defer { lock.unlock() }
        if let handle = idleHandles.popLast() { return handle }
        return curl_easy_init().map { OpaquePointer($0) }
    }

    private func checkin(_ handle: OpaquePointer) {
        curl_easy_reset(UnsafeMutableRawPointer(handle))
        lock.lock()
        idleHandles.append(handle)
        lock.unlock()
    }

    private func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let opaque = checkout() else { throw TransportError("curl_easy_init failed") }
        let handle = UnsafeMutableRawPointer(opaque)
        defer { checkin(opaque) }

        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }

        ccurl_setopt_string(handle, CURLOPT_URL, request.url)
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(options.requestTimeout * 1000))
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0)
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0)
        ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        ccurl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent)
        ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")  // every encoding curl decodes
        ccurl_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS))
        if !request.retryable { ccurl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1) }
        switch request.method {
        case "GET": ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
        default: ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // curl adds "Expect: 100-continue" to larger bodies; the APIs do not need it.
        headerList = curl_slist_append(headerList, "Expect:")
        ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let sink = Unmanaged<ResponseSink>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            if let data { sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n)) }
            return n
        }
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
        ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let sink = Unmanaged<ResponseSink>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            if let data { sink.header(UnsafeRawBufferPointer(start: data, count: n)) }
            return n
        }
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer)

        if let body = request.body {
            // COPYPOSTFIELDS copies the bytes, so no pointer outlives this scope.
            ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            if body.isEmpty {
                ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBytes { buffer in
                    _ = ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress!))
                }
            }
        } else if !["GET", "HEAD", "DELETE"].contains(request.method) {
            throw TransportError("\(request.method) without a body")
        }
        let code = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            throw TransportError(
                "\(request.method) \(redacted(request.url)): \(message)",
                outcomeUnknown: !request.retryable && !Self.failedBeforeSending(code))
        }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }
}

extension CurlTransport {
    /// Errors that libcurl reports only before a byte of the request went
    /// out: name resolution, the TCP connect, the TLS handshake, a URL it
    /// cannot use. Every other failure (a timeout included) may come after
    /// the server got the request.
    static func failedBeforeSending(_ code: CURLcode) -> Bool {
        let before: [CURLcode] = [
            CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST,
            CURLE_COULDNT_CONNECT, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_FAILED_INIT,
        ]
        return before.contains(code)
    }
}

/// The URL without its query, which may carry a token (ActiveCollab).
func redacted(_ url: String) -> String {
    url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
}

private final class ResponseSink {
    var body: [UInt8] = []
    var parser = ResponseHeaderParser()
    var headers: [String: String] { parser.fields }

    func header(_ line: UnsafeRawBufferPointer) { parser.add(line: line) }
}
