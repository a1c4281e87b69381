import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Reports
import Testing

/// The JUnit file validates against the common JUnit schema (Fixtures/junit.xsd) with libxml2, and each
/// unique defect is a failing test case typed by its subtype.
@Suite struct JUnitReportTests {
    static let schema = JUnitSchema(schemaPath: ReportsTestSupport.fixtures.appendingPathComponent("junit.xsd").path)

    @Test func campaignJUnitValidatesAndFailsOncePerDefect() throws {
        let folder = try ReportsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (db, defect, _) = try ReportsTestSupport.campaignWithDefects(in: folder)
        let out = folder.appendingPathComponent("rep")
        let result = try ReportsTestSupport.defectlab(["report", "--no-fold", "--out", out.path, "--format", "junit", "--db", db])
        try #require(result.status == 0, "\(result.stderr)")
        let xml = try ReportsTestSupport.read(out.appendingPathComponent("campaign-1-junit.xml"))
        let errors = Self.schema.validate(xml)
        #expect(errors.isEmpty, "JUnit XML does not validate: \(errors.joined(separator: "; "))")

        let doc = try XMLDocument(xmlString: xml, options: [])
        let root = try #require(doc.rootElement())
        #expect(root.name == "testsuites")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.compactMap { $0.attribute(forName: "name")?.stringValue } == ["defectlab.campaign-1.summary", "G2 Crash during training or inference", "defectlab.campaign-1.unfolded"])
        let g2 = suites[1].elements(forName: "testcase")
        #expect(g2.count == 1)
        let failure = try #require(g2.first?.elements(forName: "failure").first)
        #expect(failure.attribute(forName: "type")?.stringValue == "G2")
        #expect(failure.attribute(forName: "message")?.stringValue == "Pad crashes <b>faulty</b> & more")
        #expect(failure.stringValue?.contains("signature: crash|execute|G2|faulty|Pad||signal 11") == true)
        #expect(failure.stringValue?.contains("reproducer: \(folder.path)/repro/defect 1") == true)
        #expect(g2.first?.attribute(forName: "name")?.stringValue == "defect \(defect): Pad crashes <b>faulty</b> & more")
        #expect(root.attribute(forName: "failures")?.stringValue == String(1 + suites[2].elements(forName: "testcase").count))
        let summary = try #require(suites[0].elements(forName: "testcase").first)
        #expect(summary.elements(forName: "failure").isEmpty)
        #expect(summary.elements(forName: "system-out").first?.stringValue?.hasPrefix("40 mutants (legal") == true)
    }

    /// The validator is not a rubber stamp: the usual mistakes of hand-written JUnit are rejected.
    @Test func theSchemaRejectsBrokenJUnit() {
        let valid = "<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"1\" errors=\"0\"><testcase name=\"t\" classname=\"c\" time=\"0.5\"><failure message=\"m\" type=\"G2\">body</failure></testcase></testsuite></testsuites>"
        #expect(Self.schema.validate(valid).isEmpty, "\(Self.schema.validate(valid))")
        let broken = [
            "<testsuites><testsuite tests=\"1\"><testcase name=\"t\"/></testsuite></testsuites>",               // suite without a name
            "<testsuites><testsuite name=\"s\" tests=\"-1\"><testcase name=\"t\"/></testsuite></testsuites>",    // negative count
            "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase/></testsuite></testsuites>",               // case without a name
            "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"t\" time=\"soon\"/></testsuite></testsuites>", // bad time
            "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"t\"><bug/></testcase></testsuite></testsuites>", // unknown element
            "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"t\">",                               // not well-formed
        ]
        for xml in broken { #expect(!Self.schema.validate(xml).isEmpty, "accepted: \(xml)") }
        // An external entity is neither expanded nor fetched.
        let xxe = "<!DOCTYPE testsuites [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><testsuites name=\"&x;\"/>"
        #expect(Self.schema.validate(xxe).allSatisfy { !$0.contains("root:") })
    }

    /// Control characters and markup in stored text never break the XML.
    @Test func hostileTextStaysValidXML() {
        let xml = "<testsuites name=\"\(Escape.xml(ReportsTestSupport.hostile))\"><testsuite name=\"\(Escape.xml("a\"b<c>&d'\u{1}\u{FFFF}\tz\n"))\" tests=\"0\"><system-out>\(Escape.xml("]]> <x/> \u{0}"))</system-out></testsuite></testsuites>"
        #expect(Self.schema.validate(xml).isEmpty, "\(Self.schema.validate(xml))")
    }
}
