import Foundation

/// Times of ratings: ISO 8601 in UTC, kept exactly as written so an export reproduces an import.
public enum RatingsTime {
    /// Whether a file's time parses as ISO 8601 (with or without fractional seconds).
    public static func isValid(_ text: String) -> Bool {
        Timestamp.date(text) != nil
    }
}
