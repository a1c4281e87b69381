import Seeding
import Testing
@testable import Agreement

@Suite struct StatisticsBehaviourTests {
    @Test func landisKochBoundaries() {
        #expect(LandisKochBand(-0.01) == .poor)
        #expect(LandisKochBand(0) == .slight)
        #expect(LandisKochBand(0.20) == .slight)
        #expect(LandisKochBand(0.21) == .fair)
        #expect(LandisKochBand(0.40) == .fair)
        #expect(LandisKochBand(0.41) == .moderate)
        #expect(LandisKochBand(0.61) == .substantial)
        #expect(LandisKochBand(0.804) == .almostPerfect)
        #expect(LandisKochBand(1) == .almostPerfect)
        #expect(LandisKochBand(.nan) == nil)
        // Boundaries reached exactly in fractions but not in floating point: (0.8 - 0.5) / (1 - 0.5).
        #expect((0.8 - 0.5) / (1 - 0.5) > 0.6)
        #expect(LandisKochBand((0.8 - 0.5) / (1 - 0.5)) == .moderate)
        #expect(LandisKochBand(0.2 + 1e-15) == .slight && LandisKochBand(0.6 + 1e-7) == .substantial)
        #expect(LandisKochBand.almostPerfect.rawValue == "almost perfect")
    }

