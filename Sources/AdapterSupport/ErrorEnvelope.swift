import Foundation

/// A provider's way of saying "error" in a 2xx answer: ProofHub answers a
/// custom-field type error with 200 and `{"code":2033,"message":...}`, and
/// its errors elsewhere look like `{"status":false,"error":...}`.
///
/// Contract: ``APIClient`` runs the check on the body of every 2xx
/// response of a client that has one; when it returns a message, the call
/// throws ``ProviderError/rejected(status:message:)`` with the response's
/// status and that message (an item-level failure, like a 422). A body
/// that is not JSON, not an object, or an object of any other shape passes.
///
/// Grow CRM and ActiveCollab document no error inside a 2xx answer (their
/// errors come with 4xx/5xx statuses), so they need no check.
public struct ErrorEnvelope: Sendable {
    /// The message when `body` is an error, nil when it is an answer.
    public let detect: @Sendable (_ body: [UInt8]) -> String?

    public init(detect: @escaping @Sendable (_ body: [UInt8]) -> String?) {
        self.detect = detect
    }

    /// Throws ``ProviderError/rejected(status:message:)`` for a 2xx
    /// response whose body ``detect`` takes for an error.
    public func check(_ response: HTTPResponse) throws {
        guard (200..<300).contains(response.status), let message = detect(response.body) else { return }
        throw ProviderError.rejected(status: response.status, message: message)
    }

    /// ProofHub's two shapes: an object with an integer `code` and a string
    /// `message` and no `id` (`{"code":2033,"message":"Value of the custom
    /// field does not match its type."}`), or an object whose `status` is
    /// the boolean false (`{"status":false,"error":"..."}`). A task, whose
    /// `status` is an object and which has an `id`, is neither.
    public static let proofHub = ErrorEnvelope { body in
        guard let shape = try? JSONDecoder().decode(ErrorShape.self, from: Data(body)) else { return nil }
        if shape.status == false { return shape.text ?? "status false (no message)" }
        if let code = shape.code, let message = shape.message, !shape.hasID { return "\(message) (code \(code))" }
        return nil
    }
}

extension APIClient {
    /// The human part of an error body, in any of the providers' formats:
    /// `{"message": ...}` (with Laravel's `"errors": {"field": ["..."]}`
    /// added, as Grow CRM and HelpSpace send it), `{"errors": [{"title","detail","source"}]}` (JSON:API),
    /// `{"error": ...}`, `{"status":false,"error": ...}` and
    /// `{"code":2033,"message": ...}` (ProofHub). Anything else gives the
    /// body's first 200 bytes as text (ActiveCollab's legacy API documents
    /// no error body).
    public static func errorMessage(_ body: [UInt8]) -> String {
        if let shape = try? JSONDecoder().decode(ErrorShape.self, from: Data(body)), let text = shape.text {
            return text
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return text.isEmpty ? "(empty body)" : text
    }
}

/// Every error shape the providers use, each field read on its own so that
/// one of an unexpected type (Productive's numeric `status`) spoils none of
/// the others.
struct ErrorShape: Decodable {
    struct Item: Decodable {
        var title: String?
        var detail: String?
        var source: [String: String]?
    }
    enum Key: String, CodingKey { case message, error, errors, code, status, id }

    var message: String?
    var error: String?
    var items: [Item]?
    var fieldErrors: [String: [String]]?
    var code: Int64?
    var status: Bool?
    var hasID = false

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        message = try? c.decode(String.self, forKey: .message)
        error = try? c.decode(String.self, forKey: .error)
        items = try? c.decode([Item].self, forKey: .errors)
        fieldErrors =
            (try? c.decode([String: [String]].self, forKey: .errors))
            ?? (try? c.decode([String: String].self, forKey: .errors))?.mapValues { [$0] }
        code = try? c.decode(Int64.self, forKey: .code)
        status = try? c.decode(Bool.self, forKey: .status)
        hasID = c.contains(.id)
    }

    /// The message these fields make, or nil when they make none.
    var text: String? {
        if let items, !items.isEmpty {
            return items.map { item in
                [item.title, item.detail, item.source?["pointer"].map { "(\($0))" }].compactMap { $0 }.joined(separator: ": ")
            }.joined(separator: "; ")
        }
        if let fieldErrors {
            // Laravel repeats the first field's error as `message`: each is said once.
            let fields = fieldErrors.keys.sorted().compactMap { field -> String? in
                let errors = fieldErrors[field]!.filter { $0 != message }
                return errors.isEmpty ? nil : "\(field): \(errors.joined(separator: " "))"
            }.joined(separator: "; ")
            if !fields.isEmpty { return message.map { "\($0) (\(fields))" } ?? fields }
        }
        if let code, let m = message ?? error { return "\(m) (code \(code))" }
        return message ?? error
    }
}
