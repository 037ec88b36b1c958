/// Descriptions and comment bodies are HTML on most providers. The same text
/// comes back from a server spelled a little differently (`<br/>` for
/// `<br>`, `&#39;` for `'`, a plain string for a paragraph), and each such
/// difference would read as an edit and echo back (rules 2 and 9).
///
/// ``normalize(_:)`` maps all spellings of one text to one form, and is
/// idempotent: `normalize(normalize(x)) == normalize(x)`.
///
/// It works on UTF-8 bytes: every character it looks at (tags, entities,
/// HTML white space) is ASCII, and no byte of a multi-byte character is, so
/// text in any script passes through untouched. It runs for every task of
/// every listing, so this matters.
public enum HTMLText {
    public static func normalize(_ raw: String) -> String {
        let text = raw.trimmingWhitespace()
        if text.isEmpty { return "" }
        let bytes = Array(text.utf8)
        if !bytes.contains(lt) { return paragraphs(fromPlain: bytes) }
        return String(decoding: canonicalMarkup(bytes), as: UTF8.self)
    }

    static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), amp = UInt8(ascii: "&"), slash = UInt8(ascii: "/")
    static let space = UInt8(ascii: " "), semicolon = UInt8(ascii: ";"), hash = UInt8(ascii: "#")

    /// HTML's white space: space, tab, line feed, form feed, carriage return.
    static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 12 || b == 13 }
    static func isAlnum(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b | 0x20 >= 97 && b | 0x20 <= 122) }

    /// Plain text becomes paragraphs; single newlines become `<br>`.
    static func paragraphs(fromPlain bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self).replacing("\r\n", with: "\n")
        let blocks = text.split(separator: "\n\n").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        var out: [UInt8] = []
        for block in blocks {
            out += Array("<p>".utf8)
            for (i, line) in block.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if i > 0 { out += Array("<br>".utf8) }
                out += canonicalText(escapeBare(Array(String(line).trimmingWhitespace().utf8))[...])
            }
            out += Array("</p>".utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Escapes `<`, `>` and any `&` that does not start an entity.
    static func escapeBare(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        for (i, b) in s.enumerated() {
            switch b {
            case lt: out += Array("&lt;".utf8)
            case gt: out += Array("&gt;".utf8)
            case amp: if entityLength(s[...], i) != nil { out.append(b) } else { out += Array("&amp;".utf8) }
            default: out.append(b)
            }
        }
        return out
    }

    static func canonicalMarkup(_ html: [UInt8]) -> [UInt8] {
        // Tokens: tags (canonical spelling, with their name) and text runs (folded).
        var tokens: [(tag: [UInt8]?, bytes: [UInt8])] = []
        var i = 0
        var textStart = 0
        while i < html.count {
            if html[i] == lt, let close = html[(i + 1)...].firstIndex(of: gt) {
                if textStart < i { tokens.append((nil, canonicalText(html[textStart..<i]))) }
                let (tag, name) = canonicalTag(html[(i + 1)..<close])
                tokens.append((name, tag))
                i = close + 1
                textStart = i
            } else {
                i += 1
            }
        }
        if textStart < html.count { tokens.append((nil, canonicalText(html[textStart...]))) }
        // White space next to a block tag carries nothing: drop it.
        var out: [UInt8] = []
        out.reserveCapacity(html.count)
        for (k, token) in tokens.enumerated() {
            guard token.tag == nil else {
                out += token.bytes
                continue
            }
            var text = token.bytes[...]
            let blockBefore = k == 0 || tokens[k - 1].tag.map(isBlock) == true
            let blockAfter = k == tokens.count - 1 || tokens[k + 1].tag.map(isBlock) == true
            if blockBefore, text.first == space { text = text.dropFirst() }
            if blockAfter, text.last == space { text = text.dropLast() }
            out += text
        }
        return out
    }

    static let blockTags: Set<[UInt8]> = Set(
        [
            "p", "div", "br", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
            "tr", "td", "th", "blockquote", "pre", "hr", "section", "article", "header", "footer",
        ].map { Array($0.utf8) })
    static let voidTags: Set<[UInt8]> = Set(
        ["br", "hr", "img", "input", "meta", "link", "col", "area", "source", "wbr"].map { Array($0.utf8) })

    static func isBlock(_ name: [UInt8]) -> Bool { blockTags.contains(name) }

    /// `<BR/>`, `<br />` -> `<br>`; tag names lower case; attributes kept as
    /// written, white space between them folded. Returns the tag and its name.
    static func canonicalTag(_ inner: ArraySlice<UInt8>) -> ([UInt8], [UInt8]) {
        var body = inner
        while let f = body.first, isSpace(f) { body = body.dropFirst() }
        while let l = body.last, isSpace(l) { body = body.dropLast() }
        var selfClosing = false
        if body.last == slash {
            body = body.dropLast()
            while let l = body.last, isSpace(l) { body = body.dropLast() }
            selfClosing = true
        }
        let isClosing = body.first == slash
        if isClosing { body = body.dropFirst() }
        let nameEnd = body.firstIndex(where: isSpace) ?? body.endIndex
        let name = body[..<nameEnd].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        var tag: [UInt8] = [lt]
        if isClosing { tag.append(slash) }
        tag += name
        for part in body[nameEnd...].split(whereSeparator: isSpace) {
            tag.append(space)
            tag += part
        }
        if selfClosing && !voidTags.contains(name) { tag += [space, slash] }
        tag.append(gt)
        // The name as the block check sees it: letters and digits only.
        return (tag, name.prefix { isAlnum($0) }.map { $0 })
    }

    /// Text between tags: white space runs folded; entities that need no
    /// escaping decoded (`&#39;` -> `'`), the ones that do kept (`&amp;`).
    static func canonicalText(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = text.startIndex
        var lastWasSpace = false
        while i < text.endIndex {
            let b = text[i]
            if isSpace(b) {
                if !lastWasSpace { out.append(space) }
                lastWasSpace = true
                i += 1
                continue
            }
            lastWasSpace = false
            if b == amp, let length = entityLength(text, i) {
                out += decodedIfSafe(text[(i + 1)..<(i + length - 1)])
                i += length
                continue
            }
            if b == gt { out += Array("&gt;".utf8) } else { out.append(b) }
            i += 1
        }
        return out
    }

    /// An entity's name (between `&` and `;`) to what it stands for, where
    /// writing it plainly is safe; the entity as written otherwise.
    static func decodedIfSafe(_ nameBytes: ArraySlice<UInt8>) -> [UInt8] {
        let name = String(decoding: nameBytes, as: UTF8.self)
        switch name {
        case "amp", "#38", "#038", "#x26": return Array("&amp;".utf8)
        case "lt", "#60", "#060", "#x3C", "#x3c": return Array("&lt;".utf8)
        case "gt", "#62", "#062", "#x3E", "#x3e": return Array("&gt;".utf8)
        case "quot", "#34", "#034", "#x22": return [UInt8(ascii: "\"")]
        case "apos", "#39", "#039", "#x27": return [UInt8(ascii: "'")]
        case "nbsp", "#160", "#xA0", "#xa0": return Array("&nbsp;".utf8)
        default: break
        }
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value: UInt32? =
                digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            if let value, value > 32, let scalar = Unicode.Scalar(value) { return Array(String(Character(scalar)).utf8) }
        }
        return [amp] + nameBytes + [semicolon]
    }

    /// The length of an entity such as `&amp;` or `&#39;` starting at `i`, if one does.
    static func entityLength(_ bytes: ArraySlice<UInt8>, _ i: Int) -> Int? {
        var j = i + 1
        while j < bytes.endIndex, j - i <= 10 {
            let b = bytes[j]
            if b == semicolon { return j > i + 1 ? j - i + 1 : nil }
            if !(isAlnum(b) || b == hash) { return nil }
            j += 1
        }
        return nil
    }
}
