import Foundation

/// One issue as read from a tracker page, ready to store.
struct ParsedIssue: Sendable {
    struct Label: Sendable {
        var id: Int64
        var name: String
        var color: String?
        var description: String?
    }

    enum Comments: Sendable {
        /// Not fetched this time (no `--comments`, or the issue did not change).
        case untouched
        /// Fetched: the full list.
        case replaced([ParsedComment])
    }

    var remoteID: Int64
    var number: String
    var title: String
    var body: String?
    var bodyText: String?
    var state: String?
    var stateReason: String?
    var author: String?
    var url: String?
    var priority: Int?
    var issueType: String?
    var commentCount: Int?
    var createdAt: String?
    var updatedAt: String?
    var closedAt: String?
    var rawJSON: String
    var labels: [Label]
    var isPullRequest: Bool
    var comments: Comments = .untouched
    var deleted = false
}

struct ParsedComment: Sendable {
    var remoteID: Int64
    var author: String?
    var body: String?
    var createdAt: String?
    var updatedAt: String?
    var rawJSON: String
}

/// Reads tracker JSON straight from the page bytes (`JSONCursor`), only the fields stored. Each element's raw
/// bytes are kept verbatim as `raw_json`.
enum TrackerJSON {
    /// The byte ranges of a top-level JSON array's elements, or nil when the body is not a complete array
    /// (a truncated body that slipped past the transport is caught here and retried).
    static func elements(_ body: [UInt8]) -> [Range<Int>]? {
        body.withUnsafeBufferPointer { elements($0) }
    }

    /// The same over raw bytes: one pass, no bounds checks (it runs over every page, up to megabytes each).
    static func elements(_ body: UnsafeBufferPointer<UInt8>) -> [Range<Int>]? {
        let n = body.count
        var i = 0
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        func skipSpace() { while i < n, isSpace(body[i]) { i += 1 } }
        skipSpace()
        guard i < n, body[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var out: [Range<Int>] = []
        out.reserveCapacity(100)
        skipSpace()
        if i < n, body[i] == UInt8(ascii: "]") { i += 1; skipSpace(); return i == n ? out : nil }
        while i < n {
            skipSpace()
            let start = i
            var depth = 0
            while i < n {
                let c = body[i]
                if c == 0x22 {
                    // A string: jump to its closing quote.
                    i += 1
                    while i < n {
                        let s = body[i]
                        if s == 0x5C { i += 2; continue }
                        if s == 0x22 { break }
                        i += 1
                    }
                } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    if depth == 0 { break }
                    depth -= 1
                } else if c == UInt8(ascii: ","), depth == 0 { break }
                i += 1
            }
            guard i < n else { return nil }
            var end = i
            while end > start, isSpace(body[end - 1]) { end -= 1 }
            out.append(start..<end)
            if body[i] == UInt8(ascii: ",") { i += 1; continue }
            i += 1  // the closing ]
            skipSpace()
            return i == n ? out : nil
        }
        return nil
    }

