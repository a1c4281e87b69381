import Foundation
import JSONText
import Taxonomy
import TerminalUI
import Testing

@Suite struct InertTextAndWrapTests {
    init() { Terminal.setUTF8Locale() }

    @Test func controlSequencesAreStripped() {
        let hostile = "a\u{1B}[31;1mred\u{1B}[0m b\u{1B}[2J\u{1B}[10;5H c\u{1B}]0;PWNED\u{07} d\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\ "
            + "e\u{1B}P1$qm\u{1B}\\ f\u{9B}31m g\u{9D}title\u{9C} h\u{1B}7\u{1B}(B i\u{07}\u{08}\u{7F}\u{0}j\u{202E}k\r\nl\tm"
        let clean = InertText.neutralize(hostile)
        #expect(clean == "ared b c dlink e f g h ijk\nl    m")
        #expect(!clean.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
        #expect(InertText.neutralize("中文 😀 ok") == "中文 😀 ok")
        #expect(InertText.neutralize("é中😀\u{1B}[1mx\u{85}y") == "é中😀xy")   // 1- to 4-byte UTF-8, then a strip
        // A control string left open (a truncated log) ends at its line, not with the body; an ESC followed by
        // text or a newline takes only itself.
        #expect(InertText.neutralize("log \u{1B}]0;half\nthe rest\u{9D}x\r\nmore") == "log \nthe rest\nmore")
        #expect(InertText.neutralize("a\u{1B}\nb\u{1B}中c\u{1B}(") == "a\nb中c")
        // The bidi marks reorder text as the overrides do; the Unicode line separators break lines.
        #expect(InertText.neutralize("x\u{200F}y\u{200E}z\u{061C}w\u{2028}v\u{2029}u") == "xyzw\nv\nu")
        #expect(InertText.line("a\u{2028}b") == "a b")
    }

