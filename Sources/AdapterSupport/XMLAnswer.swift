/// A small reader for XML answers (ActiveCollab's legacy API answers
/// `<tasks><task><id>12</id><name><![CDATA[Task example]]></name>...`).
/// Requests to that API are forms (``RequestBody/form(_:)``); only answers
/// are XML. Written here rather than on FoundationXML, which would make
/// the daemon load libxml2 for this one provider.
///
/// Contract: it reads well-formed XML 1.0 in UTF-8 into a tree of
/// ``Element``s: elements, attributes, character data, CDATA sections, the
/// five predefined entities and character references. Comments and
/// processing instructions are skipped. A DOCTYPE (and with it any entity
/// of its own) is refused, as is anything not well formed: ``Failure``
/// with the byte offset. Namespaces are not interpreted (a prefix stays
/// part of the name).
public enum XMLAnswer {
    public struct Element: Sendable, Equatable {
        public var name: String
        public var attributes: [String: String]
        public var children: [Element]
        /// The element's own character data and CDATA, in order. Runs of
        /// character data that are only white space (indentation around
        /// children or around a CDATA section) are left out; CDATA is kept
        /// as it is.
        public var text: String

        public init(name: String, attributes: [String: String] = [:], children: [Element] = [], text: String = "") {
            self.name = name
            self.attributes = attributes
            self.children = children
            self.text = text
        }

