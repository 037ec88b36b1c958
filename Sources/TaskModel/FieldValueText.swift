/// A field value read back from its printed form, and put into a task's fields.
extension FieldValue {
    /// A field value as the journal and the conflicts list print it
    /// (`"Fix login"`, `[bug, ui]`, `yes`, `(none)`; see
    /// ``FieldValue/description``), read back into the value it stands for,
    /// so that `--json` gives a JSON value, not JSON text in a string. Text
    /// that is not a field value (`isField` false) stays text.
    public init?(printed text: String?, isField: Bool) {
        guard let text else { return nil }
        if !isField {
            self = .text(text)
        } else if text == "(none)" {
            self = .none
        } else if text == "yes" || text == "no" {
            self = .flag(text == "yes")
        } else if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            self = .text(String(text.dropFirst().dropLast()))
        } else if text.hasPrefix("["), text.hasSuffix("]") {
            let inner = text.dropFirst().dropLast()
            self = .list(inner.isEmpty ? [] : inner.split(separator: ", ", omittingEmptySubsequences: false).map(String.init))
        } else {
            self = .text(text)
        }
    }
}

extension TaskFields {
    /// Sets one field to a value of its kind; false (and nothing changed)
    /// when the value cannot be that field's (a list for a title, an
    /// unknown priority, a date that is not one).
    public mutating func set(_ field: Field, to value: FieldValue) -> Bool {
        switch (field, value) {
        case (.title, .text(let s)): title = s
        case (.description, .text(let s)): description = HTMLText.normalize(s)
        case (.status, .text(let s)): status = s
        case (.status, .none): status = nil
        case (.done, .flag(let b)): done = b
        case (.priority, .none): priority = nil
        case (.priority, .text(let s)):
            guard let p = Priority(rawValue: s) else { return false }
            priority = p
        case (.dueDate, .none): dueDate = nil
        case (.dueDate, .text(let s)):
            guard let d = LocalDate(parsing: s) else { return false }
            dueDate = d
        case (.tags, .list(let l)): tags = TagSet.normalize(l)
        default: return false
        }
        return true
    }
}
