import Foundation

/// The label rows this crawl has written or read, by the tracker's label id.
///
/// Every issue carries its labels, and a repository has a few dozen: upserting each label of each issue (an
/// INSERT … ON CONFLICT and a SELECT per label, per issue) was a fifth of the store's work. A label is written
/// again only when what the page says differs from what this process last wrote. Rows are recorded only after
/// their transaction committed, so a rolled-back page never leaves a row id behind that the database lacks.
final class LabelRowCache: @unchecked Sendable {
    struct Row: Equatable {
        var id: Int64
        var name: String
        /// nil when not known (the issue's copy of a label may omit it; the stored value is then kept).
        var color: String?
        var description: String?

        /// True when upserting `label` would leave this row as it is (`COALESCE` keeps unknown fields).
        func covers(_ label: ParsedIssue.Label) -> Bool {
            name == label.name && (label.color == nil || label.color == color)
                && (label.description == nil || label.description == description)
        }
    }

    private let lock = NSLock()
    private var rows: [Int64: Row] = [:]

    func row(_ remoteID: Int64) -> Row? {
        lock.withLock { rows[remoteID] }
    }

    /// Records rows written by a committed transaction.
    func commit(_ written: [Int64: Row]) {
        guard !written.isEmpty else { return }
        lock.withLock { rows.merge(written) { $1 } }
    }
}
