/// Renders corpus items as the trackers' JSON.
extension SimCorpus {
    func labelJSON(_ l: Label) -> JSONValue {
        switch kind {
        case .github:
            return .object([("id", .int(l.id)), ("node_id", .string("LA_\(l.id)")),
                            ("url", .string("https://api.github.com/repos/\(fullName)/labels/\(l.name)")),
                            ("name", .string(l.name)), ("color", .string(l.color)), ("default", .bool(false)),
                            ("description", .null)])
        case .gitee:
            return .object([("id", .int(l.id)), ("name", .string(l.name)), ("color", .string(l.color)),
                            ("repository_id", .int(repoID))])
        }
    }

    func itemJSON(_ index: Int) -> JSONValue {
        let it = items[index]
        let labelValues = it.labelIDs.compactMap { label($0) }.map(labelJSON)
        let body: JSONValue = it.body.map { .string($0) } ?? .null
        switch kind {
        case .github:
            var fields: [(String, JSONValue)] = [
                ("url", .string("https://api.github.com/repos/\(fullName)/issues/\(it.number)")),
                ("repository_url", .string("https://api.github.com/repos/\(fullName)")),
                ("html_url", .string("https://github.com/\(fullName)/\(it.isPullRequest ? "pull" : "issues")/\(it.number)")),
                ("id", .int(it.id)), ("node_id", .string("I_kw\(it.id)")), ("number", .int(Int64(it.number) ?? 0)),
                ("title", .string(it.title)),
                ("user", .object([("login", .string(it.author)), ("id", .int(Int64(it.author.count * 7919)))])),
                ("labels", .array(labelValues)), ("state", .string(it.state)), ("locked", .bool(false)),
                ("assignee", .null), ("comments", .int(Int64(it.comments.count))),
                ("created_at", .string(SimTime.github(it.created))), ("updated_at", .string(SimTime.github(it.updated))),
                ("closed_at", it.closed.map { .string(SimTime.github($0)) } ?? .null),
                ("author_association", .string("NONE")),
            ]
            if it.isPullRequest {
                fields.append(("pull_request", .object([
                    ("url", .string("https://api.github.com/repos/\(fullName)/pulls/\(it.number)")),
                    ("html_url", .string("https://github.com/\(fullName)/pull/\(it.number)"))])))
            }
            fields += [("body", body), ("reactions", .object([("total_count", .int(Int64(it.reactions)))])),
                       ("state_reason", it.stateReason.map { .string($0) } ?? .null)]
            return .object(fields)
        case .gitee:
            let priorityNames = ["不指定", "不重要", "次要", "主要", "严重"]
            return .object([
                ("id", .int(it.id)),
                ("url", .string("https://gitee.com/api/v5/repos/\(fullName)/issues/\(it.number)")),
                ("repository_url", .string("https://gitee.com/api/v5/repos/\(fullName)")),
                ("html_url", .string("https://gitee.com/\(fullName)/issues/\(it.number)")),
                ("number", .string(it.number)), ("state", .string(it.state)), ("title", .string(it.title)),
                ("body", body), ("user", .object([("login", .string(it.author)), ("name", .string(it.author))])),
                ("labels", .array(labelValues)),
                ("created_at", .string(SimTime.gitee(it.created, millis: it.millis))),
                ("updated_at", .string(SimTime.gitee(it.updated, millis: it.millis))),
                ("finished_at", it.closed.map { .string(SimTime.gitee($0, millis: nil)) } ?? .null),
                ("comments", .int(Int64(it.comments.count))), ("priority", .int(Int64(it.priority))),
                ("priority_name", .string(priorityNames[it.priority])),
                ("issue_type", .string(it.issueType)),
                ("issue_state", .string(["open": "待办的", "progressing": "进行中", "closed": "已完成", "rejected": "已拒绝"][it.state] ?? it.state)),
            ])
        }
    }

    /// The list-item bytes, cached until the item changes.
    func itemBytes(_ index: Int) -> [UInt8] {
        if let cached = items[index].cache { return cached }
        let bytes = itemJSON(index).encoded(escapeNonASCII: items[index].escapeUnicode)
        items[index].cache = bytes
        return bytes
    }

    func commentJSON(_ c: Comment, issue: Item) -> JSONValue {
        let isGitHub = kind == .github
        let time: (Int64) -> String = { isGitHub ? SimTime.github($0) : SimTime.gitee($0, millis: nil) }
        return .object([("id", .int(c.id)), ("body", .string(c.body)),
                        ("user", .object([("login", .string(c.author))])),
                        ("created_at", .string(time(c.created))), ("updated_at", .string(time(c.updated))),
                        ("issue_url", .string("https://api.github.com/repos/\(fullName)/issues/\(issue.number)"))])
    }

    /// The corpus as it stands, for `/_sim/truth`: every item as listed, plus `deleted` and its comment ids.
    func truthJSON() -> JSONValue {
        var out: [JSONValue] = []
        for i in order {
            guard case .object(var fields) = itemJSON(i) else { continue }
            fields.append(("deleted", .bool(items[i].deleted)))
            fields.append(("comment_ids", .array(items[i].comments.map { .int($0.id) })))
            out.append(.object(fields))
        }
        return .object([("repo", .string(fullName)), ("tracker", .string(kind.rawValue)), ("repo_id", .int(repoID)),
                        ("labels", .array(labels.map(labelJSON))), ("issues", .array(out))])
    }
}