    @Test func wrapMeasuresDoubleWidthAndNeverOverflows() {
        #expect(CellWidth.of("内存a😀") == 2 + 2 + 1 + 2)
        let text = String(repeating: "显存泄漏内存不断增长", count: 9) + " word " + String(repeating: "x", count: 30)
        for width in [7, 10, 33, 78] {
            let wrapped = WrappedText(text, width: width)
            #expect(wrapped.lines.allSatisfy { $0.cells <= width })
            #expect(wrapped.lines.map(\.text).joined().replacingOccurrences(of: " ", with: "")
                    == text.replacingOccurrences(of: " ", with: ""))
        }
        // An odd width: a double-width character that would straddle the edge moves to the next line.
        let odd = WrappedText("内内内", width: 5)
        #expect(odd.lines.map(\.cells) == [4, 2])
        let words = WrappedText("the quick brown fox", width: 10)
        #expect(words.lines.map(\.text) == ["the quick", "brown fox"])
        // A space right at the edge is the break (no empty line, no leading space); a double-width character
        // after the break that would still overrun moves on too.
        let edge = WrappedText("0123456789 abcdefghi中文", width: 10)
        #expect(edge.lines.map(\.text) == ["0123456789", "abcdefghi", "中文"])
        #expect(edge.lines.allSatisfy { $0.cells <= 10 })
        let leading = WrappedText(" abcdefghi中", width: 10)
        #expect(leading.lines.map(\.text) == [" abcdefghi", "中"])
    }

    /// The span wrap (one pass over measured widths, used by the labelling screen) gives exactly the lines
    /// of the straightforward wrap it replaced, kept here as the reference.
    @Test func spanWrapMatchesReferenceWrap() {
        struct Line: Equatable { var scalars: [Unicode.Scalar]; var cells: Int }
        func reference(_ text: String, width: Int) -> [Line] {
            var lines: [Line] = []
            for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
                var line: [Unicode.Scalar] = [], cells = 0, lastSpace = -1, cellsAtSpace = 0
                for raw in paragraph.unicodeScalars {
                    var s = raw, w = CellWidth.of(s)
                    if w < 0 { s = "\u{FFFD}"; w = 1 }
                    if w > 0, cells + w > width, !line.isEmpty {
                        if s == " " {
                            lines.append(.init(scalars: line, cells: cells)); line = []; cells = 0; lastSpace = -1
                            continue
                        }
                        if lastSpace > 0 {
                            lines.append(.init(scalars: Array(line[..<lastSpace]), cells: cellsAtSpace))
                            line = Array(line[(lastSpace + 1)...]); cells = cells - cellsAtSpace - 1
                        }
                        lastSpace = -1
                        if cells + w > width, !line.isEmpty {
                            lines.append(.init(scalars: line, cells: cells)); line = []; cells = 0
                        }
                    }
                    if s == " " { lastSpace = line.count; cellsAtSpace = cells }
                    line.append(s); cells += w
                }
                lines.append(.init(scalars: line, cells: cells))
            }
            if lines.last?.scalars.isEmpty == true, lines.count > 1 { lines.removeLast() }
            return lines
        }
        let pieces = ["word", " ", "  ", "\n", "\n\n", "内存", "😀", "e\u{301}", "\u{E000}", "x", "GPU out of memory",
                      String(repeating: "y", count: 23), "训练时显存不断增长"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 0...40, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            for width in [1, 2, 3, 5, 8, 13, 40, 78] {
                #expect(WrappedText(text, width: width).lines.map { Line(scalars: $0.scalars, cells: $0.cells) } == reference(text, width: width), "\(width): \(text.debugDescription)")
            }
        }
    }

    @Test func keywordCuesRespectWordBoundaries() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let taxonomy = try TaxonomyLoader.load(path: root.appendingPathComponent("Taxonomy/hp-taxonomy.yaml").path)
        let cues = KeywordCues(taxonomy: taxonomy)
        let line = Array("CUDA Out Of Memory; alarm on ARM; 显存泄漏".unicodeScalars)
        let found = cues.matches(in: line).map { String(String.UnicodeScalarView(line[$0.range])) }
        #expect(found.contains("CUDA Out Of Memory"))
        #expect(found.contains("ARM"))
        #expect(!found.contains("arm"))
        #expect(found.contains { $0.hasPrefix("显存") })
        #expect(cues.counts(in: "nothing relevant here").isEmpty)
    }

    /// The indexed cue scan finds exactly what trying every keyword at every position finds.
    @Test func cueScanMatchesReferenceScan() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let taxonomy = try TaxonomyLoader.load(path: root.appendingPathComponent("Taxonomy/hp-taxonomy.yaml").path)
        let cues = KeywordCues(taxonomy: taxonomy)
        func fold(_ v: UInt32) -> UInt32 { (0x41...0x5A).contains(v) ? v + 0x20 : v }
        func isWord(_ v: UInt32) -> Bool { (0x30...0x39).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F }
        var words: [(scalars: [UInt32], major: String, bounded: Bool)] = []
        var seen = Set<String>()
        for major in taxonomy.majors {
            for word in major.keywords + major.subtypes.flatMap(\.keywords) where seen.insert("\(major.id):\(word.lowercased())").inserted {
                words.append((word.unicodeScalars.map { fold($0.value) }, major.id, word.unicodeScalars.allSatisfy(\.isASCII)))
            }
        }
        let ordered = words.enumerated().sorted { ($0.element.scalars.count, -$0.offset) > ($1.element.scalars.count, -$1.offset) }.map(\.element)
        struct Hit: Equatable { var range: Range<Int>; var major: String }
        func reference(_ line: [Unicode.Scalar]) -> [Hit] {
            let v = line.map { fold($0.value) }
            var result: [Hit] = [], i = 0
            while i < v.count {
                let hit = ordered.first { w in
                    let end = i + w.scalars.count
                    guard end <= v.count, Array(v[i..<end]) == w.scalars else { return false }
                    return !w.bounded || ((i == 0 || !isWord(v[i - 1])) && (end == v.count || !isWord(v[end])))
                }
                if let hit { result.append(.init(range: i..<(i + hit.scalars.count), major: hit.major)); i += hit.scalars.count } else { i += 1 }
            }
            return result
        }
        let pieces = words.map { String(String.UnicodeScalarView($0.scalars.compactMap(Unicode.Scalar.init))) }
            + ["x", "_", "9", " ", ".", "A", "GPU", "Memory", "内", "pip安装", "显存", "😀", "-"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let line = Array((0..<Int.random(in: 0...30, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined().unicodeScalars)
            #expect(cues.matches(in: line).map { Hit(range: $0.range, major: $0.major) } == reference(line), "\(String(String.UnicodeScalarView(line)).debugDescription)")
        }
    }

    @Test func scriptKeysParse() throws {
        #expect(try Key.parseScript("b1<esc>\n<up>n hi<enter><lt>") ==
                [.char("b"), .char("1"), .escape, .up, .char("n"), .char(" "), .char("h"), .char("i"), .enter, .char("<")])
        #expect(throws: TerminalError.self) { try Key.parseScript("<nope>") }
    }
}
