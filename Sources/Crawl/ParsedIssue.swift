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

/// Reads tracker JSON. Each element's raw bytes are kept verbatim as `raw_json`.
enum TrackerJSON {
    /// The byte ranges of a top-level JSON array's elements, or nil when the body is not a complete array
    /// (a truncated body that slipped past the transport is caught here and retried).
    static func elements(_ body: [UInt8]) -> [Range<Int>]? {
        var i = 0
        func skipSpace() { while i < body.count, body[i] == 0x20 || body[i] == 0x0A || body[i] == 0x0D || body[i] == 0x09 { i += 1 } }
        skipSpace()
        guard i < body.count, body[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var out: [Range<Int>] = []
        skipSpace()
        if i < body.count, body[i] == UInt8(ascii: "]") { i += 1; skipSpace(); return i == body.count ? out : nil }
        while i < body.count {
            skipSpace()
            let start = i
            var depth = 0
            var inString = false
            while i < body.count {
                let c = body[i]
                if inString {
                    if c == 0x5C { i += 2; continue }
                    if c == 0x22 { inString = false }
                } else if c == 0x22 { inString = true
                } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    if depth == 0 { break }
                    depth -= 1
                } else if c == UInt8(ascii: ","), depth == 0 { break }
                i += 1
            }
            guard i < body.count else { return nil }
            var end = i
            while end > start, [0x20, 0x0A, 0x0D, 0x09].contains(body[end - 1]) { end -= 1 }
            out.append(start..<end)
            if body[i] == UInt8(ascii: ",") { i += 1; continue }
            i += 1  // the closing ]
            skipSpace()
            return i == body.count ? out : nil
        }
        return nil
    }

    static func object(_ bytes: ArraySlice<UInt8>) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: [])) as? [String: Any]
    }

    static func string(_ v: Any?) -> String? {
        if let s = v as? String { return s }
        if let n = v as? NSNumber { return n.stringValue }
        return nil
    }

    static func int64(_ v: Any?) -> Int64? {
        if let n = v as? NSNumber { return n.int64Value }
        if let s = v as? String { return Int64(s) }
        return nil
    }

    static func issue(_ o: [String: Any], raw: String, kind: TrackerKind) -> ParsedIssue? {
        guard let id = int64(o["id"]), let number = string(o["number"]) else { return nil }
        let labels = (o["labels"] as? [Any] ?? []).compactMap { v -> ParsedIssue.Label? in
            guard let l = v as? [String: Any], let lid = int64(l["id"]), let name = string(l["name"]) else { return nil }
            return ParsedIssue.Label(id: lid, name: name, color: string(l["color"]), description: string(l["description"]))
        }
        let body = string(o["body"])
        let user = o["user"] as? [String: Any]
        return ParsedIssue(
            remoteID: id, number: number, title: string(o["title"]) ?? "", body: body,
            bodyText: HTMLText.plainText(body), state: string(o["state"]), stateReason: string(o["state_reason"]),
            author: string(user?["login"]), url: string(o["html_url"]),
            priority: kind == .gitee ? int64(o["priority"]).map(Int.init) : nil,
            issueType: kind == .gitee ? string(o["issue_type"]) : nil,
            commentCount: int64(o["comments"]).map(Int.init),
            createdAt: TrackerTime.normalize(string(o["created_at"])),
            updatedAt: TrackerTime.normalize(string(o["updated_at"])),
            closedAt: TrackerTime.normalize(string(o[kind == .gitee ? "finished_at" : "closed_at"])),
            rawJSON: raw, labels: labels,
            isPullRequest: o["pull_request"] != nil && !(o["pull_request"] is NSNull))
    }

    static func comment(_ o: [String: Any], raw: String) -> ParsedComment? {
        guard let id = int64(o["id"]) else { return nil }
        return ParsedComment(remoteID: id, author: string((o["user"] as? [String: Any])?["login"]), body: string(o["body"]),
                             createdAt: TrackerTime.normalize(string(o["created_at"])),
                             updatedAt: TrackerTime.normalize(string(o["updated_at"])), rawJSON: raw)
    }

    static func label(_ o: [String: Any]) -> ParsedIssue.Label? {
        guard let id = int64(o["id"]), let name = string(o["name"]) else { return nil }
        return ParsedIssue.Label(id: id, name: name, color: string(o["color"]), description: string(o["description"]))
    }
}
