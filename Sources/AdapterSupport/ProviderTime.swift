/// Provider timestamps as PHP applications write them.
public enum ProviderTime {
    /// An ISO 8601 time, or `Y-m-d H:i:s` with no zone (ActiveCollab's legacy
    /// API, Grow CRM's `dates.updated`), which these APIs give in UTC. Nil
    /// for anything else, a bare date included (it says no time of day).
    public static func timestamp(_ text: String?) -> Timestamp? {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return nil }
        if let t = Timestamp(parsing: text) { return t }
        return Timestamp(parsing: text.replacing(" ", with: "T") + "Z")
    }
}
