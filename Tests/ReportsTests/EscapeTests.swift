import Foundation
@testable import Reports
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

    /// DEL and the C1 controls (U+009B is CSI to many terminals) go too: they reached the report files raw.
    @Test func c1ControlsAreReplacedInEveryFormat() {
        let hostile = "E\u{9B}31m\u{85}x\u{7F}é\u{A0}"
        for escaped in [Escape.html(hostile), Escape.xml(hostile), Escape.markdownCell(hostile), Escape.markdownFence(hostile)] {
            #expect(!escaped.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) }, "\(escaped.debugDescription)")
            #expect(escaped.contains("é\u{A0}"))
        }
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

    /// Report names: one per set of campaigns, so 1,5 and 1,3,5 and 1–5 do not overwrite each other.
    @Test func eachSetOfCampaignsHasItsOwnReportName() {
        #expect(CampaignSnapshot.stem([3]) == "campaign-3")
        #expect(CampaignSnapshot.stem([1, 2, 3, 4, 5]) == "campaigns-1-to-5")
        #expect(CampaignSnapshot.stem([1, 5]) == "campaigns-1_5")
        #expect(CampaignSnapshot.stem([5, 3, 1]) == "campaigns-1_3_5")
        let many = CampaignSnapshot.stem(Array(stride(from: 1, through: 40, by: 2)))
        #expect(many.hasPrefix("campaigns-1-to-39-") && many != CampaignSnapshot.stem(Array(stride(from: 1, through: 39, by: 2)) + [38]))
    }

    /// A reproducer folder is listed only when it is what `defects repro` writes; any other folder a store
    /// names (a home directory, /etc) is shown by path only, none of its files read.
    @Test func onlyReproducerFoldersAreRead() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("repro-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let notes = base.appendingPathComponent("notes")
        try FileManager.default.createDirectory(at: notes, withIntermediateDirectories: true)
        try "secret".write(to: notes.appendingPathComponent("todo.txt"), atomically: true, encoding: .utf8)
        let other = ReproducerListing.read(storedPath: notes.path, storeFolder: base, reportFolder: base)
        #expect(!other.present && other.files.isEmpty)
        #expect(!ReproducerListing.read(storedPath: "../../../../../../etc", storeFolder: base, reportFolder: base).present)
        try FileManager.default.createDirectory(at: notes.appendingPathComponent("model"), withIntermediateDirectories: true)
        try "# Bug".write(to: notes.appendingPathComponent("bug-report.md"), atomically: true, encoding: .utf8)
        try "{}".write(to: notes.appendingPathComponent("model/graph.json"), atomically: true, encoding: .utf8)
        #expect(ReproducerListing.read(storedPath: notes.path, storeFolder: base, reportFolder: base).files.count == 3)
        // A link to a reproducer folder is not one.
        let link = base.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: notes.path)
        #expect(!ReproducerListing.read(storedPath: link.path, storeFolder: base, reportFolder: base).present)
    }

    /// A read cut inside a character is trimmed back to the last whole one and marked truncated; a whole file
    /// that is not UTF-8 is not inlined (never shown cut as if complete).
    @Test func inlinedTextIsCutOnCharacterBoundaries() throws {
        let chinese = Data("崩溃崩溃".utf8)   // 3 bytes a character
        for cut in 1...2 {
            let read = chinese.prefix(chinese.count - cut)
            let (text, whole) = try #require(ReproducerListing.inlineText(Data(read), cut: true))
            #expect(text == "崩溃崩" && !whole)
        }
        #expect(ReproducerListing.inlineText(Data("hello ok\n".utf8) + Data([0xFF]), cut: false) == nil)
        #expect(ReproducerListing.inlineText(Data("ok".utf8), cut: false).map { [$0.0, "\($0.whole)"] } == ["ok", "true"])
    }
}
