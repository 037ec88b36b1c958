import AdapterSupport
import Foundation

/// A transport that answers from a script and keeps every request it was
/// given, for tests of what ``APIClient`` sends and makes of the answers.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [HTTPResponse]
    private var sent: [HTTPRequest] = []

    /// Answers in order; the last one repeats.
    init(_ answers: HTTPResponse...) { self.answers = answers }

    convenience init(status: Int, body: String) { self.init(HTTPResponse(status: status, body: Array(body.utf8))) }

    var requests: [HTTPRequest] { lock.withLock { sent } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock {
            sent.append(request)
            return answers.count > 1 ? answers.removeFirst() : answers[0]
        }
    }
}
