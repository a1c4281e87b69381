import Seeding
import Foundation
import Testing
@testable import Agreement

/// Random rating sets checked against statsmodels (Fleiss), krippendorff (nominal alpha) and irrCAC
/// (AC1 and its generalized Fleiss, every category passed), to |difference| < 1e-9.
@Suite struct CrossCheckTests {
    struct RatingSet {
        var matrix: RatingMatrix
        var rows: [[Int?]]
        /// 0: complete; 1: missing cells but the same number of ratings per item; 2: unequal counts.
        var design: Int
    }

    /// 24 sets: items 8–207, raters 2–8, categories 2–21, three missing-cell designs in turn.
    static func ratingSets() throws -> [RatingSet] {
        var rng = SplitMix64(seed: 20_240_611)
        var sets: [RatingSet] = []
        for s in 0..<24 {
            let items = 8 + rng.below(200)
            let raters = 2 + rng.below(7)
            let k = 2 + rng.below(20)
            let design = s % 3
            // Skewed category propensities, and raters who often copy a per-item "true" category,
            // so the data have real agreement and unused categories.
            let weights = (0..<k).map { _ in rng.unit() * rng.unit() + 0.01 }
            let totalWeight = weights.reduce(0, +)
            func draw() -> Int {
                var u = rng.unit() * totalWeight
                for (j, w) in weights.enumerated() { u -= w; if u < 0 { return j } }
                return k - 1
            }
            let fidelity = 0.3 + 0.6 * rng.unit()
            let perItem = design == 1 && raters > 2 ? 2 + rng.below(raters - 2) : raters
            var rows: [[Int?]] = []
            for _ in 0..<items {
                let truth = draw()
                var row: [Int?] = (0..<raters).map { _ in rng.unit() < fidelity ? truth : draw() }
                switch design {
                case 1:
                    // Keep a random subset of exactly `perItem` raters.
                    var order = Array(0..<raters)
                    for i in stride(from: raters - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
                    for r in order.dropFirst(perItem) { row[r] = nil }
                case 2:
                    for r in 0..<raters where rng.unit() < 0.3 { row[r] = nil }
                default:
                    break
                }
                rows.append(row)
            }
            sets.append(RatingSet(matrix: try RatingMatrix(rows: rows, categories: k), rows: rows, design: design))
        }
        return sets
    }

    @Test func agreesWithPythonReferences() throws {
        let sets = try Self.ratingSets()
        let input: [String: Any] = ["sets": sets.map { set -> [String: Any] in
            ["categories": set.matrix.categories,
             "ratings": set.rows.map { $0.map { $0.map { $0 as Any } ?? NSNull() } }]
        }]
        let output = try PythonReference.run(script: "agreement/crosscheck.py", input: input)
        let results = try #require((output as? [String: Any])?["results"] as? [[String: Any]])
        try #require(results.count == sets.count)
        var statsmodelsChecked = 0
        for (index, (set, reference)) in zip(sets, results).enumerated() {
            let table = set.matrix.countTable()
            let fleiss = FleissKappa(table)
            // The fast path from raw ratings must give the same figures as the count-table path.
            let direct = FleissKappa(set.matrix)
            #expect(direct.method == fleiss.method && direct.pairedItems == fleiss.pairedItems)
            #expect(abs(direct.kappa - fleiss.kappa) < 1e-12 && abs(direct.pBar - fleiss.pBar) < 1e-12)
            #expect(zip(direct.perCategory, fleiss.perCategory).allSatisfy { $0.isNaN ? $1.isNaN : abs($0 - $1) < 1e-12 })
            let context = "set \(index) (\(set.matrix.items) items × \(set.matrix.raters) raters × \(set.matrix.categories) categories, design \(set.design))"
            if let expected = reference["statsmodels_fleiss"] as? Double {
                #expect(fleiss.method == .fleiss, "\(context)")
                #expect(abs(fleiss.kappa - expected) < 1e-9, "Fleiss vs statsmodels, \(context): \(fleiss.kappa) vs \(expected)")
                statsmodelsChecked += 1
            } else {
                #expect(set.design == 2, "\(context): statsmodels had no value")
            }
            let irrFleiss = try #require(reference["irrcac_fleiss"] as? Double)
            #expect(abs(fleiss.kappa - irrFleiss) < 1e-9, "Fleiss vs irrCAC, \(context): \(fleiss.kappa) vs \(irrFleiss)")
            let alpha = try #require(reference["krippendorff_alpha"] as? Double)
            let myAlpha = ChanceCorrectedAgreement.krippendorffAlphaNominal(table)
            #expect(abs(myAlpha - alpha) < 1e-9, "alpha vs krippendorff, \(context): \(myAlpha) vs \(alpha)")
            let ac1 = try #require(reference["irrcac_ac1"] as? Double)
            let myAC1 = ChanceCorrectedAgreement.gwetAC1(table)
            #expect(abs(myAC1 - ac1) < 1e-9, "AC1 vs irrCAC, \(context): \(myAC1) vs \(ac1)")
        }
        // Complete sets and equal-count missing designs (two thirds of the sets) go through statsmodels.
        #expect(statsmodelsChecked >= 16)
        #expect(sets.contains { $0.design == 2 && FleissKappa($0.matrix.countTable()).method == .generalized })
    }
}
