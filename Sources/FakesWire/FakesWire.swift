// What the `tasksync-fakes` program and the programs that start it (`tasksync
// demo`, `tasksync-benchmark`) say to each other, one line at a time.
//
// The child prints one line when its fakes serve:
//     ready {"fakes":[{"kind":"helpspace","base_url":"http://127.0.0.1:PORT","token":"...","seeded":{"login":"1"}}, ...]}
// then reads one command a line on stdin and answers each with one line,
// `ok` (then a space and JSON, for the commands that return something) or
// `error MESSAGE`:
//     edit KIND ID {"title":"...","status":"3","add_tags":["x"]}   a user's edit in that provider's UI
//     tasks KIND        ok [FakeTaskSnapshot, ...]: the live top-level tasks, by id
//     ledger            ok {"KIND":FakeLedgerCounts, ...}: requests served since the last reset
//     reset             the ledgers start again from zero
//     advance SECONDS   the fakes' shared clock moves on
//     latency MS [KIND] every answer (of that kind's fake, else of every fake) waits MS milliseconds from now on
//     quit              the fakes stop and the program exits (as it does when stdin closes)
import Foundation

/// The `ready` line: each fake's kind, base URL and token, and the ids of
/// the tasks it seeded under the names the seed gives them.
public struct FakesReady: Codable, Sendable, Equatable {
    public struct Fake: Codable, Sendable, Equatable {
        public var kind: String
        public var baseURL: String
        public var token: String
        public var seeded: [String: String]

        public init(kind: String, baseURL: String, token: String, seeded: [String: String] = [:]) {
            self.kind = kind
            self.baseURL = baseURL
            self.token = token
            self.seeded = seeded
        }

        enum CodingKeys: String, CodingKey {
            case kind, token, seeded
            case baseURL = "base_url"
        }
    }

    public var fakes: [Fake]

    public init(fakes: [Fake]) { self.fakes = fakes }

    /// The fake of that kind.
    public func fake(_ kind: String) throws -> Fake {
        guard let fake = fakes.first(where: { $0.kind == kind }) else { throw FakesChildError.protocolError("no \(kind) fake in the ready line") }
        return fake
    }

    public static let prefix = "ready "
}

/// An edit as a user makes it in the provider's own UI; nil leaves a field as it is.
public struct FakeEdit: Codable, Sendable, Equatable {
    public var title: String?
    public var description: String?
    /// The provider's own status id (HelpSpace `status_id`, Productive `workflow_status`).
    public var status: String?
    public var addTags: [String]?

    public init(title: String? = nil, description: String? = nil, status: String? = nil, addTags: [String]? = nil) {
        self.title = title
        self.description = description
        self.status = status
        self.addTags = addTags
    }

    enum CodingKeys: String, CodingKey {
        case title, description, status
        case addTags = "add_tags"
    }
}

/// One live top-level task as the fake holds it.
public struct FakeTaskSnapshot: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    /// The provider's own status id.
    public var status: String
    public var tags: [String]
    /// The titles of its subtasks (HelpSpace) or child tasks (Productive), by id.
    public var subtasks: [String]
    public var comments: Int

    public init(id: String, title: String, status: String, tags: [String], subtasks: [String], comments: Int) {
        self.id = id
        self.title = title
        self.status = status
        self.tags = tags
        self.subtasks = subtasks
        self.comments = comments
    }
}

/// What one fake's request ledger counts.
public struct FakeLedgerCounts: Codable, Sendable, Equatable {
    public var total: Int
    /// Every request that is not a GET.
    public var writes: Int
    /// Requests whose path names `/comments`.
    public var commentRequests: Int
    /// GETs of a task listing (a path, or ActiveCollab's `path_info`,
    /// ending in `/tasks`, or `/tasks/archive`): one per page read.
    public var listingRequests: Int
    /// Answers with status 429 (Too Many Requests).
    public var tooManyRequests: Int

    public init(total: Int, writes: Int, commentRequests: Int, listingRequests: Int = 0, tooManyRequests: Int = 0) {
        self.total = total
        self.writes = writes
        self.commentRequests = commentRequests
        self.listingRequests = listingRequests
        self.tooManyRequests = tooManyRequests
    }

    enum CodingKeys: String, CodingKey {
        case total, writes
        case commentRequests = "comment_requests"
        case listingRequests = "listing_requests"
        case tooManyRequests = "too_many_requests"
    }

    /// The two later counts read as 0 from a program that does not send them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        total = try c.decode(Int.self, forKey: .total)
        writes = try c.decode(Int.self, forKey: .writes)
        commentRequests = try c.decode(Int.self, forKey: .commentRequests)
        listingRequests = try c.decodeIfPresent(Int.self, forKey: .listingRequests) ?? 0
        tooManyRequests = try c.decodeIfPresent(Int.self, forKey: .tooManyRequests) ?? 0
    }
}

/// One line of JSON, and back.
public enum FakesJSON {
    public static func line(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // JSONEncoder never writes a raw newline: strings escape theirs.
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: some StringProtocol) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
