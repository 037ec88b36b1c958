import AdapterSupport
import Foundation
import Testing

@testable import HTTPTransport

/// Response headers as libcurl delivers them: CRLF-terminated lines, read
/// from a raw server that sends exactly these bytes.
@Suite("response headers", .serialized)
struct ResponseHeaderTests {
    func fetch(_ answer: String) async throws -> HTTPResponse {
        let server = try RawServer(answer: answer)
        defer { server.stop() }
        return try await CurlTransport().send(HTTPRequest(method: "GET", url: server.url + "/x"))
    }

    @Test("names in mixed case, repeated names combined, white space and CRLF not part of the value")
    func fields() async throws {
        let response = try await fetch(
            "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\nRETRY-after: 7\r\nX-Part: a\r\nx-part:b\r\n"
                + "Content-Type: \t application/json \t\r\n\r\n{}")
        #expect(response.status == 429)
        #expect(response.headers["retry-after"] == "7")
        #expect(response.headers["x-part"] == "a, b")
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.retryAfter() == 7)
    }

    @Test("Retry-After in delay-seconds")
    func delaySeconds() async throws {
        let response = try await fetch("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n")
        #expect(response.retryAfter() == 7)
    }

    @Test("Retry-After as an IMF-fixdate counts from the response's own Date header, not the local clock")
    func httpDate() async throws {
        let response = try await fetch(
            "HTTP/1.1 429 Too Many Requests\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Retry-After: Sun, 06 Nov 1994 08:50:22 GMT\r\nContent-Length: 0\r\n\r\n")
        #expect(response.retryAfter() == 45)
        // Without a Date header the local clock is the reference.
        var noDate = response
        noDate.headers["date"] = nil
        #expect(noDate.retryAfter(now: Date(timeIntervalSince1970: 784_111_762)) == 60)
    }

    @Test("x-ratelimit-reset in seconds (Productive)")
    func rateLimitReset() async throws {
        let response = try await fetch("HTTP/1.1 429 Too Many Requests\r\nx-ratelimit-reset: 12\r\nContent-Length: 0\r\n\r\n")
        #expect(response.retryAfter() == 12)
    }

    @Test("a 429 through APIClient carries the server's seconds, not nil (and so not the 60 s fallback)")
    func apiClient() async throws {
        let server = try RawServer(
            answer: "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n"
                + "{\"message\":\"slow down\"}\n")
        defer { server.stop() }
        let client = APIClient(baseURL: server.url, headers: [], transport: CurlTransport())
        await #expect(throws: ProviderError.rateLimited(retryAfter: 7, message: "slow down")) {
            _ = try await client.call("GET", "/tasks")
        }
    }

    @Test("the header parser on its own: obs-fold, a new status line, lines that are not fields")
    func parser() {
        var p = ResponseHeaderParser()
        p.add(line: "HTTP/1.1 100 Continue\r\n")
        p.add(line: "X-Early: 1\r\n")
        p.add(line: "\r\n")
        p.add(line: "HTTP/1.1 200 OK\r\n")
        p.add(line: "X-Folded: one\r\n")
        p.add(line: " \t two\r\n")
        p.add(line: "Bad Name: x\r\n")
        p.add(line: "no colon here\r\n")
        p.add(line: "Empty:\r\n")
        p.add(line: "Empty: later\r\n")
        #expect(p.fields == ["x-folded": "one two", "empty": "later"])
    }

    @Test("HTTP-dates in the three forms RFC 9110 §5.6.7 makes recipients accept")
    func dates() {
        let expected = Date(timeIntervalSince1970: 784_111_777)  // 1994-11-06 08:49:37 UTC
        let now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == expected)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == expected)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994", now: now) == expected)
        #expect(HTTPDate.parse("sun, 06 nov 1994 08:49:37 GMT", now: now) == expected)
        // A two-digit year more than 50 years ahead is the most recent past
        // one (94: 1994 above); one less than 50 years ahead stays ahead.
        #expect(HTTPDate.parse("Wednesday, 01-Jan-70 00:00:00 GMT", now: now) == Date(timeIntervalSince1970: 3_155_760_000))
        #expect(HTTPDate.parse("Friday, 01-Jan-27 00:00:00 GMT", now: now) == Date(timeIntervalSince1970: 1_798_761_600))
        #expect(HTTPDate.parse("Sat, 29 Feb 2020 23:59:59 GMT", now: now) == Date(timeIntervalSince1970: 1_583_020_799))
        for bad in [
            "", "7", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov  6 08:49:37 94", "Sun, 06 Nov 1994 8:49:37 GMT",
        ] {
            #expect(HTTPDate.parse(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test("Retry-After wins over X-RateLimit-Reset; a past date is 0; a Unix time in X-RateLimit-Reset is a date")
    func precedence() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(HTTPResponse(status: 429, headers: ["retry-after": "3", "x-ratelimit-reset": "9"]).retryAfter() == 3)
        #expect(HTTPResponse(status: 429, headers: ["retry-after": "soon", "x-ratelimit-reset": "9"]).retryAfter() == 9)
        #expect(HTTPResponse(status: 429, headers: ["date": date, "retry-after": "Sun, 06 Nov 1994 08:00:00 GMT"]).retryAfter() == 0)
        #expect(
            HTTPResponse(status: 429, headers: ["date": "Fri, 15 Jan 2027 08:00:00 GMT", "x-ratelimit-reset": "1800000030"]).retryAfter() == 30)
        #expect(HTTPResponse(status: 429, headers: ["retry-after": "-5"]).retryAfter() == nil)
        #expect(HTTPResponse(status: 429).retryAfter() == nil)
    }
}
