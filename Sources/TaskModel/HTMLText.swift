/// Descriptions and comment bodies are HTML on most providers. The same text
/// comes back from a server spelled a little differently (`<br/>` for
/// `<br>`, `&#39;` for `'`, a plain string for a paragraph), and each such
/// difference would read as an edit and echo back (rules 2 and 9).
///
/// ``normalize(_:)`` maps all spellings of one text to one form, and is
/// idempotent: `normalize(normalize(x)) == normalize(x)`.
public enum HTMLText {
    public static func normalize(_ raw: String) -> String {
        let text = raw.trimmingWhitespace()
        if text.isEmpty { return "" }
        if !text.contains("<") { return paragraphs(fromPlain: text) }
        return canonicalMarkup(text)
    }

    /// Plain text becomes paragraphs; single newlines become `<br>`.
    static func paragraphs(fromPlain text: String) -> String {
        let unified = text.replacing("\r\n", with: "\n")
        let blocks = unified.split(separator: "\n\n").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        return blocks.map { block in
            "<p>" + block.split(separator: "\n", omittingEmptySubsequences: false)
                .map { canonicalText(escapeBare(String($0).trimmingWhitespace())) }
                .joined(separator: "<br>") + "</p>"
        }.joined()
    }

    /// Escapes `<`, `>` and any `&` that does not start an entity.
    static func escapeBare(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&":
                if entityLength(chars, i) != nil { out.append(c) } else { out += "&amp;" }
            default: out.append(c)
            }
            i += 1
        }
        return out
    }

    static func canonicalMarkup(_ html: String) -> String {
        // Tokens: tags (canonical spelling) and text runs (folded).
        var tokens: [(tag: String?, text: String)] = []
        var textRun = ""
        var i = html.startIndex
        while i < html.endIndex {
            let c = html[i]
            if c == "<", let close = html[i...].firstIndex(of: ">") {
                if !textRun.isEmpty { tokens.append((nil, canonicalText(textRun))) }
                textRun = ""
                let tag = canonicalTag(String(html[html.index(after: i)..<close]))
                tokens.append((tagName(tag), tag))
                i = html.index(after: close)
            } else {
                textRun.append(c)
                i = html.index(after: i)
            }
        }
        if !textRun.isEmpty { tokens.append((nil, canonicalText(textRun))) }
        // White space next to a block tag carries nothing: drop it.
        var out = ""
        out.reserveCapacity(html.utf8.count)
        for (k, token) in tokens.enumerated() {
            guard token.tag == nil else {
                out += token.text
                continue
            }
            var text = Substring(token.text)
            let blockBefore = k == 0 || tokens[k - 1].tag.map(blockTags.contains) == true
            let blockAfter = k == tokens.count - 1 || tokens[k + 1].tag.map(blockTags.contains) == true
            if blockBefore, text.first == " " { text = text.dropFirst() }
            if blockAfter, text.last == " " { text = text.dropLast() }
            out += text
        }
        return out
    }

    static let blockTags: Set<String> = [
        "p", "div", "br", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
        "tr", "td", "th", "blockquote", "pre", "hr", "section", "article", "header", "footer",
    ]

    static func tagName(_ tag: String) -> String {
        var name = tag.dropFirst()
        if name.first == "/" { name = name.dropFirst() }
        return String(name.prefix { $0.isLetter || $0.isNumber })
    }

    /// `<BR/>`, `<br />` -> `<br>`; tag names lower case; attributes kept as written.
    static func canonicalTag(_ inner: String) -> String {
        var body = inner.trimmingWhitespace()
        var selfClosing = false
        if body.hasSuffix("/") {
            body.removeLast()
            body = body.trimmingWhitespace()
            selfClosing = true
        }
        let isClosing = body.hasPrefix("/")
        if isClosing { body.removeFirst() }
        let nameEnd = body.firstIndex(where: { $0.isWhitespace }) ?? body.endIndex
        let name = body[..<nameEnd].lowercased()
        let rest = body[nameEnd...].split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        let voids: Set<String> = ["br", "hr", "img", "input", "meta", "link", "col", "area", "source", "wbr"]
        var tag = "<" + (isClosing ? "/" : "") + name + (rest.isEmpty ? "" : " " + rest)
        if selfClosing && !voids.contains(name) { tag += " /" }
        return tag + ">"
    }

    /// Text between tags: white space runs folded; entities that need no
    /// escaping decoded (`&#39;` -> `'`), the ones that do kept (`&amp;`).
    static func canonicalText(_ text: String) -> String {
        var out = ""
        let chars = Array(text)
        var i = 0
        var lastWasSpace = false
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace && c != "\u{00A0}" {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
                i += 1
                continue
            }
            lastWasSpace = false
            if c == "&", let length = entityLength(chars, i) {
                let entity = String(chars[i..<(i + length)])
                out += decodedIfSafe(entity)
                i += length
                continue
            }
            if c == ">" { out += "&gt;" } else { out.append(c) }
            i += 1
        }
        return out
    }

    static func decodedIfSafe(_ entity: String) -> String {
        let name = entity.dropFirst().dropLast()
        switch name {
        case "amp", "#38", "#038", "#x26": return "&amp;"
        case "lt", "#60", "#060", "#x3C", "#x3c": return "&lt;"
        case "gt", "#62", "#062", "#x3E", "#x3e": return "&gt;"
        case "quot", "#34", "#034", "#x22": return "\""
        case "apos", "#39", "#039", "#x27": return "'"
        case "nbsp", "#160", "#xA0", "#xa0": return "&nbsp;"
        default: break
        }
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value: UInt32? =
                digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            if let value, value > 32, let scalar = Unicode.Scalar(value) { return String(Character(scalar)) }
        }
        return entity
    }

    /// The length of an entity such as `&amp;` or `&#39;` starting at `i`, if one does.
    static func entityLength(_ chars: [Character], _ i: Int) -> Int? {
        var j = i + 1
        while j < chars.count, j - i <= 10 {
            let c = chars[j]
            if c == ";" { return j > i + 1 ? j - i + 1 : nil }
            if !(c.isLetter || c.isNumber || c == "#") { return nil }
            j += 1
        }
        return nil
    }
}
