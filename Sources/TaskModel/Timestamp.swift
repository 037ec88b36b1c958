#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Remote timestamps, parsed with their offset and kept in UTC (rule 8).
///
/// Accepts `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, and `Z` or
/// `±HH:MM` / `±HHMM`. `2025-09-03T06:19:43.621+02:00` is 04:19:43.621 UTC.
/// Written by hand rather than with a date formatter: it runs for every task
/// of every listing, and it must not depend on the machine's locale.
public struct Timestamp: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public init(secondsSince1970: Double) {
        self.millisecondsSince1970 = Int64((secondsSince1970 * 1000).rounded())
    }

    /// The current time, from the system clock.
    public static var now: Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(millisecondsSince1970: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    public var secondsSince1970: Double { Double(millisecondsSince1970) / 1000 }

    public init?(parsing text: String) {
        let b = Array(text.utf8)
        guard b.count >= 19, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 32 || b[10] == 116,
            b[13] == 58, b[16] == 58,
            let year = Self.digits(b, 0, 4), let month = Self.digits(b, 5, 2), let day = Self.digits(b, 8, 2),
            let hour = Self.digits(b, 11, 2), let minute = Self.digits(b, 14, 2), let second = Self.digits(b, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var millis = 0
        if i < b.count, b[i] == 46 {  // '.'
            i += 1
            var scale = 100
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                millis += Int(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        var offsetSeconds = 0
        if i < b.count {
            switch b[i] {
            case 90, 122: i += 1  // Z
            case 43, 45:  // + -
                let sign = b[i] == 43 ? 1 : -1
                guard let oh = Self.digits(b, i + 1, 2) else { return nil }
                var j = i + 3
                if j < b.count, b[j] == 58 { j += 1 }
                guard let om = Self.digits(b, j, 2) else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
                i = j + 2
            default: return nil
            }
        } else {
            return nil  // no offset: ambiguous, refuse rather than guess
        }
        guard i == b.count else { return nil }
        let days = Self.daysFromCivil(year, month, day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        self.millisecondsSince1970 = seconds * 1000 + Int64(millis)
    }

    /// `2025-09-03T04:19:43.621Z`
    public var description: String { iso8601(fractional: true) }

    public func iso8601(fractional: Bool) -> String {
        let ms = Int(((millisecondsSince1970 % 1000) + 1000) % 1000)
        let totalSeconds = (millisecondsSince1970 - Int64(ms)) / 1000
        let days = Int(totalSeconds >= 0 ? totalSeconds / 86400 : (totalSeconds - 86399) / 86400)
        let secs = Int(totalSeconds - Int64(days) * 86400)
        let (y, m, d) = Self.civilFromDays(days)
        func p(_ n: Int, _ w: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        var out = "\(p(y, 4))-\(p(m))-\(p(d))T\(p(secs / 3600)):\(p(secs % 3600 / 60)):\(p(secs % 60))"
        if fractional { out += ".\(p(ms, 3))" }
        return out + "Z"
    }

    /// The UTC calendar date of this instant.
    public var utcDate: LocalDate {
        let days = Int((millisecondsSince1970 >= 0 ? millisecondsSince1970 : millisecondsSince1970 - 86_399_999) / 86_400_000)
        let (y, m, d) = Self.civilFromDays(days)
        return LocalDate(year: y, month: m, day: d)
    }

    public func adding(seconds: Double) -> Timestamp {
        Timestamp(millisecondsSince1970: millisecondsSince1970 + Int64(seconds * 1000))
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        a.millisecondsSince1970 < b.millisecondsSince1970
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Timestamp(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a timestamp: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start >= 0, start + count <= b.count else { return nil }
        var value = 0
        for k in start..<(start + count) {
            let c = b[k]
            guard c >= 48, c <= 57 else { return nil }
            value = value * 10 + Int(c - 48)
        }
        return value
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
