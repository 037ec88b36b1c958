import Foundation
import TaskModel

/// `journal --since`: the forms `journalctl --since` takes, read as an instant.
///
/// Times without an offset are the machine's local time, as in journalctl.
enum Since {
    static let forms = """
        "now", "today", "yesterday", "tomorrow", "2 hours ago", "-30min", "+1h", "2026-11-22", \
        "2026-11-22 10:00", "2026-11-22 10:00:00", "2026-11-22 10:00:00 UTC", or ISO 8601 with an offset \
        ("2026-11-22T10:00:00+01:00", "2026-11-22T09:00:00Z")
        """

    /// nil when the text is none of the forms above.
    static func parse(_ raw: String, now: Date = Date(), timeZone: TimeZone = .current) -> Timestamp? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let lower = text.lowercased()
        let startOfToday = calendar.startOfDay(for: now)
        switch lower {
        case "now": return stamp(now)
        case "today": return stamp(startOfToday)
        case "yesterday": return calendar.date(byAdding: .day, value: -1, to: startOfToday).map(stamp)
        case "tomorrow": return calendar.date(byAdding: .day, value: 1, to: startOfToday).map(stamp)
        default: break
        }
        if lower.hasSuffix(" ago"), let span = span(String(lower.dropLast(4))) { return stamp(now.addingTimeInterval(-span)) }
        if lower.hasPrefix("-"), let span = span(String(lower.dropFirst())) { return stamp(now.addingTimeInterval(-span)) }
        if lower.hasPrefix("+"), let span = span(String(lower.dropFirst())) { return stamp(now.addingTimeInterval(span)) }
        if let t = Timestamp(parsing: text) { return t }
        var local = text
        var zone = timeZone
        if local.hasSuffix(" UTC") || local.hasSuffix(" utc") {
            local = String(local.dropLast(4))
            zone = TimeZone(identifier: "UTC")!
        }
        return localDate(local, zone)
    }

    private static func stamp(_ date: Date) -> Timestamp { Timestamp(secondsSince1970: date.timeIntervalSince1970) }

    /// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS` (or with a `T`), in `zone`.
    private static func localDate(_ text: String, _ zone: TimeZone) -> Timestamp? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" }).map(String.init)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard date.count == 3, parts[0].count == 10, let year = date[0], let month = date[1], let day = date[2] else { return nil }
        var clock: [Int] = [0, 0, 0]
        if parts.count == 2 {
            let fields = parts[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard fields.count == 2 || fields.count == 3, fields.allSatisfy({ $0 != nil }) else { return nil }
            for (i, f) in fields.enumerated() { clock[i] = f! }
        }
        guard (1...12).contains(month), (1...31).contains(day), (0..<24).contains(clock[0]), (0..<60).contains(clock[1]),
            (0..<61).contains(clock[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: clock[0], minute: clock[1], second: clock[2])
        guard calendar.date(from: components).map({ calendar.component(.day, from: $0) == day }) == true,
            let d = calendar.date(from: components)
        else { return nil }
        return stamp(d)
    }

    /// A systemd time span: `2 hours`, `30min`, `1h 30min`, `90s`, `2d`; seconds.
    static func span(_ text: String) -> Double? {
        let units: [(names: [String], seconds: Double)] = [
            (["us", "usec"], 1e-6), (["ms", "msec"], 1e-3), (["s", "sec", "secs", "second", "seconds"], 1),
            (["m", "min", "mins", "minute", "minutes"], 60), (["h", "hr", "hrs", "hour", "hours"], 3600),
            (["d", "day", "days"], 86400), (["w", "week", "weeks"], 7 * 86400),
            (["month", "months"], 2_629_800), (["y", "year", "years"], 31_557_600),
        ]
        var total = 0.0
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let n = Double(number) else { return nil }
            rest = rest.dropFirst(number.count).drop { $0 == " " }
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count).drop { $0 == " " }
            if unit.isEmpty {
                guard rest.isEmpty else { return nil }
                total += n  // a bare number is seconds, as in systemd
            } else {
                guard let u = units.first(where: { $0.names.contains(String(unit)) }) else { return nil }
                total += n * u.seconds
            }
        }
        return total
    }
}
