import Testing
@testable import Agreement

/// The published values in ../shared/reference/agreement.md, reproduced from the raw data.
@Suite struct ReferenceValueTests {
    /// Fleiss (1971): 30 patients, 6 psychiatrists, 5 diagnoses (statsmodels' copy of the raw ratings, 1-based).
    static let diagnoses: [[Int]] = [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]

    static func diagnosesMatrix() throws -> RatingMatrix {
        try RatingMatrix(rows: diagnoses.map { $0.map { $0 - 1 } }, categories: 5)
    }

    @Test func fleiss1971() throws {
        let result = FleissKappa(try Self.diagnosesMatrix().countTable())
        #expect(result.method == .fleiss)
        #expect(abs(result.kappa - 0.4302445) < 5e-8)
        #expect(abs(result.pBar - 0.5555556) < 5e-8)
        #expect(abs(result.peBar - 0.2199383) < 5e-8)
        #expect(abs(result.se0 - 0.0243739) < 5e-8)
        #expect(abs(result.z - 17.6518306) < 5e-7)
        #expect(result.p < 1e-60)
        let published = [0.2448, 0.2448, 0.5200, 0.4711, 0.5661]
        for (mine, theirs) in zip(result.perCategory, published) { #expect(abs(mine - theirs) < 5e-5) }
        #expect(result.band == .moderate)
        #expect(result.ratedItems == 30 && result.pairedItems == 30 && result.minRaters == 6)
    }

    @Test func randolph1971() throws {
        let table = try Self.diagnosesMatrix().countTable()
        #expect(abs(ChanceCorrectedAgreement.randolph(table, schemeSize: 5) - 0.4444444) < 5e-8)
    }

    @Test func cohenTable() throws {
        let result = try CohenKappa(table: [[0, 4, 1], [0, 8, 0], [0, 1, 5]])
        #expect(abs(result.kappa - 0.4842) < 5e-5)
        #expect(abs(result.se - 0.1380) < 5e-5)
        #expect(abs(result.se0 - 0.1484) < 5e-5)
        #expect(abs(result.z - 3.2626) < 5e-5)
        #expect(result.items == 19)
    }

    /// A count table and a rating matrix describe the same data; building one from the other must agree.
    @Test func countTableFromMatrix() throws {
        let table = try Self.diagnosesMatrix().countTable()
        #expect(table.ratingsPerItem().allSatisfy { $0 == 6 })
        #expect(table.categoryTotals().reduce(0, +) == 180)
        #expect(Array(table.counts[0..<5]) == [0, 0, 0, 6, 0])
        #expect(Array(table.counts[5..<10]) == [0, 3, 0, 0, 3])
    }

    @Test func generalizedEqualsFleissWhenCountsAreEqual() throws {
        // Dropping the same number of raters from every item keeps the classic form; an empty item is ignored.
        var rows = Self.diagnoses.map { $0.map { Optional($0 - 1) } }
        rows.append([nil, nil, nil, nil, nil, nil])
        let withEmpty = FleissKappa(try RatingMatrix(rows: rows, categories: 5).countTable())
        let plain = FleissKappa(try Self.diagnosesMatrix().countTable())
        #expect(withEmpty.method == .fleiss)
        #expect(abs(withEmpty.kappa - plain.kappa) < 1e-12)
        // One item rated once switches to the generalized form, whose P̄ ignores that item.
        rows[30] = [0, nil, nil, nil, nil, nil]
        let general = FleissKappa(try RatingMatrix(rows: rows, categories: 5).countTable())
        #expect(general.method == .generalized)
        #expect(general.se0.isNaN && general.z.isNaN && general.p.isNaN)
        #expect(abs(general.pBar - plain.pBar) < 1e-12)
        #expect(general.ratedItems == 31 && general.pairedItems == 30)
    }
}
