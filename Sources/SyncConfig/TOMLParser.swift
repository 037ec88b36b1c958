/// A small, strict TOML parser for the config file: what the config uses and
/// nothing that can crash. TOMLKit (toml++) aborted the process (SIGABRT,
/// an assertion in its C++ parser) on some malformed files, such as a stray
/// `[` or a cut `[[link` header; this parser is plain Swift, never traps on
/// its input, and every error carries the line and column.
///
/// Supported: `[table]` and `[[array.of.tables]]` headers with dotted and
/// quoted keys, `key = value` with dotted keys, basic and literal strings
/// (one line), integers (decimal, `0x`, `0o`, `0b`, `_` separators), floats
/// (with `inf` and `nan`), booleans, arrays (over several lines, trailing
/// comma, comments inside), inline tables `{ a = 1 }`, and `#` comments.
/// Not supported, each an error naming the line: multi-line strings, dates
/// and times.
public enum TOMLValue: Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case array([TOMLNode])
    case table(TOMLTable)
    /// `[[name]]`: tables appended one header at a time.
    case tableArray(TOMLTableArray)

    var isEmptyArray: Bool {
        if case .array(let a) = self { return a.isEmpty }
        return false
    }

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .tableArray: "an array of tables"
        }
    }
}

/// A value and the line it was written on (1-based).
public struct TOMLNode: Sendable {
    public var value: TOMLValue
    public var line: Int
}

/// A table, its keys in the order written. A class: headers reopen the
/// table they name and add to it. Only the parser mutates it.
public final class TOMLTable: @unchecked Sendable {
    public private(set) var keys: [String] = []
    private var values: [String: TOMLNode] = [:]
    /// The line of its header (or of its first key for the root and inline tables).
    public let line: Int
    /// Named by its own `[header]` (or inline), not only as the parent of one.
    var defined: Bool
    /// Created by a dotted key (`a.b = 1`): may not be reopened by a header.
    var byDottedKey = false
    /// Inline tables and static arrays are closed to later additions.
    var closed = false

    init(line: Int, defined: Bool) {
        self.line = line
        self.defined = defined
    }

    public subscript(key: String) -> TOMLNode? { values[key] }

    func set(_ key: String, _ node: TOMLNode) {
        if values[key] == nil { keys.append(key) }
        values[key] = node
    }
}

public final class TOMLTableArray: @unchecked Sendable {
    public private(set) var tables: [TOMLTable] = []
    func append(_ t: TOMLTable) { tables.append(t) }
}

public struct TOMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

public struct TOMLParser {
    private let bytes: [UInt8]
    private var i = 0
    private var line = 1
    private var lineStart = 0
    private let root: TOMLTable
    private var current: TOMLTable
    /// Arrays and inline tables nested in each other: bounded, so that a
    /// file of `[[[[...` is an error rather than a stack overflow.
    private var depth = 0
    static let maxDepth = 32

