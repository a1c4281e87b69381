import Annotation
import Foundation
import GRDB
import Store
import Testing

@Suite struct SamplingAndDesignTests {
    @Test func sameSeedSameSampleOtherSeedOther() throws {
        var keys: [[String]] = []
        for seed: UInt64 in [7, 7, 8] {
            let f = try LabellingFixture()
            try f.seedIssues(frameworks: ["pytorch", "tensorflow", "mindspore"], count: 40, hpEvery: 2)
            let summary = try SampleDraw.draw(SampleRequest(name: "s", perFramework: 10, seed: seed), in: f.store)
            #expect(summary.strata.map(\.candidates) == [20, 20, 20])
            #expect(summary.strata.map(\.drawn) == [10, 10, 10])
            let listing = try SampleListing.load(name: "s", in: f.store)
            #expect(listing.entries.count == 30)
            // Only HP candidates (even issue numbers) are drawn.
            #expect(listing.entries.allSatisfy { Int($0.key.split(separator: "/").last!)! % 2 == 0 })
            keys.append(listing.entries.map(\.key))
        }
        #expect(keys[0] == keys[1])
        #expect(keys[0] != keys[2])
    }

    @Test func presetFilterAndBareItemsAndNoRedraw() throws {
        let f = try LabellingFixture()
        try f.seedIssues(frameworks: ["pytorch", "tensorflow"], count: 5)
        try f.seedBareItems(4)
        let s = try SampleDraw.draw(SampleRequest(name: "p", perFramework: 100, seed: 1, preset: "pytorch"), in: f.store)
        #expect(s.strata.map(\.framework) == ["pytorch", "unknown"])
        #expect(s.total == 9)
        // Items created for issues are reused, not duplicated, by a second sample.
        _ = try SampleDraw.draw(SampleRequest(name: "q", perFramework: 100, seed: 2), in: f.store)
        let items = try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM item")! }
        #expect(items == 14)
        #expect(throws: AnnotationError.self) { try SampleDraw.draw(SampleRequest(name: "p", perFramework: 1, seed: 1), in: f.store) }
    }

    /// Before `filter` records a repository's framework (a plain crawl, then `sample --all`), the strata come
    /// from the repositories' owner and name, as imported ratings' items do: not one "unknown" stratum.
    @Test func aCrawlNotYetFilteredIsStratifiedByItsRepositories() throws {
        let f = try LabellingFixture()
        try f.seedIssues(frameworks: ["pytorch", "tensorflow"], count: 3)
        try f.store.write { try $0.execute(sql: "UPDATE repository SET framework = NULL") }
        let s = try SampleDraw.draw(SampleRequest(name: "all", perFramework: 2, seed: 1, allIssues: true), in: f.store)
        #expect(s.strata.map(\.framework) == ["pytorch", "tensorflow"])
        #expect(s.total == 4)
    }

