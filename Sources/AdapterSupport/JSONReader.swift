/// A pull reader over JSON bytes, for the one place where Foundation's
/// `JSONDecoder` is too slow: full listings read on every poll (HelpSpace has
/// no changed-since filter, so an idle cycle over 10,000 tasks reads about
/// 8 MB of JSON). It materialises only the values a caller asks for and
/// skips the rest without allocating, several times faster than decoding.
///
/// Contract: it accepts exactly RFC 8259 JSON; anything else throws
/// ``JSONReader/Failure`` with the byte offset. Each read consumes one value.
public struct JSONReader {
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public init(message: String, offset: Int) {
            self.message = message
            self.offset = offset
        }
        public var description: String { "\(message) at byte \(offset)" }
    }

    let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    func fail(_ message: String) -> Failure { Failure(message: message, offset: offset) }

    mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    mutating func peek() throws -> UInt8 {
        skipSpace()
        guard offset < bytes.count else { throw fail("unexpected end") }
        return bytes[offset]
    }

    mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        offset += 1
    }

    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard offset + n <= bytes.count else { throw fail("unexpected end") }
        let matches = word.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[offset + $0] == w[$0] } }
        guard matches else { throw fail("expected \(word)") }
        offset += n
    }

    /// True (and consumed) when the next value is `null`.
    public mutating func readNull() throws -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    public mutating func readBool() throws -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw fail("expected true or false")
        }
    }

    /// An integer (ids, page numbers). A fraction or exponent is refused.
    public mutating func readInt() throws -> Int64 {
        _ = try peek()
        var negative = false
        if bytes[offset] == UInt8(ascii: "-") {
            negative = true
            offset += 1
        }
        var value: Int64 = 0
        let start = offset
        while offset < bytes.count, bytes[offset] >= 48, bytes[offset] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[offset] - 48))
            guard !o1, !o2 else { throw fail("integer too large") }
            value = a
            offset += 1
        }
        guard offset > start else { throw fail("expected an integer") }
        if offset < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[offset]) {
            throw fail("expected an integer, found a fraction")
        }
        return negative ? -value : value
    }

    public mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: bytes[start..<offset], as: UTF8.self)
                offset += 1
                return s
            }
            if b == UInt8(ascii: "\\") { return try readEscapedString(from: start) }
            if b < 0x20 { throw fail("control character in a string") }
            offset += 1
        }
        throw fail("unterminated string")
    }

    public mutating func readStringOrNull() throws -> String? {
        try readNull() ? nil : readString()
    }

    mutating func readEscapedString(from start: Int) throws -> String {
        var out = Array(bytes[start..<offset])
        while offset < bytes.count {
            let b = bytes[offset]
            offset += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[offset]
                offset += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate: a low one must follow.
                        guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
                        else { throw fail("lone surrogate") }
                        offset += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out += Array(String(Character(u)).utf8)
                default: throw fail("invalid escape")
                }
            default:
                if b < 0x20 { throw fail("control character in a string") }
                out.append(b)
            }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[offset]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw fail("invalid hex digit")
            }
            v = v * 16 + d
            offset += 1
        }
        return v
    }

    /// Calls `body` with each key of an object; `body` must read or skip the value.
    public mutating func readObject(_ body: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            offset += 1
            return
        }
        while true {
            let key = try readString()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            switch try peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    /// Calls `body` for each element of an array; `body` must read or skip it.
    public mutating func readArray(_ body: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") {
            offset += 1
            return
        }
        while true {
            try body(&self)
            switch try peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    /// Reads one element with `read`; if it throws, skips the element
    /// instead and returns why, so one bad item fails alone. Only JSON that
    /// is not well formed stops the reader. (Not generic on purpose: this
    /// runs for every item of a listing, from another module.)
    public mutating func readLeniently(_ read: (inout JSONReader) throws -> Void) throws -> Failure? {
        let start = offset
        do {
            try read(&self)
            return nil
        } catch {
            offset = start
            try skipValue()
            return error as? Failure ?? Failure(message: "\(error)", offset: start)
        }
    }

    /// Skips one value of any kind, checking its structure (brackets, commas,
    /// literals); the contents of skipped strings are not decoded.
    public mutating func skipValue() throws {
        switch try peek() {
        case UInt8(ascii: "{"): try readObject { r, _ in try r.skipValue() }
        case UInt8(ascii: "["): try readArray { r in try r.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try readBool()
        case UInt8(ascii: "n"): _ = try readNull()
        default: try skipNumber()
        }
    }

    mutating func skipString() throws {
        try expect(UInt8(ascii: "\""))
        while offset < bytes.count {
            let b = bytes[offset]
            offset += 1
            if b == UInt8(ascii: "\"") { return }
            if b == UInt8(ascii: "\\") { offset += 1 }
        }
        throw fail("unterminated string")
    }

    mutating func skipNumber() throws {
        let start = offset
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        while offset < bytes.count {
            switch bytes[offset] {
            case 48...57, UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): offset += 1
            default:
                guard offset > start else { throw fail("unexpected character") }
                return
            }
        }
        guard offset > start else { throw fail("unexpected end") }
    }

    /// Checks that nothing but white space follows the value.
    public mutating func end() throws {
        skipSpace()
        guard offset == bytes.count else { throw fail("trailing characters") }
    }
}
