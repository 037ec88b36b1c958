/// What a request carries, with the Content-Type that goes with it.
///
/// Contract: ``bytes`` is exactly what goes on the wire and ``contentType``
/// is the header sent with it; ``APIClient`` sends that Content-Type in
/// place of any Content-Type among its fixed or extra headers.
///
/// No XML request bodies: the provider documents that answer in XML
/// (ActiveCollab's legacy API) take form fields; see ``XMLAnswer`` for
/// reading the answers.
public enum RequestBody: Sendable {
    /// A JSON document. The Content-Type is `application/json` unless a
    /// provider names another (Productive: `application/vnd.api+json`).
    case json(JSON, contentType: String = "application/json")
    /// Form fields, in the order given, as `application/x-www-form-urlencoded`
    /// (``FormEncoding/encode(_:)``). Build nested fields with
    /// ``FormEncoding/flatten(_:)``.
    case form([(String, String)])

    public var contentType: String {
        switch self {
        case .json(_, let contentType): contentType
        case .form: "application/x-www-form-urlencoded"
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .json(let value, _): jsonBody(value)
        case .form(let fields): FormEncoding.encode(fields)
        }
    }
}

/// `application/x-www-form-urlencoded`, written the way PHP's
/// `http_build_query` writes it (the form encoding of Grow CRM's and
/// ActiveCollab's documents, both PHP applications).
///
/// Contract:
/// - Pairs are joined as `name=value` with `&`, in the order given.
/// - ASCII letters, digits, `-`, `_` and `.` stay as they are; a space
///   becomes `+`; every other byte of the UTF-8 form becomes `%XX` (upper
///   case), so `[` and `]` in a nested name become `%5B` and `%5D`, `+`
///   becomes `%2B`, `~` becomes `%7E`. PHP decodes the name before it reads
///   the brackets, so `task%5Bname%5D=x` arrives as `task[name]`.
/// - Nested names are written `a[b]=c`, and array elements `a[]=x`
///   (``flatten(_:)``).
public enum FormEncoding {
    /// The body bytes for `fields`.
    public static func encode(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&").utf8)
    }

    /// One name or value, escaped as described on ``FormEncoding``.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// Flattens a nested value into form fields:
    /// `{"task": {"name": "x", "other_assignees": [3, 4]}}` gives
    /// `task[name]=x`, `task[other_assignees][]=3`, `task[other_assignees][]=4`.
    ///
    /// Object keys come out sorted (``JSON/object(_:)`` has no order; sorted
    /// keeps the bytes the same from one run to the next); array elements in
    /// their order. Only an object has names at the top: any other top-level
    /// value gives no field.
    /// `true` is written `1` and `false` `0` (as PHP writes them); `null`
    /// gives no field (as `http_build_query` drops it); an empty array or
    /// object gives no field either, so clearing a list needs a field of
    /// the provider's own (Grow CRM's `assigned[]` with no value is not
    /// documented).
    public static func flatten(_ value: JSON) -> [(String, String)] {
        guard case .object(let members) = value else { return [] }
        var out: [(String, String)] = []
        for key in members.keys.sorted() { append(members[key]!, name: key, to: &out) }
        return out
    }

    /// Flattens each value under its name, in the order given: for a body
    /// whose field order matters or that mixes nested and plain fields
    /// (`[("task", .object([...])), ("submitted", .string("submitted"))]`).
    public static func flatten(_ fields: [(String, JSON)]) -> [(String, String)] {
        var out: [(String, String)] = []
        for (name, value) in fields { append(value, name: name, to: &out) }
        return out
    }

    static func append(_ value: JSON, name: String, to out: inout [(String, String)]) {
        switch value {
        case .string(let s): out.append((name, s))
        case .number(let n): out.append((name, String(n)))
        case .bool(let b): out.append((name, b ? "1" : "0"))
        case .null: break
        case .array(let elements):
            for element in elements { append(element, name: name + "[]", to: &out) }
        case .object(let members):
            for key in members.keys.sorted() { append(members[key]!, name: "\(name)[\(key)]", to: &out) }
        }
    }
}