    @Test func splitMix64KnownSequence() {
        // Reference outputs of SplitMix64 for seed 1234567 (Vigna's splitmix64.c).
        var rng = SplitMix64(seed: 1234567)
        #expect(rng.next() == 6457827717110365317)
        #expect(rng.next() == 3203168211198807973)
        #expect(rng.next() == 9817491932198370423)
    }

    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var rng = SplitMix64(seed: 7)
        var seen = [Int](repeating: 0, count: 7)
        for _ in 0..<7_000 {
            let v = rng.below(7)
            #expect((0..<7).contains(v))
            seen[v] += 1
        }
        #expect(seen.allSatisfy { $0 > 800 && $0 < 1_200 })
    }

    @Test func bootstrapIsSeededAndBracketsTheEstimate() throws {
        let table = try ReferenceValueTests.diagnosesMatrix().countTable()
        let a = try BootstrapInterval(fleissKappaOf: table, replicates: 1_000, seed: 42)
        let b = try BootstrapInterval(fleissKappaOf: table, replicates: 1_000, seed: 42)
        let c = try BootstrapInterval(fleissKappaOf: table, replicates: 1_000, seed: 43)
        #expect(a == b)
        #expect(a.lower != c.lower || a.upper != c.upper)
        let kappa = FleissKappa(table).kappa
        #expect(a.lower < kappa && kappa < a.upper)
        #expect(a.lower > 0.2 && a.upper < 0.7)
        #expect(a.undefinedReplicates == 0)
        #expect(throws: AgreementError.self) { try BootstrapInterval(fleissKappaOf: table, replicates: 0, seed: 1) }
    }

    @Test func quantileInterpolatesLikeNumpy() {
        let x: [Double] = [1, 2, 3, 4]
        #expect(Quantile.linear(sorted: x, 0.5) == 2.5)
        #expect(Quantile.linear(sorted: x, 0.025) == 1.075)
        #expect(Quantile.linear(sorted: x, 1) == 4)
        #expect(Quantile.linear(sorted: [], 0.5).isNaN)
    }

    @Test func perfectAndDegenerateAgreement() throws {
        let perfect = try RatingMatrix(rows: [[0, 0, 0], [1, 1, 1], [2, 2, 2]], categories: 3).countTable()
        #expect(FleissKappa(perfect).kappa == 1)
        #expect(ChanceCorrectedAgreement.krippendorffAlphaNominal(perfect) == 1)
        #expect(ChanceCorrectedAgreement.gwetAC1(perfect) == 1)
        // Everyone always says the same single category: chance agreement is 1, kappa undefined.
        let single = try RatingMatrix(rows: [[0, 0], [0, 0]], categories: 3).countTable()
        #expect(FleissKappa(single).kappa.isNaN)
        #expect(FleissKappa(single).band == nil)
    }

    /// With items rated once, κ_j takes its shares over the items rated twice or more, as its disagreement:
    /// a category seen only in single labels has none (it was "perfect", 1.0), a single label does not move
    /// the others, and on equally rated items it is Fleiss' κ_j of those items.
    @Test func perCategoryKappaIgnoresItemsRatedOnce() throws {
        let withSingle = try RatingMatrix(rows: [[0, 0, nil], [1, 2, nil], [nil, nil, 3]], categories: 4).countTable()
        let without = try RatingMatrix(rows: [[0, 0], [1, 2]], categories: 4).countTable()
        let a = FleissKappa(withSingle), b = FleissKappa(without)
        #expect(a.method == .generalized && a.perCategory[3].isNaN, "\(a.perCategory)")
        #expect(abs(a.perCategory[1] - (-1.0 / 3)) < 1e-12 && abs(a.perCategory[2] - (-1.0 / 3)) < 1e-12, "\(a.perCategory)")
        #expect(zip(a.perCategory, b.perCategory).allSatisfy { $0.isNaN ? $1.isNaN : abs($0 - $1) < 1e-12 })
        let core: [[Int?]] = [[0, 0, 1], [1, 1, 1], [2, 0, 2], [0, 2, 2]]
        let mixed = try RatingMatrix(rows: core + [[1, nil, nil], [nil, 3, nil]], categories: 4).countTable()
        let fleiss = FleissKappa(try RatingMatrix(rows: core, categories: 4).countTable())
        #expect(FleissKappa(mixed).method == .generalized && fleiss.method == .fleiss)
        #expect(zip(FleissKappa(mixed).perCategory, fleiss.perCategory).allSatisfy { $0.isNaN ? $1.isNaN : abs($0 - $1) < 1e-12 })
    }

    @Test func confusedPairsCountDisagreeingRaterPairs() throws {
        let table = try RatingMatrix(rows: [[0, 1, 1], [0, 1, 2], [2, 2, 2], [1, 0, nil]], categories: 3).countTable()
        let pairs = ConfusedPair.mostConfused(table, limit: 10)
        #expect(pairs == [
            ConfusedPair(a: 0, b: 1, count: 4, items: 3),
            ConfusedPair(a: 0, b: 2, count: 1, items: 1),
            ConfusedPair(a: 1, b: 2, count: 1, items: 1),
        ])
        #expect(ConfusedPair.mostConfused(table, limit: 1).count == 1)
    }

    @Test func cohenPairsFromMatrixUseSharedItemsOnly() throws {
        let m = try RatingMatrix(rows: [[0, 0, nil], [1, 1, 1], [0, 1, 0], [1, nil, 1]], categories: 2)
        let pairs = CohenKappa.pairs(m)
        #expect(pairs.map { [$0.raterA, $0.raterB] } == [[0, 1], [0, 2], [1, 2]])
        #expect(pairs[0].kappa.items == 3)
        #expect(pairs[1].kappa.items == 3 && pairs[1].kappa.kappa == 1)
        #expect(abs(pairs[0].kappa.kappa - (2.0 / 3 - 4.0 / 9) / (1 - 4.0 / 9)) < 1e-12)
    }

    @Test func invalidInputIsRejected() {
        #expect(throws: AgreementError.self) { try RatingMatrix(items: 2, raters: 2, categories: 2, codes: [0, 1, 2]) }
        #expect(throws: AgreementError.self) { try RatingMatrix(items: 1, raters: 2, categories: 2, codes: [0, 2]) }
        #expect(throws: AgreementError.self) { try CountTable(items: 1, categories: 2, counts: [1, -1]) }
        #expect(throws: AgreementError.self) { try CohenKappa(table: [[1, 2], [3]]) }
    }

    @Test func distributionCountsAndShares() {
        let d = LabelDistribution(codes: [0, 1, 1, -1, 2, 1], categories: 4)
        #expect(d.counts == [1, 3, 1, 0])
        #expect(d.total == 5)
        #expect(d.shares == [0.2, 0.6, 0.2, 0])
    }
}
