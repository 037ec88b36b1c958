import Foundation

/// Collects a response's header fields from the lines libcurl hands over one
/// at a time, following RFC 9110 §5 and RFC 9112 §5, on the raw bytes.
///
/// - Names are case-insensitive: they are kept in lower case.
/// - A name that comes more than once is one field whose values are joined
///   with ", " in the order received (§5.3).
/// - Leading and trailing white space (SP, HTAB) and the line's CR LF are
///   not part of the value (§5.5). On bytes, because Swift reads "\r\n" as
///   one Character that is neither "\r" nor "\n".
/// - A line folded onto the next (obs-fold, RFC 9112 §5.2) continues the
///   previous value, joined with one space.
/// - A status line starts over: the fields of a 1xx answer are not the
///   final response's.
/// - A line without a colon, or whose name is not a token, is ignored.
struct ResponseHeaderParser {
    private(set) var fields: [String: String] = [:]
    private var lastName: String?

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let sp = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let colon = UInt8(ascii: ":")

    private static func isWhite(_ b: UInt8) -> Bool { b == sp || b == tab }

    /// RFC 9110 §5.6.2: tchar.
    private static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    mutating func add(line bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == Self.cr || bytes[end - 1] == Self.lf || Self.isWhite(bytes[end - 1]) { end -= 1 }
        guard end > 0 else { return }  // the empty line that ends the section
        if end >= 5, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
            bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/")
        {
            fields = [:]
            lastName = nil
            return
        }
        if Self.isWhite(bytes[0]) {
            guard let name = lastName else { return }
            var start = 0
            while start < end, Self.isWhite(bytes[start]) { start += 1 }
            let more = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            let old = fields[name] ?? ""
            fields[name] = old.isEmpty ? more : old + " " + more
            return
        }
        guard let colon = bytes[0..<end].firstIndex(of: Self.colon), colon > 0,
            bytes[0..<colon].allSatisfy(Self.isTokenChar)
        else {
            lastName = nil
            return
        }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<colon]), as: UTF8.self).lowercased()
        var start = colon + 1
        while start < end, Self.isWhite(bytes[start]) { start += 1 }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        if let old = fields[name] {
            if !value.isEmpty { fields[name] = old.isEmpty ? value : old + ", " + value }
        } else {
            fields[name] = value
        }
        lastName = name
    }

    /// The same, for tests and callers that hold a line as text.
    mutating func add(line: String) {
        Array(line.utf8).withUnsafeBytes { add(line: $0) }
    }
}

/// HTTP-dates (RFC 9110 §5.6.7).
public enum HTTPDate {
    /// Parses an HTTP-date in any of the three forms a recipient must
    /// accept: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the
    /// obsolete rfc850-date (`Sunday, 06-Nov-94 08:49:37 GMT`) and
    /// asctime-date (`Sun Nov  6 08:49:37 1994`). Names of days and months
    /// are matched without regard to case; the day name is not checked
    /// against the date. An rfc850 two-digit year that would be more than
    /// 50 years after `now` is the most recent past year with those digits.
    public static func parse(_ text: String, now: Date = Date()) -> Date? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = parts.first else { return nil }
        if first.hasSuffix(",") {
            let dayName = String(first.dropLast()).lowercased()
            if parts.count == 6, shortDays.contains(dayName), parts[5] == "GMT" {
                // IMF-fixdate: day-name "," SP 2DIGIT SP month SP 4DIGIT SP time SP "GMT"
                guard parts[1].count == 2, let day = digits(parts[1]), let month = month(parts[2]), parts[3].count == 4,
                    let year = digits(parts[3])
                else { return nil }
                return make(year: year, month: month, day: day, time: parts[4])
            }
            if parts.count == 4, longDays.contains(dayName), parts[3] == "GMT" {
                // rfc850-date: day-name-l "," SP 2DIGIT "-" month "-" 2DIGIT SP time SP "GMT"
                let date = parts[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard date.count == 3, date[0].count == 2, let day = digits(date[0]), let month = month(date[1]), date[2].count == 2,
                    let yy = digits(date[2])
                else { return nil }
                let currentYear = civil(from: now).year
                var year = currentYear - currentYear % 100 + yy
                if year > currentYear + 50 { year -= 100 }
                return make(year: year, month: month, day: day, time: parts[2])
            }
            return nil
        }
        // asctime-date: day-name SP month SP ( 2DIGIT / ( SP 1DIGIT ) ) SP time SP 4DIGIT
        guard parts.count == 5, shortDays.contains(first.lowercased()), let month = month(parts[1]), (1...2).contains(parts[2].count),
            let day = digits(parts[2]), parts[4].count == 4, let year = digits(parts[4])
        else { return nil }
        return make(year: year, month: month, day: day, time: parts[3])
    }

    private static let shortDays: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let longDays: Set<String> = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func month(_ s: String) -> Int? { months.firstIndex(of: s.lowercased()).map { $0 + 1 } }

    private static func digits(_ s: String) -> Int? {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(s)
    }

    private static func make(year: Int, month: Int, day: Int, time: String) -> Date? {
        let hms = time.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard hms.count == 3, hms.allSatisfy({ $0.count == 2 }), let h = digits(hms[0]), let m = digits(hms[1]), let s = digits(hms[2]),
            h < 24, m < 60, s <= 60
        else { return nil }
        let monthDays = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard year >= 1, day >= 1, day <= monthDays[month - 1] else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86400 + h * 3600 + m * 60 + min(s, 59)))
    }

    private static func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    private static func civil(from date: Date) -> (year: Int, month: Int) {
        let z = Int((date.timeIntervalSince1970 / 86400).rounded(.down)) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month)
    }
}

extension HTTPResponse {
    /// Seconds the server asks the client to wait, or nil when it said
    /// nothing usable:
    ///
    /// - `Retry-After` as delay-seconds (`Retry-After: 7`), or as an
    ///   HTTP-date, counted from the response's own `Date` header when it has
    ///   a valid one (the server's clock against the server's clock), else
    ///   from `now`;
    /// - otherwise `X-RateLimit-Reset`: seconds to wait (Productive, NOTES.md);
    ///   a value above 10^9 can only be a Unix time and is counted like a
    ///   date.
    ///
    /// A moment already past gives 0.
    public func retryAfter(now: Date = Date()) -> Double? {
        let reference = headers["date"].flatMap { HTTPDate.parse($0, now: now) } ?? now
        if let value = headers["retry-after"] {
            if !value.isEmpty, value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                return Double(value)
            }
            if let date = HTTPDate.parse(value, now: now) { return max(0, date.timeIntervalSince(reference)) }
        }
        if let value = headers["x-ratelimit-reset"], let n = Double(value), n.isFinite, n >= 0 {
            return n > 1_000_000_000 ? max(0, Date(timeIntervalSince1970: n).timeIntervalSince(reference)) : n
        }
        return nil
    }
}
