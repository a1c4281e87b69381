import Foundation
import Synchronization

/// The store's timestamps: ISO 8601 in UTC with milliseconds, so text order is time order.
enum Timestamp {
    /// One formatter, reused: building an `ISO8601DateFormatter` costs more than the label write it stamps.
    /// The lock keeps it safe for the concurrent callers (workers, tests) without trusting its thread-safety.
    private static let formatter = Mutex<ISO8601DateFormatter>({
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }())

    static func now() -> String { string(Date()) }

    static func string(_ date: Date) -> String {
        formatter.withLock { $0.string(from: date) }
    }

    /// `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`, a real calendar date and time (a formatter alone rolls 2024-02-30
    /// over into March and takes a five-digit year). Read by hand: `ISO8601DateFormatter` took 38 µs a time, and
    /// with a Regex and a Calendar per call a long file with times imported 5× slower than one without. The
    /// value is the formatter's to the bit (whole seconds plus the fraction), so a time stored back is written
    /// exactly as it was read.
    static func date(_ text: String) -> Date? {
        guard let fields = Fields(text) else { return nil }
        return Date(timeIntervalSince1970: Double(fields.epochSeconds) + fields.fraction)
    }

    /// Such a time as an exact instant, for ordering: whole seconds since 1970 and the fraction's digits (a Date
    /// rounds past the microsecond, and a rating 1 ns older then replaced the newer label).
    struct Instant: Comparable {
        var seconds: Int
        var fractionDigits: String

        static func < (a: Instant, b: Instant) -> Bool {
            if a.seconds != b.seconds { return a.seconds < b.seconds }
            let length = max(a.fractionDigits.count, b.fractionDigits.count)
            func padded(_ digits: String) -> String { digits + String(repeating: "0", count: length - digits.count) }
            return padded(a.fractionDigits) < padded(b.fractionDigits)
        }

        static func == (a: Instant, b: Instant) -> Bool { !(a < b) && !(b < a) }
    }

    static func instant(_ text: String) -> Instant? {
        Fields(text).map { Instant(seconds: $0.epochSeconds, fractionDigits: $0.fractionDigits) }
    }

    /// The fields of such a time, each in its calendar range.
    struct Fields {
        var epochSeconds: Int
        var fraction: Double
        var fractionDigits = ""

        init?(_ text: String) {
            let b = Array(text.utf8)
            func digits(_ at: Int, _ count: Int) -> Int? {
                guard at + count <= b.count else { return nil }
                var v = 0
                for i in at..<(at + count) {
                    guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                    v = v * 10 + Int(b[i] - 0x30)
                }
                return v
            }
            func byte(_ at: Int, _ c: Character) -> Bool { at < b.count && b[at] == c.asciiValue! }
            guard b.count >= 20, let year = digits(0, 4), byte(4, "-"), let month = digits(5, 2), byte(7, "-"), let day = digits(8, 2),
                  byte(10, "T"), let hour = digits(11, 2), byte(13, ":"), let minute = digits(14, 2), byte(16, ":"), let second = digits(17, 2) else { return nil }
            var at = 19
            fraction = 0
            if byte(at, ".") {
                at += 1
                let start = at
                while at < b.count, b[at] >= 0x30, b[at] <= 0x39 { at += 1 }
                fractionDigits = String(decoding: b[start..<at], as: UTF8.self)
                guard at > start, let value = Double("0." + fractionDigits) else { return nil }
                fraction = value
            }
            var offset = 0
            if byte(at, "Z"), at + 1 == b.count {
                offset = 0
            } else if at + 6 == b.count, byte(at, "+") || byte(at, "-"), let h = digits(at + 1, 2), byte(at + 3, ":"), let m = digits(at + 4, 2) {
                guard h <= 18, m <= 59 else { return nil }
                offset = (byte(at, "-") ? -1 : 1) * (h * 3600 + m * 60)
            } else {
                return nil
            }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard (1...12).contains(month), (1...monthDays[month - 1]).contains(day), hour <= 23, minute <= 59, second <= 59 else { return nil }
            // Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil).
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            let days = era * 146_097 + doe - 719_468
            epochSeconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        }
    }
}
