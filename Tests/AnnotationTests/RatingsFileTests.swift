import Foundation
import Testing
import Taxonomy
@testable import Annotation

/// A small seeded generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RatingsFileTests {
    let taxonomy: HPTaxonomy
    init() throws { taxonomy = try RatingsTestSupport.taxonomy() }

    @Test func csvCodecHandlesBOMCRLFQuotesAndEmbeddedBreaks() throws {
        let text = "\u{FEFF}a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\r\n\r\n\"two\nlines\",2,3\n4,5,6"
        let records = try RatingsCSVCodec.parse(text, file: "f.csv")
        #expect(records == [
            .init(line: 1, fields: ["a", "b", "c"]),
            .init(line: 2, fields: ["x, y", "say \"hi\"", ""]),
            .init(line: 4, fields: ["two\nlines", "2", "3"]),
            .init(line: 6, fields: ["4", "5", "6"]),
        ])
        #expect(RatingsCSVCodec.line(["x, y", "say \"hi\"", "", "plain"]) == "\"x, y\",\"say \"\"hi\"\"\",,plain")
        #expect(throws: RatingsError.self) { try RatingsCSVCodec.parse("a,\"open\n", file: "f.csv") }
        #expect(throws: RatingsError.self) { try RatingsCSVCodec.parse("a,b\"c\n", file: "f.csv") }
    }

    /// JSON true is an NSNumber too: it used to become item "1". A subtype given at the major level used to be cut
    /// to its major type without a word.
    @Test func aBooleanItemAndASubtypeAsMajorAreRefused() throws {
        let bool = #expect(throws: RatingsError.self) {
            try RatingsFile.parse(text: #"{"item":true,"rater":"a","label":"A1"}"# + "\n", path: "r.jsonl", format: nil, taxonomy: taxonomy)
        }
        #expect(bool?.description.contains("field 'item' must be a string") == true)
        let number = try RatingsFile.parse(text: #"{"item":17,"rater":"a","label":"A1"}"# + "\n", path: "r.jsonl", format: nil, taxonomy: taxonomy)
        #expect(number.ratings.map(\.item) == ["17"])
        let major = #expect(throws: RatingsError.self) {
            try RatingsFile.parse(text: "item,rater,label,level\nI-1,a,A1,major\n", path: "l.csv", format: nil, taxonomy: taxonomy)
        }
        #expect(major?.description.contains("'A1' is a subtype, not a major type") == true)
        let plain = try RatingsFile.parse(text: "item,rater,label,level\nI-1,a,a,major\n", path: "l.csv", format: nil, taxonomy: taxonomy)
        #expect(plain.ratings.map(\.label) == ["A"])
    }

    /// A NUL ended the text where it was stored: two items `k\0a` and `k\0b` became one (a rating silently
    /// replaced), and a note lost everything after it.
    @Test func aNulInAnItemIsRefusedAndInANoteKept() throws {
        let items = #expect(throws: RatingsError.self) {
            try RatingsFile.parse(text: #"{"item":"k\u0000a","rater":"bob","label":"B1"}"# + "\n", path: "r.jsonl", format: nil, taxonomy: taxonomy)
        }
        #expect(items?.description.contains("holds a NUL character") == true, "\(items?.description ?? "")")
        #expect(throws: RatingsError.self) { try RatingsFile.parse(text: "item,bob\nk\u{0}a,B1\n", path: "w.csv", format: nil, taxonomy: taxonomy) }
        let noted = try RatingsFile.parse(text: #"{"item":"k","rater":"bob","label":"B1","note":"before\u0000after"}"# + "\n", path: "r.jsonl", format: nil, taxonomy: taxonomy)
        #expect(noted.ratings.first?.provenance.note == "before\u{FFFD}after")
    }

    /// Times are read by hand (the formatter took 38 µs each, a Regex and a Calendar more): to the same instant as
    /// `ISO8601DateFormatter`, and impossible dates and times refused as before.
    @Test func timesReadAsTheFormatterReadsThem() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let whole = ISO8601DateFormatter()
        var generator = SplitMix(seed: 7)
        for _ in 0..<2000 {
            let seconds = Double(generator.next() % 4_000_000_000) - 500_000_000
            let text = whole.string(from: Date(timeIntervalSince1970: seconds))
            #expect(Timestamp.date(text) == whole.date(from: text), "\(text)")
            let withMillis = String(text.dropLast()) + String(format: ".%03dZ", Int(generator.next() % 1000))
            #expect(Timestamp.date(withMillis) == formatter.date(from: withMillis), "\(withMillis)")
        }
        #expect(Timestamp.date("2024-02-29T23:59:59.5+08:00") == formatter.date(from: "2024-02-29T23:59:59.5+08:00"))
        // Ordered exactly, past what a Date holds: a rating 1 ns older replaced the newer label.
        let early = try #require(Timestamp.instant("2024-01-01T12:00:00.000000001Z")), late = try #require(Timestamp.instant("2024-01-01T12:00:00.000000002Z"))
        #expect(early < late && !(late < early))
        #expect(Timestamp.instant("2024-01-01T12:00:00.5Z") == Timestamp.instant("2024-01-01T20:00:00.500+08:00"))
        #expect(RatingsImporter.isOlder("2024-01-01T12:00:00.000000001Z", than: "2024-01-01T12:00:00.000000002Z"))
        for bad in ["2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z",
                    "20245-01-01T00:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+19:00", "2024-1-01T00:00:00Z", ""] {
            #expect(Timestamp.date(bad) == nil, "\(bad)")
        }
    }

    /// A file that is not UTF-8 names the line of the first byte that is not (it said only "not UTF-8 text"),
    /// and a UTF-16 file says so.
    @Test func aFileThatIsNotUTF8NamesTheLine() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let latin = folder.appendingPathComponent("latin.csv")
        try Data(Array("item,r1,r2\ni1,B1,B2\ni2,B1,B1\ncaf".utf8) + [0xE9] + Array(",B1,B1\n".utf8)).write(to: latin)
        let error = #expect(throws: RatingsError.self) { try RatingsFile.read(path: latin.path, format: nil, taxonomy: taxonomy) }
        #expect(error?.line == 4 && error?.description.contains("latin.csv:4: not UTF-8 text") == true, "\(error?.description ?? "")")
        let utf16 = folder.appendingPathComponent("u16.csv")
        try Data([0xFF, 0xFE] + Array("item".utf16.flatMap { [UInt8($0), 0] })).write(to: utf16)
        let wide = #expect(throws: RatingsError.self) { try RatingsFile.read(path: utf16.path, format: nil, taxonomy: taxonomy) }
        #expect(wide?.description.contains("UTF-16") == true, "\(wide?.description ?? "")")
        // Without its mark UTF-16 is valid UTF-8 (columns named `i\0t\0e\0m\0`): said as what it is.
        let bare = folder.appendingPathComponent("bare16.csv")
        try Data(Array("item,r1,r2\ni1,B1,B2\n".utf16.flatMap { [UInt8($0), 0] })).write(to: bare)
        let unmarked = #expect(throws: RatingsError.self) { try RatingsFile.read(path: bare.path, format: nil, taxonomy: taxonomy) }
        #expect(unmarked?.description.contains("UTF-16") == true, "\(unmarked?.description ?? "")")
        let utf32 = folder.appendingPathComponent("u32.csv")
        try Data([0xFF, 0xFE, 0, 0] + Array("item".unicodeScalars.flatMap { [UInt8($0.value), 0, 0, 0] })).write(to: utf32)
        let wider = #expect(throws: RatingsError.self) { try RatingsFile.read(path: utf32.path, format: nil, taxonomy: taxonomy) }
        #expect(wider?.description.contains("UTF-32") == true, "\(wider?.description ?? "")")
    }

    /// The same issue written two ways is one item in the store, so two ratings of it by one rater are a
    /// duplicate (the second used to replace the first silently), in one file and across the files of one import.
    @Test func oneIssueWrittenTwoWaysIsOneItemForDuplicates() throws {
        let a = "https://github.com/pytorch/pytorch/issues/7", b = "https://www.github.com/PyTorch/PyTorch/issues/7/"
        // Leading zeros in a GitHub issue number name the same issue (GitHub reads /issues/007 as #7).
        #expect(RatedItemReference("https://github.com/pytorch/pytorch/issues/007").key == a)
        #expect(RatedItemReference("https://gitee.com/mindspore/mindspore/issues/I0AB").key.hasSuffix("/I0AB"))
        #expect(throws: RatingsError.self) {
            try RatingsFile.parse(text: "item,rater,label\n\(a),alice,B1\n\(a.replacingOccurrences(of: "/7", with: "/07")),alice,C2\n", path: "l.csv", format: nil, taxonomy: taxonomy)
        }
        #expect(throws: RatingsError.self) {
            try RatingsFile.parse(text: "item,rater,label\n\(a),alice,B1\n\(b),alice,C2\n", path: "l.csv", format: nil, taxonomy: taxonomy)
        }
        #expect(throws: RatingsError.self) {
            try RatingsFile.parse(text: "item,alice,bob\n\(a),B1,B1\n\(b),C2,C2\n", path: "w.csv", format: nil, taxonomy: taxonomy)
        }
        let first = try RatingsFile.parse(text: "item,rater,label\n\(a),alice,B1\n", path: "one.csv", format: nil, taxonomy: taxonomy)
        let second = try RatingsFile.parse(text: "item,rater,label\n\(b),alice,C2\n\(b),bob,C2\n", path: "two.csv", format: nil, taxonomy: taxonomy)
        let error = #expect(throws: RatingsError.self) { try RatingsImporter.checkAcrossFiles([first, second]) }
        #expect(error?.description.contains("one.csv") == true, "\(String(describing: error))")
        // Different raters, or the same file read once, are no duplicate.
        try RatingsImporter.checkAcrossFiles([first])
        let other = try RatingsFile.parse(text: "item,rater,label\n\(b),bob,C2\n", path: "three.csv", format: nil, taxonomy: taxonomy)
        try RatingsImporter.checkAcrossFiles([first, other])
    }

    /// A rater's name becomes an annotator's: one the command line could not address (a comma, an escape
    /// sequence) is refused, and messages quoting a file's cells never send a control character to the terminal.
    @Test func raterNamesAreAnnotatorNamesAndMessagesAreInert() throws {
        let wide = #expect(throws: RatingsError.self) {
            try RatingsFile.parse(text: "item,\"\u{1B}]0;pwned\u{7}x\"\nI-1,B1\n", path: "w.csv", format: .wide, taxonomy: taxonomy)
        }
        #expect(wide?.description.unicodeScalars.contains { $0.value < 0x20 } == false, "\(String(describing: wide))")
        #expect(throws: RatingsError.self) {
            try RatingsFile.parse(text: "item,rater,label\nI-1,\"a,b\",B1\n", path: "l.csv", format: .long, taxonomy: taxonomy)
        }
        let label = #expect(throws: RatingsError.self) {
            try RatingsFile.parse(text: "item,a\nI-1,\"\u{1B}[2J\"\n", path: "w.csv", format: .wide, taxonomy: taxonomy)
        }
        #expect(label?.description.contains("\\u{1B}") == true && label?.description.contains("\u{1B}") == false, "\(String(describing: label))")
    }

    /// `annotator` is a long file's rater column too (such a file was read as wide: "unknown label 'alice'").
    @Test func aLongFileMayNameItsRaterColumnAnnotator() throws {
        let file = try RatingsFile.parse(text: "item,annotator,label\nI-1,alice,B1\n", path: "l.csv", format: nil, taxonomy: taxonomy)
        #expect(file.format == .long && file.ratings.map(\.rater) == ["alice"])
    }

    @Test func wideFileWithFinalColumnAndEmptyCells() throws {
        let file = try RatingsFile.parse(text: "item,ann1,ann2,Gold\nI-1,b1,,B1\nI-2,G2,G4,\n", path: "w.csv",
                                         format: nil, taxonomy: taxonomy)
        #expect(file.format == .wide)
        #expect(file.ratings.map { [$0.item, $0.rater, $0.label] } == [
            ["I-1", "ann1", "B1"], ["I-1", "Gold", "B1"], ["I-2", "ann1", "G2"], ["I-2", "ann2", "G4"],
        ])
        #expect(file.ratings.filter(\.isFinal).map(\.line) == [2])
        let custom = try RatingsFile.parse(text: "item,a,b,settled\nI-1,A1,A2,A1\n", path: "w.csv", format: .wide,
                                           finalColumn: "settled", taxonomy: taxonomy)
        #expect(custom.ratings.filter(\.isFinal).map(\.label) == ["A1"])
    }

    @Test func longAndJSONLFilesWithLevelsAndTimes() throws {
        let long = try RatingsFile.parse(
            text: "item,rater,label,level,time\nI-1,a,B1,subtype,2024-05-01T12:00:00Z\nI-1,a,b,major,\nI-1,final,B2,,\n",
            path: "l.csv", format: nil, taxonomy: taxonomy)
        #expect(long.format == .long)
        #expect(long.ratings.map { "\($0.label)/\($0.level.rawValue)/\($0.isFinal)" } == ["B1/subtype/false", "B/major/false", "B2/subtype/true"])
        #expect(long.ratings[0].time == "2024-05-01T12:00:00Z")
        let jsonl = try RatingsFile.parse(
            text: "{\"item\":\"I-1\",\"rater\":\"a\",\"label\":\"C1\"}\r\n\r\n{\"item\":\"I-1\",\"rater\":\"b\",\"label\":\"c2\",\"framework\":\"ONNX\"}\r\n",
            path: "r.jsonl", format: nil, taxonomy: taxonomy)
        #expect(jsonl.ratings.map(\.label) == ["C1", "C2"])
        #expect(jsonl.ratings[1].framework == "onnx" && jsonl.ratings[1].line == 3)
    }

    @Test(arguments: [
        ("item,a,b\nI-1,B1,Z9\n", "w.csv", "w.csv:2: unknown label 'Z9'"),
        ("item,a,b\nI-1,B1\n", "w.csv", "w.csv:2: ragged row: 2 fields, the header has 3"),
        ("item,a,a\nI-1,B1,B1\n", "w.csv", "w.csv:1: duplicate rater column 'a'"),
        ("item,a\nI-1,B1\nI-2,B1\nI-1,B2\n", "w.csv", "w.csv:4: item 'I-1' already given on line 2"),
        ("item,rater,label\nI-1,a,B1\nI-1,a,B2\n", "l.csv", "l.csv:3: a second subtype rating of 'I-1' by 'a' (first on line 2)"),
        ("item,rater,label,time\nI-1,a,B1,yesterday\n", "l.csv", "l.csv:2: time 'yesterday' is not an ISO 8601 date and time"),
        ("item,rater,label,time\nI-1,a,B1,2024-02-30T00:00:00Z\n", "l.csv", "l.csv:2: time '2024-02-30T00:00:00Z' is not an ISO 8601"),
        ("item,rater,label,time\nI-1,a,B1,99999-01-01T00:00:00Z\n", "l.csv", "l.csv:2: time '99999-01-01T00:00:00Z' is not an ISO 8601"),
        ("item,rater,label,time\nI-1,a,B1,2999-01-01T00:00:00Z\n", "l.csv", "l.csv:2: time '2999-01-01T00:00:00Z' is in the future"),
        ("item,a\nhttps://github.com/pytorch/pytorch/issues/-5,B1\n", "w.csv", "w.csv:2: item '-5' is not a GitHub issue number"),
        ("item,rater,label\nhttps://github.com/pytorch/pytorch/issues/abc,a,B1\n", "l.csv", "l.csv:2: item 'abc' is not a GitHub issue number"),
        ("item,a\nI-1,\(String(repeating: "X", count: 100_000))\n", "w.csv", "w.csv:2: unknown label '\(String(repeating: "X", count: 80))… (100000 bytes)'"),
        ("{\"item\":\"I-1\",\"rater\":\"a\",\"label\":\"B1\",\"label\":\"G2\"}\n", "r.jsonl", "r.jsonl:1: field 'label' is given twice"),
        ("{\"item\":\"I-1\",\"rater\":\"a\",\"lab\n", "r.jsonl", "r.jsonl:1: not valid JSON ("),
        ("[1]\n", "r.jsonl", "r.jsonl:1: not a JSON object"),
        ("item,a,framework\nI-1,B1,tf\u{1B}]0;T\u{07}\n", "w.csv", "w.csv:2: framework 'tf\\u{1B}]0;t\\u{07}' must be letters, digits"),
        ("item,rater,label,framework\nI-1,a,B1,py torch\n", "l.csv", "l.csv:2: framework 'py torch' must be letters, digits"),
        ("item,rater,label,level\nI-1,a,B1,minor\n", "l.csv", "l.csv:2: unknown level 'minor'"),
        ("{\"item\":\"I-1\",\"rater\":\"a\",\"label\":\"B1\"}\nnot json\n", "r.jsonl", "r.jsonl:2: not valid JSON"),
        ("item,rater,label,level\nI-1,a,B,major\nI-2,a,Q,major\n", "l.csv", "l.csv:3: unknown label 'Q'"),
    ])
    func rejectionsNameFileAndLine(text: String, path: String, expected: String) throws {
        let error = try #require(throws: RatingsError.self) {
            try RatingsFile.parse(text: text, path: path, format: nil, taxonomy: taxonomy)
        }
        #expect(error.description.hasPrefix(expected), "got: \(error.description)")
        #expect(!error.description.contains("\n"))
    }

    @Test func itemReferencesNormalizeURLsAndTellFrameworks() {
        let torch = RatedItemReference(" http://www.github.com/pytorch/pytorch/issues/123/?x=1#top ")
        #expect(torch.key == "https://github.com/pytorch/pytorch/issues/123")
        #expect(torch.frameworkFromURL == "pytorch" && torch.number == "123" && torch.tracker == "github")
        #expect(RatedItemReference("https://gitee.com/mindspore/mindspore/issues/I65G7B").frameworkFromURL == "mindspore")
        #expect(RatedItemReference("https://github.com/onnx/onnx/issues/9").frameworkFromURL == "onnx")
        #expect(RatedItemReference("https://github.com/tensorflow/tensorflow/issues/9").frameworkFromURL == "tensorflow")
        let bare = RatedItemReference("TF-0042")
        #expect(bare.key == "TF-0042" && bare.frameworkFromURL == nil && bare.tracker == nil)
    }
}
