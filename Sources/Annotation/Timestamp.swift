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

    /// `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`, a real calendar date and time: the formatter alone rolls
    /// 2024-02-30 over into March and takes a five-digit year.
    // (A Regex is an immutable value; it is not declared Sendable.)
    nonisolated(unsafe) private static let shape = try! Regex(#"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"#)

    /// The parser of times without fractional seconds (`formatter` reads those with): built once, as building
    /// one per call was 43% of a large `ratings import`.
    private static let wholeSeconds = Mutex<ISO8601DateFormatter>({
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }())

    static func date(_ text: String) -> Date? {
        guard let match = text.wholeMatch(of: shape) else { return nil }
        let fractional = match.output[7].substring != nil
        let parsed = fractional ? formatter.withLock { $0.date(from: text) } : wholeSeconds.withLock { $0.date(from: text) }
        guard let date = parsed else { return nil }
        let field = { (i: Int) in match.output[i].substring.flatMap { Int($0) } }
        let zone = match.output[8].substring.map(String.init) ?? "Z"
        var offset = 0
        if zone != "Z" {
            let parts = zone.dropFirst().split(separator: ":").compactMap { Int($0) }
            offset = (zone.hasPrefix("-") ? -1 : 1) * (parts[0] * 3600 + parts[1] * 60)
        }
        guard let timeZone = TimeZone(secondsFromGMT: offset) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard c.year == field(1), c.month == field(2), c.day == field(3), c.hour == field(4), c.minute == field(5), c.second == field(6) else {
            return nil
        }
        return date
    }
}
