/// The fields of a task that tasksync keeps in sync, in canonical form.
///
/// Every adapter turns its provider's task into ``TaskFields`` and back. Two
/// values of a field are "the same" exactly when they compare equal here, so
/// each field is normalised on the way in (see ``HTMLText`` and ``TagSet``).
public enum Field: String, CaseIterable, Codable, Sendable, Comparable {
    case title
    case description
    case status
    case done
    case priority
    case dueDate = "due_date"
    case tags

    public static func < (a: Field, b: Field) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Priority on a five-step scale. Providers with fewer steps map onto it.
public enum Priority: String, Codable, Sendable, CaseIterable {
    case veryLow = "very low"
    case low
    case medium
    case high
    case veryHigh = "very high"
}

/// A calendar date with no time and no time zone: a due date stays the same
/// day wherever it is read (rule 8).
public struct LocalDate: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, or the date part of a date-time such as
    /// `2025-09-15T10:30:00Z` (the date as written, never shifted by an offset).
    public init?(parsing text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            let y = Timestamp.digits(utf8, 0, 4), let m = Timestamp.digits(utf8, 5, 2),
            let d = Timestamp.digits(utf8, 8, 2), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        if utf8.count > 10 && utf8[10] != UInt8(ascii: "T") && utf8[10] != UInt8(ascii: " ") { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        func pad(_ n: Int, _ w: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = LocalDate(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// A task's synced fields in canonical form. `status` holds the link's
/// canonical status name once the engine has mapped it; adapters fill it with
/// their own remote status id.
public struct TaskFields: Hashable, Codable, Sendable {
    public var title: String
    public var description: String
    public var status: String?
    public var done: Bool
    public var priority: Priority?
    public var dueDate: LocalDate?
    public var tags: [String]

    public init(
        title: String, description: String = "", status: String? = nil, done: Bool = false,
        priority: Priority? = nil, dueDate: LocalDate? = nil, tags: [String] = []
    ) {
        self.title = title
        self.description = HTMLText.normalize(description)
        self.status = status
        self.done = done
        self.priority = priority
        self.dueDate = dueDate
        self.tags = TagSet.normalize(tags)
    }

    /// A digest of every field: equal fields, equal digest. The engine keeps
    /// it per remote copy, to tell that a copy did not change without
    /// comparing (or decoding) the whole shadow.
    public var fingerprint: Int64 {
        var d = Digest.Builder()
        d.add(title)
        d.separate()
        d.add(description)
        d.separate()
        if let status { d.add(status) }
        d.separate()
        d.add(done ? "1" : "0")
        d.separate()
        if let priority { d.add(priority.rawValue) }
        d.separate()
        if let dueDate { d.add(dueDate.description) }
        d.separate()
        for tag in tags {
            d.add(tag)
            d.separate()
        }
        return d.value
    }

    /// The value of one field, as a JSON-friendly value for plans and journals.
    public func value(of field: Field) -> FieldValue {
        switch field {
        case .title: .text(title)
        case .description: .text(description)
        case .status: status.map(FieldValue.text) ?? .none
        case .done: .flag(done)
        case .priority: priority.map { .text($0.rawValue) } ?? .none
        case .dueDate: dueDate.map { .text($0.description) } ?? .none
        case .tags: .list(tags)
        }
    }

    /// Sets one field from another value of the same struct.
    public mutating func copy(_ field: Field, from other: TaskFields) {
        switch field {
        case .title: title = other.title
        case .description: description = other.description
        case .status: status = other.status
        case .done: done = other.done
        case .priority: priority = other.priority
        case .dueDate: dueDate = other.dueDate
        case .tags: tags = other.tags
        }
    }
}

/// A field value in a form that prints and encodes plainly.
public enum FieldValue: Hashable, Codable, Sendable, CustomStringConvertible {
    case none
    case text(String)
    case flag(Bool)
    case list([String])

    public var description: String {
        switch self {
        case .none: "(none)"
        case .text(let s): "\"\(s)\""
        case .flag(let b): b ? "yes" : "no"
        case .list(let l): "[" + l.joined(separator: ", ") + "]"
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .none
        } else if let b = try? c.decode(Bool.self) {
            self = .flag(b)
        } else if let s = try? c.decode(String.self) {
            self = .text(s)
        } else {
            self = .list(try c.decode([String].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .none: try c.encodeNil()
        case .text(let s): try c.encode(s)
        case .flag(let b): try c.encode(b)
        case .list(let l): try c.encode(l)
        }
    }
}

/// Tags compare as a set: order and duplicates never count as a change.
public enum TagSet {
    public static func normalize(_ tags: [String]) -> [String] {
        Array(Set(tags.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty })).sorted()
    }
}

/// A subtask's synced fields.
public struct SubtaskFields: Hashable, Codable, Sendable {
    public var title: String
    public var done: Bool
    public init(title: String, done: Bool) {
        self.title = title
        self.done = done
    }

    /// A digest of both fields (see ``TaskFields/fingerprint``).
    public var fingerprint: Int64 {
        var d = Digest.Builder()
        d.add(title)
        d.separate()
        d.add(done ? "1" : "0")
        return d.value
    }
}

/// A comment as it flows between providers: its text and who wrote it.
public struct CommentFields: Hashable, Codable, Sendable {
    public var body: String
    public var author: String?
    public init(body: String, author: String?) {
        self.body = HTMLText.normalize(body)
        self.author = author
    }
}

extension String {
    /// The string without leading and trailing white space and newlines.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// The key by which titles pair up: case folded, white space collapsed.
    public var pairingKey: String {
        lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
