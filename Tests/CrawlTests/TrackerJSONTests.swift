import Foundation
@testable import Crawl
import Testing

/// The byte-level reader agrees with Foundation's JSON parser on what the crawler stores.
struct TrackerJSONTests {
    func issues(_ text: String, kind: TrackerKind = .github) -> [ParsedIssue?] {
        let body = Array(text.utf8)
        guard let ranges = TrackerJSON.elements(body) else { return [] }
        return body.withUnsafeBufferPointer { page in ranges.map { TrackerJSON.issue(page, $0, kind: kind) } }
    }

    @Test func decodesFieldsEscapesAndSurrogatePairs() throws {
        let text = #"""
            [{"url":"u","id":12345678901,"number":7,"title":"a \"q\" \\ b\u00e9 \ud83d\udc1b 崩溃","user":{"login":"me","id":1},
              "labels":[{"id":5,"name":"bug","color":"ff0000","description":null},{"id":"6","name":"x"},{"name":"no id"}],
              "state":"closed","state_reason":"completed","comments":3,"created_at":"2024-03-01T08:00:00Z",
              "updated_at":"2024-03-02T08:00:00Z","closed_at":null,"reactions":{"total_count":2,"+1":[1,{"a":"]"}]},
              "body":"line\r\nnext\ttab \u0001","html_url":"h","extra":[[{}],-1.5e3,true,false]}]
            """#
        let parsed = issues(text)
        let i = try #require(parsed.first ?? nil)
        #expect(i.remoteID == 12_345_678_901 && i.number == "7")
        #expect(i.title == "a \"q\" \\ bé 🐛 崩溃")
        #expect(i.author == "me" && i.url == "h" && i.state == "closed" && i.stateReason == "completed")
        #expect(i.commentCount == 3 && i.closedAt == nil && i.updatedAt == "2024-03-02T08:00:00Z")
        #expect(i.body == "line\r\nnext\ttab \u{1}")
        #expect(i.labels.map(\.id) == [5, 6] && i.labels.map(\.name) == ["bug", "x"] && i.labels[0].color == "ff0000")
        #expect(!i.isPullRequest)
        // The raw JSON is the element's bytes, verbatim.
        #expect(i.rawJSON.hasPrefix(#"{"url":"u","id":12345678901"#) && i.rawJSON.hasSuffix(#"true,false]}"#))
        // Every stored field matches what JSONSerialization reads.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(i.rawJSON.utf8)) as? [String: Any])
        #expect(i.title == object["title"] as? String && i.body == object["body"] as? String)
    }

    /// A NUL in a title or body cut the stored text at it (SQLite reads bound text up to a NUL): it is kept as
    /// U+FFFD, the rest of the text with it; the raw JSON keeps the escape.
    @Test func aNulCharacterDoesNotCutTheText() throws {
        let i = try #require(issues(#"[{"id":1,"number":2,"title":"nul\u0000title","body":"nul \u0000 char"}]"#).first ?? nil)
        #expect(i.title == "nul\u{FFFD}title" && i.body == "nul \u{FFFD} char", "\(i.title.unicodeScalars.map { $0.value }) \(String(describing: i.body))")
        #expect(i.rawJSON.contains(#"\u0000"#))
    }

    @Test func pullRequestsNullsAndGiteeStrings() throws {
        let gh = issues(#"[{"id":1,"number":1,"pull_request":{"url":"x"},"body":null,"user":null,"labels":null},{"id":2,"number":2,"pull_request":null}]"#)
        #expect(gh.count == 2)
        #expect(gh[0]?.isPullRequest == true && gh[0]?.body == nil && gh[0]?.author == nil && gh[0]?.labels.isEmpty == true)
        #expect(gh[1]?.isPullRequest == false)
        let ge = issues(#"[{"id":9,"number":"I65G7B","priority":3,"issue_type":"缺陷","finished_at":"2024-03-01T08:00:00.5+08:00","closed_at":"x"}]"#,
                        kind: .gitee)
        let g = try #require(ge.first ?? nil)
        #expect(g.number == "I65G7B" && g.priority == 3 && g.issueType == "缺陷" && g.closedAt == "2024-03-01T00:00:00Z")
    }

    @Test func malformedOrIncompleteElementsAreDropped() {
        let noNumber = issues(#"[{"id":1}]"#)
        #expect(noNumber.count == 1 && noNumber[0] == nil)
        let bad = issues(#"[{"id":1,"number":1,"title":"\x"}, {"id":2,"number":2,"title":tru}, 5, {"id":3,"number":3}]"#)
        #expect(bad.count == 4)
        #expect(bad[0] == nil && bad[1] == nil && bad[2] == nil && bad[3]?.remoteID == 3)
    }

    @Test func htmlIsRecognizedByItsTagsOnly() {
        #expect(HTMLText.looksLikeHTML("a <P>b</P>"))
        #expect(HTMLText.looksLikeHTML("x<br/>y") && HTMLText.looksLikeHTML("<img src=x>") && HTMLText.looksLikeHTML("<h1>t</h1>"))
        #expect(!HTMLText.looksLikeHTML("if a<x and c>d") && !HTMLText.looksLikeHTML("x < 0"))
        #expect(!HTMLText.looksLikeHTML("Vec<T> <p2> <<") && !HTMLText.looksLikeHTML("no markup 崩溃 🐛"))
        #expect(HTMLText.looksLikeHTML("<<details>"))
    }

    @Test func canonicalTimesPassThroughUnchangedAndOthersAreNormalized() {
        for t in ["2024-03-01T08:00:00Z", "1999-12-28T23:59:59Z", "2025-06-01T00:00:00Z"] {
            #expect(TrackerTime.isCanonical(t))
            #expect(TrackerTime.normalize(t) == TrackerTime.format(TrackerTime.epoch(t)!))
        }
        for t in ["2024-02-30T08:00:00Z", "2024-13-01T08:00:00Z", "2024-03-01T24:00:00Z", "2024-03-01T08:00:00+08:00", "2024-03-01"] {
            #expect(!TrackerTime.isCanonical(t))
        }
        #expect(TrackerTime.normalize("2024-03-31T23:00:00Z") == "2024-03-31T23:00:00Z")
    }
}