        /// The first child named `name`.
        public func child(_ name: String) -> Element? { children.first { $0.name == name } }
        /// Every child named `name`, in order.
        public func children(_ name: String) -> [Element] { children.filter { $0.name == name } }
        /// The text of the first child named `name`: `task["name"]`.
        public subscript(_ name: String) -> String? { child(name)?.text }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "XML: \(message) at byte \(offset)" }
    }

    /// The root element of `bytes`.
    public static func parse(_ bytes: [UInt8]) throws -> Element {
        var p = Parser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.offset = 3 }
        try p.skipMisc()
        guard p.at("<") else { throw p.fail("expected the root element") }
        let root = try p.element(depth: 0)
        try p.skipMisc()
        guard p.offset == bytes.count else { throw p.fail("content after the root element") }
        return root
    }

    struct Parser {
        let bytes: [UInt8]
        var offset = 0

        func fail(_ message: String) -> Failure { Failure(message: message, offset: offset) }
        func at(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard offset + n <= bytes.count else { return false }
            return s.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[offset + $0] == w[$0] } }
        }
        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        mutating func skipSpace() { while offset < bytes.count, Self.isSpace(bytes[offset]) { offset += 1 } }

        /// Moves past the next `end`; the bytes before it are returned.
        mutating func skip(past end: StaticString, what: String) throws -> ArraySlice<UInt8> {
            let start = offset
            while offset < bytes.count {
                if at(end) {
                    defer { offset += end.utf8CodeUnitCount }
                    return bytes[start..<offset]
                }
                offset += 1
            }
            throw fail("unterminated \(what)")
        }

        /// White space, comments and processing instructions outside the root.
        mutating func skipMisc() throws {
            while true {
                skipSpace()
                if at("<?") {
                    _ = try skip(past: "?>", what: "processing instruction")
                } else if at("<!--") {
                    _ = try skip(past: "-->", what: "comment")
                } else if at("<!") {
                    throw fail("DOCTYPE and declarations are not accepted")
                } else {
                    return
                }
            }
        }

        mutating func name() throws -> String {
            let start = offset
            while offset < bytes.count {
                let b = bytes[offset]
                if Self.isSpace(b) || b == UInt8(ascii: "/") || b == UInt8(ascii: ">") || b == UInt8(ascii: "=") { break }
                if b == UInt8(ascii: "<") || b == UInt8(ascii: "&") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                    throw fail("invalid character in a name")
                }
                offset += 1
            }
            guard offset > start else { throw fail("expected a name") }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }

        /// An element, from its `<` to the end of its end tag.
        mutating func element(depth: Int) throws -> Element {
            guard depth < 256 else { throw fail("elements nested too deeply") }
            offset += 1
            var element = Element(name: try name())
            while true {
                skipSpace()
                if at("/>") {
                    offset += 2
                    return element
                }
                if at(">") { break }
                let key = try name()
                skipSpace()
                guard at("=") else { throw fail("expected '=' after attribute \(key)") }
                offset += 1
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") || bytes[offset] == UInt8(ascii: "'") else {
                    throw fail("expected a quoted attribute value")
                }
                let quote = bytes[offset]
                offset += 1
                let start = offset
                while offset < bytes.count, bytes[offset] != quote {
                    if bytes[offset] == UInt8(ascii: "<") { throw fail("'<' in an attribute value") }
                    offset += 1
                }
                guard offset < bytes.count else { throw fail("unterminated attribute value") }
                let value = try decodeReferences(bytes[start..<offset], at: start)
                offset += 1
                guard element.attributes.updateValue(value, forKey: key) == nil else { throw fail("attribute \(key) twice") }
            }
            offset += 1
            var text: [UInt8] = []
            while true {
                guard offset < bytes.count else { throw fail("unterminated element <\(element.name)>") }
                if at("</") {
                    offset += 2
                    let end = try name()
                    guard end == element.name else { throw fail("</\(end)> closes <\(element.name)>") }
                    skipSpace()
                    guard at(">") else { throw fail("expected '>'") }
                    offset += 1
                    element.text = String(decoding: text, as: UTF8.self)
                    return element
                } else if at("<![CDATA[") {
                    offset += 9
                    text += try skip(past: "]]>", what: "CDATA section")
                } else if at("<!--") {
                    _ = try skip(past: "-->", what: "comment")
                } else if at("<?") {
                    _ = try skip(past: "?>", what: "processing instruction")
                } else if at("<") {
                    element.children.append(try self.element(depth: depth + 1))
                } else {
                    let start = offset
                    while offset < bytes.count, bytes[offset] != UInt8(ascii: "<") { offset += 1 }
                    let run = bytes[start..<offset]
                    if !run.allSatisfy(Self.isSpace) { text += Array(try decodeReferences(run, at: start).utf8) }
                }
            }
        }

        /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#N;` `&#xH;` decoded;
        /// any other `&` is an error.
        func decodeReferences(_ run: ArraySlice<UInt8>, at start: Int) throws -> String {
            guard run.contains(UInt8(ascii: "&")) else { return String(decoding: run, as: UTF8.self) }
            var out = ""
            var rest = Substring(String(decoding: run, as: UTF8.self))
            while let amp = rest.firstIndex(of: "&") {
                out += rest[..<amp]
                guard let semi = rest[amp...].firstIndex(of: ";") else { throw Failure(message: "'&' without ';'", offset: start) }
                let ref = rest[rest.index(after: amp)..<semi]
                switch ref {
                case "lt": out += "<"
                case "gt": out += ">"
                case "amp": out += "&"
                case "quot": out += "\""
                case "apos": out += "'"
                default:
                    let number: UInt32? =
                        ref.hasPrefix("#x") ? UInt32(ref.dropFirst(2), radix: 16) : ref.hasPrefix("#") ? UInt32(ref.dropFirst(), radix: 10) : nil
                    guard let number, let scalar = Unicode.Scalar(number) else {
                        throw Failure(message: "unknown entity &\(ref);", offset: start)
                    }
                    out.unicodeScalars.append(scalar)
                }
                rest = rest[rest.index(after: semi)...]
            }
            return out + rest
        }
    }
}

extension HTTPResponse {
    /// The body as XML; a body that is not well formed is
    /// ``ProviderError/malformed(_:)``.
    public func xml(what: String) throws -> XMLAnswer.Element {
        do {
            return try XMLAnswer.parse(body)
        } catch let failure as XMLAnswer.Failure {
            throw ProviderError.malformed("\(what): \(failure)")
        }
    }
}