    /// The issue at `range` of a page, or nil when it is not an object with an id and a number.
    static func issue(_ page: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, kind: TrackerKind) -> ParsedIssue? {
        var id: Int64?, number: String?, title: String?, body: String?, state: String?, stateReason: String?
        var author: String?, url: String?, priority: Int64?, issueType: String?, comments: Int64?
        var created: String?, updated: String?, closed: String?
        var labels: [ParsedIssue.Label] = []
        var isPullRequest = false
        let closedKey = kind == .gitee ? "finished_at" : "closed_at"
        var c = JSONCursor(page, range: range)
        let ok = c.forEachField { key, c in
            switch key {
            case "labels":
                labels = []
                return readLabels(&c, into: &labels)
            case "user":
                author = nil
                return readField(&c, "login") { author = $0.text }
            case "pull_request":
                c.skipSpace()
                isPullRequest = c.peek() != UInt8(ascii: "n")
                return c.skipValue()
            case "id", "number", "title", "body", "state", "state_reason", "html_url", "priority", "issue_type", "comments",
                 "created_at", "updated_at", closedKey:
                guard let v = c.readScalarOrSkip() else { return false }
                switch key {
                case "id": id = v.int64
                case "number": number = v.text
                case "title": title = v.text
                case "body": body = v.text
                case "state": state = v.text
                case "state_reason": stateReason = v.text
                case "html_url": url = v.text
                case "priority": priority = v.int64
                case "issue_type": issueType = v.text
                case "comments": comments = v.int64
                case "created_at": created = v.text
                case "updated_at": updated = v.text
                case closedKey: closed = v.text
                default: break
                }
                return true
            default:
                // Not stored (it stays in raw_json): skipped without decoding, most of an issue's fields.
                return c.skipValue()
            }
        }
        guard ok, let id, let number else { return nil }
        return ParsedIssue(
            remoteID: id, number: number, title: title ?? "", body: body,
            bodyText: HTMLText.plainText(body), state: state, stateReason: stateReason,
            author: author, url: url,
            priority: kind == .gitee ? priority.map(Int.init) : nil,
            issueType: kind == .gitee ? issueType : nil,
            commentCount: comments.map(Int.init),
            createdAt: TrackerTime.normalize(created),
            updatedAt: TrackerTime.normalize(updated),
            closedAt: TrackerTime.normalize(closed),
            rawJSON: String(decoding: UnsafeBufferPointer(rebasing: page[range]), as: UTF8.self), labels: labels,
            isPullRequest: isPullRequest)
    }

    static func comment(_ page: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> ParsedComment? {
        var id: Int64?, author: String?, body: String?, created: String?, updated: String?
        var c = JSONCursor(page, range: range)
        let ok = c.forEachField { key, c in
            if key == "user" {
                author = nil
                return readField(&c, "login") { author = $0.text }
            }
            guard ["id", "body", "created_at", "updated_at"].contains(key) else { return c.skipValue() }
            guard let v = c.readScalarOrSkip() else { return false }
            switch key {
            case "id": id = v.int64
            case "body": body = v.text
            case "created_at": created = v.text
            case "updated_at": updated = v.text
            default: break
            }
            return true
        }
        guard ok, let id else { return nil }
        return ParsedComment(remoteID: id, author: author, body: body, createdAt: TrackerTime.normalize(created),
                             updatedAt: TrackerTime.normalize(updated),
                             rawJSON: String(decoding: UnsafeBufferPointer(rebasing: page[range]), as: UTF8.self))
    }

    static func label(_ page: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> ParsedIssue.Label? {
        var c = JSONCursor(page, range: range)
        var out: [ParsedIssue.Label] = []
        guard readLabel(&c, into: &out) else { return nil }
        return out.first
    }

    /// An issue's `labels`: each element with an id and a name; anything else (null, not an array) is none.
    private static func readLabels(_ c: inout JSONCursor, into labels: inout [ParsedIssue.Label]) -> Bool {
        c.skipSpace()
        guard c.peek() == UInt8(ascii: "[") else { return c.skipValue() }
        return c.forEachElement { readLabel(&$0, into: &labels) }
    }

    private static func readLabel(_ c: inout JSONCursor, into labels: inout [ParsedIssue.Label]) -> Bool {
        c.skipSpace()
        guard c.peek() == UInt8(ascii: "{") else { return c.skipValue() }
        var id: Int64?, name: String?, color: String?, description: String?
        let ok = c.forEachField { key, c in
            guard key == "id" || key == "name" || key == "color" || key == "description" else { return c.skipValue() }
            guard let v = c.readScalarOrSkip() else { return false }
            switch key {
            case "id": id = v.int64
            case "name": name = v.text
            case "color": color = v.text
            case "description": description = v.text
            default: break
            }
            return true
        }
        if ok, let id, let name { labels.append(ParsedIssue.Label(id: id, name: name, color: color, description: description)) }
        return ok
    }

    /// One scalar field of a nested object (`user.login`); a null or non-object value has none.
    private static func readField(_ c: inout JSONCursor, _ name: String, _ found: (JSONCursor.Scalar) -> Void) -> Bool {
        c.skipSpace()
        guard c.peek() == UInt8(ascii: "{") else { return c.skipValue() }
        return c.forEachField { key, c in
            guard key == name else { return c.skipValue() }
            guard let v = c.readScalarOrSkip() else { return false }
            found(v)
            return true
        }
    }
}
