import Foundation

/// Times of ratings: ISO 8601 in UTC, kept exactly as written so an export reproduces an import.
public enum RatingsTime {
    /// Whether a file's time parses as ISO 8601 (with or without fractional seconds).
    public static func isValid(_ text: String) -> Bool {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return plain.date(from: text) != nil || fractional.date(from: text) != nil
    }

    /// Now, as stored for ratings imported without a time (millisecond precision, UTC).
    public static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
