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

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = formatter.date(from: text) { return d }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
