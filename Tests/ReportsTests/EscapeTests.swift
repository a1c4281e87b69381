import Foundation
import Reports
import Testing

@Suite struct EscapeTests {
    @Test func htmlEscapesMarkupAndQuotes() {
        #expect(Escape.html("<script>\"'&") == "&lt;script&gt;&quot;&#39;&amp;")
        #expect(Escape.html("\"><img src=x>") == "&quot;&gt;&lt;img src=x&gt;")
        #expect(Escape.html("a\u{0}b") == "a\u{FFFD}b")
    }

    @Test func xmlKeepsWhitespaceAsReferencesAndDropsForbiddenCharacters() {
        #expect(Escape.xml("a\tb\nc\r<&>\"'") == "a&#9;b&#10;c&#13;&lt;&amp;&gt;&quot;&apos;")
        #expect(Escape.xml("\u{1}\u{FFFE}") == "\u{FFFD}\u{FFFD}")
    }

    @Test func markdownCellsStayOneCell() {
        #expect(Escape.markdownCell("a|b\nc <b>") == "a\\|b c &lt;b&gt;")
        let fenced = Escape.markdownFence("x ``` y ```` z", info: "py")
        #expect(fenced.hasPrefix("`````py\n") && fenced.hasSuffix("\n`````"))
    }

    @Test func formatsAndSelectorsParse() throws {
        #expect(try ReportFormat.parseList("html, md,json,junit,html") == [.html, .md, .json, .junit])
        #expect(try ReportFormat.parseList("all") == ReportFormat.allCases)
        #expect(throws: ReportError.self) { try ReportFormat.parseList("pdf") }
        #expect(try CampaignSelector(parsing: "latest") == .latest && CampaignSelector(parsing: "12") == .id(12))
        #expect(throws: ReportError.self) { try CampaignSelector(parsing: "-3") }
        #expect(ReproducerListing.relativeLink(from: URL(fileURLWithPath: "/a/b/rep"), to: URL(fileURLWithPath: "/a/r x/javascript:1.py"))
                == "../../r%20x/javascript%3A1.py")
    }
}