    public static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        var p = TOMLParser(text)
        try p.document()
        return p.root
    }

    private init(_ text: String) {
        bytes = Array(text.utf8)
        root = TOMLTable(line: 1, defined: true)
        current = root
    }

    // MARK: - Lexing helpers

    private var atEnd: Bool { i >= bytes.count }
    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private func fail(_ message: String) -> TOMLSyntaxError {
        TOMLSyntaxError(line: line, column: i - lineStart + 1, message: message)
    }

    private mutating func skipSpaces() {
        while let c = peek, c == 0x20 || c == 0x09 { i += 1 }
    }

    /// Skips a comment to the end of the line (not the newline).
    private mutating func skipComment() throws(TOMLSyntaxError) {
        guard peek == UInt8(ascii: "#") else { return }
        while let c = peek, c != 0x0A {
            if c < 0x20 && c != 0x09 && !(c == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) {
                throw fail("control character in a comment")
            }
            i += 1
        }
    }

    /// Consumes a newline (LF or CRLF); false when not at one.
    private mutating func newline() -> Bool {
        if peek == 0x0A {
            i += 1
        } else if peek == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A {
            i += 2
        } else {
            return false
        }
        line += 1
        lineStart = i
        return true
    }

    /// After a header or a key/value: spaces, a comment, then a newline or the end.
    private mutating func endOfLine() throws(TOMLSyntaxError) {
        skipSpaces()
        try skipComment()
        if atEnd || newline() { return }
        throw fail("expected the end of the line, found '\(Self.show(peek!))'")
    }

    /// Spaces, comments and newlines, as allowed inside an array.
    private mutating func skipBlank() throws(TOMLSyntaxError) {
        while true {
            skipSpaces()
            try skipComment()
            if !newline() { return }
        }
    }

    private static func show(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
    }

    private static func isBare(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }

    // MARK: - Document

    private mutating func document() throws(TOMLSyntaxError) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while !atEnd {
            skipSpaces()
            try skipComment()
            if newline() { continue }
            guard let c = peek else { break }
            if c == UInt8(ascii: "[") {
                try header()
            } else {
                try keyValue(into: current)
            }
            try endOfLine()
        }
    }

    private mutating func header() throws(TOMLSyntaxError) {
        let headerLine = line
        i += 1
        let isArray = peek == UInt8(ascii: "[")
        if isArray { i += 1 }
        skipSpaces()
        let path = try key()
        skipSpaces()
        guard peek == UInt8(ascii: "]") else {
            throw fail(
                isArray
                    ? "the header [[\(path.joined(separator: "."))]] is not closed with ]]" : "the header [\(path.joined(separator: "."))] is not closed with ]"
            )
        }
        i += 1
        if isArray {
            guard peek == UInt8(ascii: "]") else { throw fail("the header [[\(path.joined(separator: "."))]] is not closed with ]]") }
            i += 1
        }
        let name = path.joined(separator: ".")
        // Walk to the parent, creating implicit tables; `[[a]]` then `[a.b]` means the last a.
        var table = root
        for part in path.dropLast() {
            table = try descend(table, part, name: name, line: headerLine)
        }
        let last = path.last!
        if isArray {
            let t = TOMLTable(line: headerLine, defined: true)
            if let existing = table[last] {
                guard case .tableArray(let array) = existing.value else {
                    throw fail("[[\(name)]]: '\(name)' is already \(existing.value.typeName) (line \(existing.line))")
                }
                array.append(t)
            } else {
                let array = TOMLTableArray()
                array.append(t)
                table.set(last, TOMLNode(value: .tableArray(array), line: headerLine))
            }
            current = t
        } else {
            if let existing = table[last] {
                guard case .table(let t) = existing.value else {
                    throw fail("[\(name)]: '\(name)' is already \(existing.value.typeName) (line \(existing.line))")
                }
                if t.defined || t.byDottedKey || t.closed { throw fail("[\(name)] is defined twice (first on line \(t.line))") }
                t.defined = true
                current = t
            } else {
                let t = TOMLTable(line: headerLine, defined: true)
                table.set(last, TOMLNode(value: .table(t), line: headerLine))
                current = t
            }
        }
    }

    /// The table `part` under `table` while walking a header: an existing
    /// table, the last of an array of tables, or a new implicit table.
    private mutating func descend(_ table: TOMLTable, _ part: String, name: String, line: Int) throws(TOMLSyntaxError) -> TOMLTable {
        if let existing = table[part] {
            switch existing.value {
            case .table(let t) where !t.closed: return t
            case .tableArray(let a) where !a.tables.isEmpty: return a.tables.last!
            default: throw fail("[\(name)]: '\(part)' is already \(existing.value.typeName) (line \(existing.line))")
            }
        }
        let t = TOMLTable(line: line, defined: false)
        table.set(part, TOMLNode(value: .table(t), line: line))
        return t
    }

    /// A key: bare or quoted parts separated by dots.
    private mutating func key() throws(TOMLSyntaxError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let c = peek else { throw fail("expected a key, found the end of the file") }
            if c == UInt8(ascii: "\"") {
                parts.append(try basicString())
            } else if c == UInt8(ascii: "'") {
                parts.append(try literalString())
            } else if Self.isBare(c) {
                let start = i
                while let c = peek, Self.isBare(c) { i += 1 }
                parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
            } else if c == 0x0A || c == 0x0D {
                throw fail("expected a key, found the end of the line")
            } else {
                throw fail("expected a key, found '\(Self.show(c))'")
            }
            skipSpaces()
            if peek == UInt8(ascii: ".") {
                i += 1
                continue
            }
            return parts
        }
    }

    private mutating func keyValue(into table: TOMLTable) throws(TOMLSyntaxError) {
        let keyLine = line
        let path = try key()
        skipSpaces()
        guard peek == UInt8(ascii: "=") else {
            if let c = peek, c != 0x0A, c != 0x0D {
                throw fail("expected '=' after the key '\(path.joined(separator: "."))', found '\(Self.show(c))'")
            }
            throw fail("expected '=' after the key '\(path.joined(separator: "."))'")
        }
        i += 1
        skipSpaces()
        let value = try self.value()
        var target = table
        for part in path.dropLast() {
            if let existing = target[part] {
                guard case .table(let t) = existing.value, t.byDottedKey, !t.closed else {
                    throw TOMLSyntaxError(
                        line: keyLine, column: 1,
                        message: "'\(path.joined(separator: "."))': '\(part)' is already \(existing.value.typeName) (line \(existing.line))")
                }
                target = t
            } else {
                let t = TOMLTable(line: keyLine, defined: false)
                t.byDottedKey = true
                target.set(part, TOMLNode(value: .table(t), line: keyLine))
                target = t
            }
        }
        let last = path.last!
        if let existing = target[last] {
            throw TOMLSyntaxError(
                line: keyLine, column: 1, message: "the key '\(path.joined(separator: "."))' is given twice (first on line \(existing.line))")
        }
        target.set(last, TOMLNode(value: value, line: keyLine))
    }

    // MARK: - Values

    private mutating func value() throws(TOMLSyntaxError) -> TOMLValue {
        guard let c = peek else { throw fail("expected a value, found the end of the file") }
        switch c {
        case UInt8(ascii: "\""):
            return .string(try basicString())
        case UInt8(ascii: "'"):
            return .string(try literalString())
        case UInt8(ascii: "["):
            return try array()
        case UInt8(ascii: "{"):
            return try inlineTable()
        case 0x0A, 0x0D, UInt8(ascii: "#"):
            throw fail("expected a value after '='")
        default:
            let start = i
            while let c = peek, c != 0x20, c != 0x09, c != 0x0A, c != 0x0D, c != UInt8(ascii: ","), c != UInt8(ascii: "]"),
                c != UInt8(ascii: "}"), c != UInt8(ascii: "#")
            {
                i += 1
            }
            let word = String(decoding: bytes[start..<i], as: UTF8.self)
            if let v = Self.scalar(word) { return v }
            i = start
            if word.isEmpty { throw fail("expected a value, found '\(Self.show(c))'") }
            if word.count >= 8, word.contains("-") || word.contains(":"), word.first?.isNumber == true {
                throw fail("dates and times are not used in this config: '\(word)'")
            }
            throw fail("'\(word)' is not a value (strings need quotes: \"\(word)\")")
        }
    }

    /// true, false, an integer or a float; nil when the word is none of them.
    static func scalar(_ word: String) -> TOMLValue? {
        switch word {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        let chars = Array(word)
        guard !chars.isEmpty else { return nil }
        // Underscores only between digits.
        for (k, ch) in chars.enumerated() where ch == "_" {
            guard k > 0, k + 1 < chars.count, chars[k - 1].isHexDigit, chars[k + 1].isHexDigit else { return nil }
        }
        let plain = word.replacingUnderscores()
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where plain.hasPrefix(prefix) {
            let digits = plain.dropFirst(2)
            guard !digits.isEmpty, let n = Int64(digits, radix: radix) else { return nil }
            return .integer(n)
        }
        var body = Substring(plain)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        guard let first = body.first, first.isASCII, first.isNumber else { return nil }
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-") }) else { return nil }
        let intPart = body.prefix { $0.isNumber }
        if intPart.count > 1 && intPart.first == "0" { return nil }  // no leading zeros
        if body.allSatisfy({ $0.isNumber }) {
            guard let n = Int64(plain) else { return nil }
            return .integer(n)
        }
        // A float: digits, then .digits and/or an exponent.
        if let dot = body.firstIndex(of: ".") {
            let after = body[body.index(after: dot)...]
            guard let d = after.first, d.isNumber else { return nil }
        }
        guard let x = Double(plain), x.isFinite else { return nil }
        return .float(x)
    }

    private mutating func basicString() throws(TOMLSyntaxError) -> String {
        i += 1
        if peek == UInt8(ascii: "\""), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
            throw fail("multi-line strings (\"\"\") are not used in this config")
        }
        var out: [UInt8] = []
        while true {
            guard let c = peek, c != 0x0A, c != 0x0D else { throw fail("the string is not closed with \" on this line") }
            i += 1
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                guard let e = peek else { throw fail("the string is not closed with \" on this line") }
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(e)
                case UInt8(ascii: "\\"): out.append(e)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "e"): out.append(0x1B)
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let count = e == UInt8(ascii: "u") ? 4 : 8
                    guard i + count <= bytes.count,
                        let code = UInt32(String(decoding: bytes[i..<i + count], as: UTF8.self), radix: 16),
                        let scalar = Unicode.Scalar(code)
                    else {
                        throw fail("\\\(Self.show(e)) needs \(count) hex digits of a Unicode scalar")
                    }
                    i += count
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    i -= 1
                    throw fail("unknown escape \\\(Self.show(e)) in a string")
                }
                continue
            }
            if c < 0x20 && c != 0x09 || c == 0x7F {
                i -= 1
                throw fail("control character in a string")
            }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func literalString() throws(TOMLSyntaxError) -> String {
        i += 1
        if peek == UInt8(ascii: "'"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "'") {
            throw fail("multi-line strings (''') are not used in this config")
        }
        let start = i
        while true {
            guard let c = peek, c != 0x0A, c != 0x0D else { throw fail("the string is not closed with ' on this line") }
            if c == UInt8(ascii: "'") { break }
            if c < 0x20 && c != 0x09 || c == 0x7F { throw fail("control character in a string") }
            i += 1
        }
        let s = String(decoding: bytes[start..<i], as: UTF8.self)
        i += 1
        return s
    }

    private mutating func nest() throws(TOMLSyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw fail("arrays and inline tables nested more than \(Self.maxDepth) deep") }
    }

    private mutating func array() throws(TOMLSyntaxError) -> TOMLValue {
        let openLine = line
        try nest()
        defer { depth -= 1 }
        i += 1
        var items: [TOMLNode] = []
        while true {
            try skipBlank()
            guard let c = peek else { throw fail("the array opened on line \(openLine) is not closed with ]") }
            if c == UInt8(ascii: "]") {
                i += 1
                return .array(items)
            }
            let itemLine = line
            items.append(TOMLNode(value: try value(), line: itemLine))
            try skipBlank()
            if peek == UInt8(ascii: ",") {
                i += 1
            } else if peek != UInt8(ascii: "]") {
                if atEnd { throw fail("the array opened on line \(openLine) is not closed with ]") }
                throw fail("expected ',' or ']' in the array opened on line \(openLine), found '\(Self.show(peek!))'")
            }
        }
    }

    private mutating func inlineTable() throws(TOMLSyntaxError) -> TOMLValue {
        let t = TOMLTable(line: line, defined: true)
        try nest()
        defer { depth -= 1 }
        i += 1
        skipSpaces()
        if peek == UInt8(ascii: "}") {
            i += 1
            t.closed = true
            return .table(t)
        }
        while true {
            skipSpaces()
            try keyValue(into: t)
            skipSpaces()
            guard let c = peek else { throw fail("the inline table is not closed with }") }
            i += 1
            if c == UInt8(ascii: "}") { break }
            if c != UInt8(ascii: ",") {
                i -= 1
                throw fail("expected ',' or '}' in the inline table, found '\(Self.show(c))'")
            }
        }
        t.closed = true
        return .table(t)
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
