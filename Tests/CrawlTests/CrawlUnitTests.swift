import Foundation
@testable import Crawl
import Testing

struct CrawlUnitTests {
    /// A rate-limit wait shows in the ETA (it said 0m0s during an hour's wait), and is not counted as time
    /// per page once over.
    @Test func progressETACountsThePendingWait() {
        let progress = CrawlProgress(enabled: false)
        progress.pages = 4
        progress.seriesPage = 4
        progress.lastPage = 10
        progress.waiting("primary rate limit until reset 3600.0s", seconds: 3600)
        // About an hour (a test thread stalled on a loaded machine moves it by the stall).
        let line = progress.line()
        let minutes = line.components(separatedBy: "ETA ").last.flatMap { Int($0.prefix { $0.isNumber }) }
        #expect(minutes.map { (55...62).contains($0) } == true, "\(line)")
        progress.waiting(nil)
        progress.waited += 3600   // as if the hour had passed: it is not time per page
        #expect(progress.line().hasSuffix("ETA 0m0s"), "\(progress.line())")
    }

    @Test func timesNormalizeAcrossOffsetsAndMilliseconds() {
        #expect(TrackerTime.normalize("2024-03-01T08:00:00+08:00") == "2024-03-01T00:00:00Z")
        #expect(TrackerTime.normalize("2024-03-01T08:00:00.123+08:00") == "2024-03-01T00:00:00Z")
        #expect(TrackerTime.normalize("2020-02-29T23:59:59Z") == "2020-02-29T23:59:59Z")
        #expect(TrackerTime.normalize("not a time") == nil)
    }

