import ArgumentParser
import Crawl
import Foundation
import JSONText
import GRDB
import TerminalUI

struct IssuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issues", abstract: "Browse crawled issues.", subcommands: [IssuesList.self, IssuesShow.self])
}

struct IssuesList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored issues.")
    @Option(help: "Only this OWNER/REPO.") var repo: String?
    @Option(help: "Only issues with this label.") var label: String?
    @Option(help: "Only this state: open, closed (GitHub and Gitee), progressing or rejected (Gitee); all (the default).") var state: String?
    @Option(help: "Only HP candidates of this preset (see `defectlab filter`).") var hp: String?
    @Option(help: "At most this many.") var limit: Int?
    @Option(help: "table or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    /// A typo'd state listed nothing, exactly as an empty store does.
    func validate() throws {
        let states = ["open", "closed", "progressing", "rejected", "all"]
        if let state, !states.contains(state) {
            throw ValidationError("--state is one of \(states.joined(separator: ", ")), got '\(state)'")
        }
        // 0 listed nothing and said "0 issues"; a negative count was an argument error.
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1 (leave it out to list every issue)") }
    }

    func run() throws {
        var q = IssueBrowser.Query()
        q.repo = repo; q.label = label?.trimmingCharacters(in: .whitespaces); q.state = state == "all" ? nil : state; q.hpPreset = hp; q.limit = limit
        let store = try database.open(mode: .mustExist)
        if let repo { try store.read { try IssueBrowser.requireRepository(repo, $0) } }
        if let hp {
            // A preset `filter` never applied here lists nothing, exactly as an empty store does: said.
            let applied = try store.read { try String.fetchAll($0, sql: "SELECT DISTINCT preset FROM hp_selection ORDER BY preset") }
            guard applied.contains(hp) else {
                throw ValidationError("no issue is marked by preset '\(hp)' in this database"
                                      + (applied.isEmpty ? " (run `defectlab filter --preset NAME` first)" : " (marked: \(applied.joined(separator: ", ")))"))
            }
        }
        let issues = try IssueBrowser.list(store, q)
        if format == .json {
            struct Out: Encodable { var count: Int; var issues: [IssueSummary] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(InertText.json(String(decoding: try encoder.encode(Out(count: issues.count, issues: issues)), as: UTF8.self)))
            return
        }
        for i in issues {
            let whole = InertText.line(i.title)
            let title = whole.count > 70 ? String(whole.prefix(69)) + "…" : whole
            let flags = (i.deleted ? " [deleted]" : "") + (i.hp.isEmpty ? "" : " [HP \(i.hp.values.sorted().joined(separator: ","))]")
            // Every field is the tracker's (or a shared preset's) text: the whole line is drawn inert.
            print(InertText.line("\(i.repo)#\(i.number)  \(i.state ?? "?")  \(i.updatedAt ?? "")  \(title)\(flags)"))
        }
        print("\(issues.count) issues")
    }
}

struct IssuesShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one stored issue with its body and comments.")
    @Argument(help: "The issue number (Gitee numbers such as I65G7B are case-sensitive).") var number: String
    @Option(help: "OWNER/REPO, when several repositories are stored.") var repo: String?
    @Option(help: "table or json.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        guard let d = try IssueBrowser.show(database.open(mode: .mustExist), repo: repo, number: number) else {
            throw ValidationError("no stored issue \(number)\(repo.map { " in \($0)" } ?? "")")
        }
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(InertText.json(String(decoding: try encoder.encode(d), as: UTF8.self)))
            return
        }
        // Everything the tracker gave is a stranger's text: drawn inert (no escape sequence reaches the terminal).
        let i = d.issue
        let line = { (text: String?) in text.map(InertText.line) ?? "?" }
        print(InertText.line("\(i.repo)#\(i.number)  \(i.title)"))
        print("state \(line(i.state))  by \(line(d.author))  created \(line(i.createdAt))  updated \(line(i.updatedAt))\(i.deleted ? "  [deleted]" : "")")
        if !i.labels.isEmpty { print("labels: \(InertText.line(i.labels.joined(separator: ", ")))") }
        if let p = i.priority { print(InertText.line("priority \(p)  type \(i.issueType ?? "?")")) }
        for (preset, rule) in i.hp.sorted(by: { $0.key < $1.key }) { print(InertText.line("HP candidate: \(preset) (rule \(rule))")) }
        if let url = i.url { print(InertText.line(url)) }
        print("")
        print(d.bodyText.map(InertText.neutralize) ?? "(no body)")
        for c in d.commentList {
            print("\n— \(line(c.author)) at \(line(c.createdAt))\n\(InertText.neutralize(c.body ?? ""))")
        }
    }
}