    /// A sample name with an escape sequence is refused (every listing printed it raw).
    @Test func aSampleNameWithControlCharactersIsRefused() throws {
        let f = try LabellingFixture()
        try f.seedIssues(frameworks: ["pytorch"], count: 2)
        let error = try #require(throws: AnnotationError.self) {
            try SampleDraw.draw(SampleRequest(name: "s\u{1B}[31mred", perFramework: 1, seed: 1, allIssues: true), in: f.store)
        }
        #expect(error.message.contains("no control characters") && !error.message.contains("\u{1B}"), "\(error.message)")
    }

    /// An empty body is no text, as a missing one is: it drew a blank pane on the label screen.
    @Test func anEmptyBodyIsSaidToBeMissing() throws {
        let f = try LabellingFixture()
        try f.seedIssues(frameworks: ["pytorch"], count: 2)
        _ = try SampleDraw.draw(SampleRequest(name: "b", perFramework: 2, seed: 1), in: f.store)
        try f.store.write { try $0.execute(sql: "UPDATE issue SET body = CASE number WHEN '1' THEN '' ELSE ' \n ' END") }
        let bodies = try f.store.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM item").map { try ItemDetail.fetch(itemID: $0, db).body } }
        #expect(bodies.count == 2 && bodies.allSatisfy { $0 == "(no text stored for this item: open the URL)" }, "\(bodies)")
    }

    /// A misspelt preset selected nothing: with imported items in the store it used to draw only those, quietly.
    @Test func anUnknownPresetIsRefused() throws {
        let f = try LabellingFixture()
        try f.seedIssues(frameworks: ["pytorch"], count: 3)
        try f.seedBareItems(2)
        let error = try #require(throws: AnnotationError.self) {
            try SampleDraw.draw(SampleRequest(name: "p", perFramework: 10, seed: 1, preset: "pytroch"), in: f.store)
        }
        #expect(error.message.contains("preset 'pytroch'") && error.message.contains("presets that selected issues here: pytorch"), "\(error.message)")
        #expect(try f.store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sample")! } == 0)
        // Knowing the shipped presets, a name that is none of them is unknown: running `filter` with it fails too.
        var request = SampleRequest(name: "p", perFramework: 10, seed: 1, preset: "pytroch")
        request.shippedPresets = ["mindspore", "onnx", "pytorch", "tensorflow"]
        let unknown = try #require(throws: AnnotationError.self) { try SampleDraw.draw(request, in: f.store) }
        #expect(unknown.message == "no preset 'pytroch' (known: mindspore, onnx, pytorch, tensorflow)", "\(unknown.message)")
    }

    /// core:N over a sample of fewer items would be the 'all' design under another name.
    @Test func aCoreLargerThanTheSampleIsRefused() throws {
        #expect(throws: AnnotationError.self) { try AssignmentDesign.core(30).deal(itemCount: 21, annotatorCount: 3) }
        #expect(try AssignmentDesign.core(21).deal(itemCount: 21, annotatorCount: 3).allSatisfy { $0.count == 3 })
    }

    @Test func designsDealBalancedLoads() throws {
        // Reference figures for 6 annotators × 3,000 items.
        let pairs = try AssignmentDesign.pairs.deal(itemCount: 3000, annotatorCount: 6)
        let triples = try AssignmentDesign.triples.deal(itemCount: 3000, annotatorCount: 6)
        let core = try AssignmentDesign.core(300).deal(itemCount: 3000, annotatorCount: 6)
        func load(_ d: [[Int]]) -> [Int] { (0..<6).map { a in d.filter { $0.contains(a) }.count } }
        func overlap(_ d: [[Int]], _ a: Int, _ b: Int) -> Int { d.filter { $0.contains(a) && $0.contains(b) }.count }
        #expect(load(pairs) == Array(repeating: 1000, count: 6))
        #expect(load(triples) == Array(repeating: 1500, count: 6))
        #expect(load(core) == Array(repeating: 750, count: 6))
        for a in 0..<6 { for b in (a + 1)..<6 {
            #expect(overlap(pairs, a, b) == 200)
            #expect(overlap(triples, a, b) == 600)   // λ = 2 blocks × 300 items
            #expect(overlap(core, a, b) == 300)
        } }
        #expect(triples.allSatisfy { $0.count == 3 })
        // Item counts that do not fill the last cycle of blocks still spread over every annotator (the first
        // annotator took every leftover: 35, 35, 33, 33, 32, 32 and 20, 20, 16 × 5), pair overlaps within one.
        func spread(_ d: [[Int]], _ m: Int) -> Int { let l = (0..<m).map { a in d.filter { $0.contains(a) }.count }; return l.max()! - l.min()! }
        let few = try AssignmentDesign.pairs.deal(itemCount: 100, annotatorCount: 6)
        #expect(spread(few, 6) <= 1)
        // Pairs come in round-robin rounds (everyone once per round), so every item count spreads evenly.
        for m in 2...8 { for n in 1...60 { #expect(spread(try AssignmentDesign.pairs.deal(itemCount: n, annotatorCount: m), m) <= 1, "pairs of \(m) over \(n)") } }
        #expect(Set(try AssignmentDesign.pairs.blocks(annotatorCount: 7).map { $0 }).count == 21)
        let overlaps = (0..<6).flatMap { a in ((a + 1)..<6).map { overlap(few, a, $0) } }
        #expect(overlaps.max()! - overlaps.min()! <= 1)
        #expect(spread(try AssignmentDesign.triples.deal(itemCount: 40, annotatorCount: 7), 7) <= 1)
        #expect(spread(try AssignmentDesign.triples.deal(itemCount: 3, annotatorCount: 6), 6) <= 1)
        #expect(spread(try AssignmentDesign.triples.deal(itemCount: 1005, annotatorCount: 6), 6) <= 1)
        #expect(throws: AnnotationError.self) { try AssignmentDesign.triples.deal(itemCount: 3, annotatorCount: 2) }
        #expect(AssignmentDesign(parsing: "core:300") == .core(300))
        #expect(AssignmentDesign(parsing: "quads") == nil)
    }

    /// Names a ratings file gives a meaning of its own cannot be annotators: an export would read back as
    /// adjudications (gold, final) or a column (framework).
    @Test func reservedNamesAreNoAnnotators() throws {
        let f = try LabellingFixture()
        for name in ["gold", "Final", "framework", "final_label"] {
            #expect(throws: AnnotationError.self) { try AnnotatorRegistry.add([name], in: f.store) }
        }
        #expect(try AnnotatorRegistry.add(["goldie"], in: f.store) == ["goldie"])
    }

    @Test func assignmentWritesQueuesInPerAnnotatorOrder() throws {
        let f = try LabellingFixture()
        try f.seedBareItems(60, framework: "pytorch")
        _ = try SampleDraw.draw(SampleRequest(name: "s", perFramework: 60, seed: 3), in: f.store)
        try AnnotatorRegistry.add(["a", "b", "c"], in: f.store)
        let report = try AssignmentPlanner.assign(sample: "s", annotators: ["a", "b", "c"], design: .pairs, seed: 9, in: f.store)
        #expect(report.load == [40, 40, 40])
        #expect(report.overlap[0][1] == 20 && report.overlap[0][2] == 20 && report.overlap[1][2] == 20)
        #expect(report.table().contains("pair overlap"))
        let orders = try f.store.read { db in
            try ["a", "b"].map { name in
                try Int64.fetchAll(db, sql: """
                    SELECT s.item_id FROM assignment s JOIN annotator n ON n.id = s.annotator_id
                    WHERE n.name = ? ORDER BY s.position
                    """, arguments: [name])
            }
        }
        let shared = Set(orders[0]).intersection(orders[1])
        #expect(shared.count == 20)
        #expect(orders[0].filter(shared.contains) != orders[1].filter(shared.contains))
        // Already assigned: refused unless --replace.
        #expect(throws: AnnotationError.self) {
            try AssignmentPlanner.assign(sample: "s", annotators: ["a"], design: .all, seed: 9, in: f.store)
        }
        let again = try AssignmentPlanner.assign(sample: "s", annotators: ["a", "b", "c"], design: .pairs, seed: 9, replace: true, in: f.store)
        #expect(again == report)
    }
}