    @Test func arrayElementsAreSplitAndTruncationIsDetected() {
        let body = Array(#"[ {"a":"x,]\"}"} , {"b":[1,2]} ]"#.utf8)
        let ranges = TrackerJSON.elements(body)
        #expect(ranges?.count == 2)
        #expect(ranges.map { String(decoding: body[$0[1]], as: UTF8.self) } == #"{"b":[1,2]}"#)
        #expect(TrackerJSON.elements(Array(body.prefix(body.count / 2))) == nil)
        #expect(TrackerJSON.elements(Array("[]".utf8))?.isEmpty == true)
    }

    @Test func htmlBodiesBecomeTextAndMarkdownStays() {
        #expect(HTMLText.plainText("<p>a &amp; <b>b</b></p><ul><li>one</li><li>二</li></ul>") == "a & b\none\n二")
        #expect(HTMLText.plainText("if x < 0 and y > 1") == "if x < 0 and y > 1")
        #expect(HTMLText.plainText(nil) == nil)
        // Escape sequences in an HTML body go whole: the parser dropped their ESC and left "[31m" and
        // "]8;;http://evil.example" for the screen, where no filter knew them as sequences any more.
        let hostile = HTMLText.plainText("Use <b>bold</b> here: \u{1B}[31mRED\u{1B}[0m and \u{1B}]8;;http://evil.example\u{1B}\\click\u{1B}]8;;\u{1B}\\ done \u{1B}]52;c;ZWNobw==\u{07}end")
        #expect(hostile == "Use bold here: RED and click done end", "\(hostile ?? "nil")")
        // Template hints in comments are hidden on the tracker's page: not text (a comment in code is code).
        #expect(HTMLText.plainText("### Bug\n<!-- describe the CUDA OOM here -->\nit hangs\n`<!-- kept -->`") == "### Bug\n\nit hangs\n`<!-- kept -->`")
        #expect(HTMLText.plainText("<p>a</p><!-- hidden --><p>b</p>") == "a\nb")
        #expect(HTMLText.plainText("unclosed <!-- stays") == "unclosed <!-- stays")
        // Bodies are Markdown with some HTML: lines and indentation stay (Python code in a <pre> or a fence lost
        // its indentation; collapsing white space as a browser does made a Markdown body one line), CRLF or not.
        let code = "<p>see    this\nbelow</p><pre><code>import mindspore as ms\r\nfor i in range(3):\r\n    if i:\r\n\r\n        <span>print</span>(i)\r\n</code></pre><p>a    b</p>"
        #expect(HTMLText.plainText(code) == "see    this\nbelow\nimport mindspore as ms\nfor i in range(3):\n    if i:\n\n        print(i)\n\na    b",
                "\(HTMLText.plainText(code)?.debugDescription ?? "nil")")
        let markdown = "### Bug\r\n\r\nSteps:\r\n\r\n```python\r\nfor i in range(3):\r\n    x = torch.ones(2)\r\n```\r\n\r\n<details><summary>Traceback</summary>\r\n\r\n```\r\nRuntimeError: CUDA out of memory\r\n```\r\n</details>"
        #expect(HTMLText.plainText(markdown) == "### Bug\n\nSteps:\n\n```python\nfor i in range(3):\n    x = torch.ones(2)\n```\n\nTraceback\n\n```\nRuntimeError: CUDA out of memory\n```",
                "\(HTMLText.plainText(markdown)?.debugDescription ?? "nil")")
        #expect(HTMLText.plainText(code)?.unicodeScalars.contains { $0 == "\r" || $0 == "\u{E000}" } == false)
        // Code in fences and spans is literal text, never tags, whatever HTML the body has elsewhere (one
        // <details> made `std::vector<int>` lose `<int>`, and a fenced <script> line vanish).
        let cpp = "<details>\r\n\r\n```cpp\r\nstd::vector<int> v;\r\nif (a<b && c>d) {}\r\n\r\n\r\n<script>alert(1)</script>\r\n```\r\n</details> and `a<b>c` inline"
        #expect(HTMLText.plainText(cpp) == "```cpp\nstd::vector<int> v;\nif (a<b && c>d) {}\n\n\n<script>alert(1)</script>\n```\n and `a<b>c` inline",
                "\(HTMLText.plainText(cpp)?.debugDescription ?? "nil")")
        // A body with no HTML is kept as given, with one kind of line break.
        #expect(HTMLText.plainText("plain\r\n  two\r\n") == "plain\n  two\n")
        // HTML only inside code is no HTML body.
        #expect(HTMLText.plainText("```\n<div>x</div>\n```") == "```\n<div>x</div>\n```")
        // A body that writes the tokens code is set aside under, as characters or entities, neither traps (index
        // -1) nor copies code; private-use token characters never reach the text.
        for hostile in ["<b>x</b> &#xE001;-1&#xE002; and `code`", "<b>x</b> &#xE001;0&#xE002; and `code<1>` and &#57345;", "pua \u{E001} and \u{E002}"] {
            let text = HTMLText.plainText(hostile) ?? ""
            #expect(!text.unicodeScalars.contains { $0 == "\u{E001}" || $0 == "\u{E002}" } && text.components(separatedBy: "code").count <= 2, "\(text.debugDescription)")
        }
        // Fences in list items and blockquotes are code too; a deep body keeps its lines' indentation; stray closing
        // tags do not hide depth; more common tags make a body HTML.
        #expect(HTMLText.plainText("<b>Steps</b>\n\n- a\n  - b\n    ```cpp\n    std::vector<int> v;\n    ```\n- c")
                == "Steps\n\n- a\n  - b\n    ```cpp\n    std::vector<int> v;\n    ```\n- c")
        #expect(HTMLText.plainText("<b>Bug</b>\n> ```cpp\n> if (a<b && c>d) {}\n> ```\nend") == "Bug\n> ```cpp\n> if (a<b && c>d) {}\n> ```\nend")
        let deepPre = String(repeating: "<div>", count: 210) + "deep" + String(repeating: "</div>", count: 210) + "\n<pre>\ndef f():\n    return 1\n</pre>"
        #expect(HTMLText.plainText(deepPre)?.contains("\n    return 1") == true, "\(HTMLText.plainText(deepPre)?.suffix(80) ?? "")")
        #expect(HTMLText.plainText(String(repeating: "<div></span>", count: 300) + "hidden tail text")?.contains("hidden tail text") == true)
        #expect(HTMLText.plainText("Press <kbd>Ctrl</kbd>+<kbd>C</kbd>") == "Press Ctrl+C")
        // A tracker's error text in a crawl error loses whole escape sequences, not just their ESC.
        #expect(CrawlProgress.plain("Bad \u{1B}[31;1mRED\u{1B}[0m\u{1B}]52;c;ZWNobwo=\u{07} creds\u{202E}\nend") == "Bad RED creds end")
        // Nested deeper than libxml2's parser keeps (256): no text is lost past that depth.
        for depth in [250, 260, 6000] {
            let deep = "<p>visible start</p>" + String(repeating: "<div>", count: depth) + "deep &amp; crash<script>x()</script>"
                + String(repeating: "</div>", count: depth) + "<p>after</p>"
            let lines = HTMLText.plainText(deep)?.split(separator: "\n").map(String.init)
            #expect(lines == ["visible start", "deep & crash", "after"], "\(depth): \(HTMLText.plainText(deep)?.prefix(80) ?? "nil")")
        }
        // No external entities, no network: a DOCTYPE with a SYSTEM entity is not fetched or expanded.
        let evil = #"<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]><p>&x;</p>"#
        #expect(HTMLText.plainText(evil)?.contains("root:") == false)
    }

    @Test func trackerWaitsAreReadSafely() throws {
        // A tracker's waits are read safely: no overflow on an epoch of Int64.max, no 127-year wait on a date
        // decades off, an HTTP-date Retry-After understood, a negative one no wait; past an hour, a clear stop.
        let now: Int64 = 1_800_000_000
        #expect(throws: CrawlError.self) { try Crawler.primaryWait(reset: "9223372036854775807", date: nil, retryAfter: nil, now: now) }
        #expect(try Crawler.primaryWait(reset: "-9223372036854775808", date: nil, retryAfter: nil, now: now) == 1)
        #expect(try Crawler.primaryWait(reset: "\(now + 30)", date: "Mon, 01 Jan 1900 00:00:00 GMT", retryAfter: nil, now: now) == 31)
        #expect(throws: CrawlError.self) { try Crawler.retryAfterSeconds("999999999", date: nil, now: now) }
        #expect(throws: CrawlError.self) { try Crawler.retryAfterSeconds("inf", date: nil, now: now) }
        #expect(try Crawler.retryAfterSeconds("-5", date: nil, now: now) == 0)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        let inThree = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(now + 3)))
        #expect(try Crawler.retryAfterSeconds(inThree, date: nil, now: now) == 3)
    }

    @Test func linkHeadersAreFollowedVerbatim() {
        let h = #"<https://api.github.com/repositories/1300192/issues?page=2&per_page=100>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last""#
        #expect(TrackerAPI.linkTarget(h, rel: "next") == "https://api.github.com/repositories/1300192/issues?page=2&per_page=100")
        #expect(TrackerAPI.linkTarget(h, rel: "prev") == nil)
        // A comma inside a URL is part of it, not a separator between links.
        let commas = #"<https://api.github.com/repos/o/r/issues?labels=a,b&page=2>; rel="next", <https://api.github.com/repos/o/r/issues?labels=a,b&page=9>; rel="last""#
        #expect(TrackerAPI.linkTarget(commas, rel: "next") == "https://api.github.com/repos/o/r/issues?labels=a,b&page=2")
        #expect(TrackerAPI.linkTarget(commas, rel: "last") == "https://api.github.com/repos/o/r/issues?labels=a,b&page=9")
        // A rate limit's reset is read against the tracker's clock (its `date` header).
        #expect(Crawler.httpDate("Wed, 21 Oct 2015 07:28:00 GMT") == 1_445_412_480)
        #expect(TrackerAPI.origin("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080")
        #expect(TrackerAPI.origin("https://API.github.com/x") == "https://api.github.com:443")
        #expect(TrackerAPI.origin("HTTP://127.0.0.1:8080/x") == TrackerAPI.origin("http://127.0.0.1:8080/y"))
    }

    /// A relative `link` (RFC 8288 allows it) is resolved against the page that sent it; the crawl had failed,
    /// calling it a link to another host.
    @Test func aRelativeNextLinkIsResolvedAgainstThePage() {
        let gh = TrackerAPI(kind: .github, apiURL: "http://h:1/api/v3", owner: "o", repo: "r")
        let page = "http://h:1/api/v3/repos/o/r/issues?state=all&per_page=100"
        for (link, expected) in [("</repositories/7/issues?page=2>", "http://h:1/repositories/7/issues?page=2"),
                                 ("<issues?page=2>", "http://h:1/api/v3/repos/o/r/issues?page=2"),
                                 ("<http://h:1/x?page=2>", "http://h:1/x?page=2")] {
            let r = HTTPResponse(status: 200, headers: [("link", link + "; rel=\"next\"")], body: [], httpVersion: "1.1")
            #expect(gh.nextURL(after: page, response: r, count: 100) == expected)
        }
    }

    @Test func nextIssuePageRestartsAtTheLastItemsTime() {
        let gh = TrackerAPI(kind: .github, apiURL: "http://h:1", owner: "o", repo: "r")
        let first = gh.firstIssuesURL(state: "all", label: nil, since: nil)
        let more = HTTPResponse(status: 200, headers: [("link", "<http://h:1/repositories/7/issues?page=2>; rel=\"next\", <http://h:1/repositories/7/issues?page=5>; rel=\"last\"")],
                                body: [], httpVersion: "1.1")
        let next = gh.nextIssuesURL(after: first, response: more, count: 100, lastUpdated: "2024-03-01T00:00:00Z")
        #expect(next == first + "&since=2024-03-01T00%3A00%3A00Z")
        #expect(gh.pagesFrom(first, response: more) == 5)
        // A whole page at the time it was asked from: since cannot advance, so the tracker's next page is taken.
        #expect(gh.nextIssuesURL(after: next!, response: more, count: 100, lastUpdated: "2024-03-01T00:00:00Z") == "http://h:1/repositories/7/issues?page=2")
        // The end of the list stays the end.
        let end = HTTPResponse(status: 200, headers: [], body: [], httpVersion: "1.1")
        #expect(gh.nextIssuesURL(after: next!, response: end, count: 40, lastUpdated: "2024-03-02T00:00:00Z") == nil)
        // ...but a full page is never the last, whatever the tracker says: the list goes on from its last item's time,
        // or, where the whole page shares the time it was asked from, on the following page of the same since.
        let fullEnd = gh.nextIssuesURL(after: next!, response: end, count: 100, lastUpdated: "2024-03-02T00:00:00Z")
        #expect(TrackerAPI.queryValue(fullEnd ?? "", "since") == "2024-03-02T00%3A00%3A00Z" && TrackerAPI.queryValue(fullEnd ?? "", "page") == nil)
        let sameTime = gh.nextIssuesURL(after: next!, response: end, count: 100, lastUpdated: "2024-03-01T00:00:00Z")
        #expect(TrackerAPI.queryValue(sameTime ?? "", "page") == "2" && TrackerAPI.queryValue(sameTime ?? "", "since") == "2024-03-01T00%3A00%3A00Z")
        // Gitee restarts at page 1 of the new since.
        let ge = TrackerAPI(kind: .gitee, apiURL: "http://h:1", owner: "o", repo: "r")
        let page3 = TrackerAPI.replacingQuery(ge.firstIssuesURL(state: "all", label: nil, since: nil), "page", with: "3")
        let pages = HTTPResponse(status: 200, headers: [("total_page", "9")], body: [], httpVersion: "1.1")
        let restarted = ge.nextIssuesURL(after: page3, response: pages, count: 100, lastUpdated: "2024-03-01T00:00:00Z")
        #expect(TrackerAPI.queryValue(restarted ?? "", "page") == "1")
        #expect(TrackerAPI.queryValue(restarted ?? "", "since") == "2024-03-01T00%3A00%3A00Z")
        #expect(ge.pagesFrom(page3, response: pages) == 7)
    }

    @Test func giteePagesByTotalPageAndStopsOnEmpty() {
        let api = TrackerAPI(kind: .gitee, apiURL: "http://h:1", owner: "o", repo: "r")
        #expect(api.base == "http://h:1/api/v5")
        let url = api.firstIssuesURL(state: "all", label: nil, since: nil)
        let more = HTTPResponse(status: 200, headers: [("total_page", "3")], body: [], httpVersion: "1.1")
        #expect(api.nextURL(after: url, response: more, count: 100)?.hasSuffix("page=2") == true)
        #expect(api.nextURL(after: url, response: more, count: 0) == nil)
        let last = TrackerAPI.replacingQuery(url, "page", with: "3")
        #expect(api.nextURL(after: last, response: more, count: 100) == nil)
        // Without total_page, a short page is the last: an endpoint that ignores `page` (the same 1-element list
        // every time) was asked 13,000 times.
        let bare = HTTPResponse(status: 200, headers: [], body: [], httpVersion: "1.1")
        let labels = "http://h:1/api/v5/repos/o/r/labels?per_page=100&page=1"
        #expect(api.nextURL(after: labels, response: bare, count: 1) == nil)
        #expect(api.nextURL(after: labels, response: bare, count: 100)?.hasSuffix("page=2") == true)
        // A link that repeats the request's query carries the token: the next URL (stored with the page) drops it.
        let echoed = HTTPResponse(status: 200, headers: [("link", "<http://h:1/api/v5/repos/o/r/labels?per_page=100&page=2&access_token=Tk%2F%2BSECRET>; rel=\"next\"")],
                                  body: [], httpVersion: "1.1")
        #expect(api.nextURL(after: api.labelsURL, response: echoed, count: 100) == "http://h:1/api/v5/repos/o/r/labels?per_page=100&page=2")
    }

    @Test func tokenPoolPrefersMostQuotaAndWaitsWhenAllAreSpent() {
        var pool = TokenPool(tokens: [CrawlToken(label: "a", value: "1111"), CrawlToken(label: "b", value: "2222")])
        pool.entries[0].remaining = 10
        pool.entries[1].remaining = 50
        #expect(pool.pick(now: 100).index == 1)
        pool.exhaust(1, until: 200)
        #expect(pool.pick(now: 100).index == 0)
        pool.exhaust(0, until: 150)
        let p = pool.pick(now: 100)
        #expect(p.waitUntil == 150)
        #expect(pool.pick(now: 160).waitUntil == nil)
    }

    @Test func redactorHidesEveryToken() {
        let r = Redactor(secrets: ["s3cr3t-token"])
        #expect(r.clean("GET /x?access_token=s3cr3t-token") == "GET /x?access_token=[redacted]")
        let encoded = Redactor(secrets: ["tok/en+x=1"])
        #expect(encoded.clean("a tok%2Fen%2Bx%3D1 b tok%2fen%2bx%3d1 c tok/en+x=1") == "a [redacted] b [redacted] c [redacted]")
        #expect(Redactor(secrets: []).clean("GET /y?page=2&access_token=zz%2F9&per_page=100") == "GET /y?page=2&access_token=[redacted]&per_page=100")
        #expect(TrackerAPI.removingQueryItem("access_token", from: "https://h/p?a=1&access_token=x%2F&b=2#f") == "https://h/p?a=1&b=2#f")
        #expect(TrackerAPI.removingQueryItem("access_token", from: "https://h/p?access_token=x") == "https://h/p")
    }
}
