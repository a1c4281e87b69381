import ModelIR
import Oracles
import Testing

/// The maths every command's oracles share: a wrong number here moves every finding.
@Suite struct DistanceTests {
    @Test func relativeDistanceIsMeanDifferenceOverMeanMagnitude() {
        // mean |Δ| = (0.1 + 0.3) / 2 = 0.2; mean |r| = (1 + 3) / 2 = 2.
        #expect(Swift.abs(Distance.relative([1.1, -2.7], [1, -3]) - 0.2 / (2 + 1e-7)) < 1e-12)
        #expect(Distance.relative([5, 5], [5, 5]) == 0)
        // Scale-free: the same relative error on outputs 1000× larger gives the same distance.
        #expect(Swift.abs(Distance.relative([1100, -2700], [1000, -3000]) - Distance.relative([1.1, -2.7], [1, -3])) < 1e-7, "only the 1e-7 guard against a zero reference tells them apart")
    }

    @Test func nonFinitePositionsAreLeftToTheNaNOracle() {
        #expect(Distance.relative([.nan, 2], [7, 2]) == 0)
        #expect(Distance.relative([.infinity, 1], [1, 0.5]) == 0.5 / (0.5 + 1e-7))
        #expect(Distance.relative([.nan], [1]) == 0, "nothing comparable is no distance")
        #expect(Distance.relative([], []) == 0)
    }

    @Test func meanAbsoluteDistanceIsTheStudysPairMeasure() {
        #expect(Distance.meanAbsolute([1, 2, 3], [1, 4, 0]) == 5.0 / 3)
        #expect(Distance.meanAbsolute([1, .nan], [3, 1]) == 2)
        #expect(Distance.meanAbsolute([.nan], [.nan]) == 0)
    }

    @Test func halfPrecisionAndIntegerLayersWidenTheTolerance() throws {
        func graph(_ dtype: DType) throws -> Graph {
            var b = GraphBuilder(name: "dtype")
            let x = try b.input([1, 4])
            b.output(try b.add(.cast, [x], ["to": .string(dtype.rawValue)]))
            return try b.graph.inferred()
        }
        #expect(DtypeTolerance.factor(try graph(.f32)) == 1)
        #expect(DtypeTolerance.factor(try graph(.f16)) == 50)
        #expect(DtypeTolerance.factor(try graph(.i64)) == 50)
        #expect(DtypeTolerance.factor(try graph(.bf16)) == 100)
        // Token ids are no integer layer: a text model is judged as an f32 one.
        var b = GraphBuilder(name: "tokens")
        let ids = try b.input([1, 4], dtype: .i64)
        b.output(try b.add(.cast, [ids], ["to": .string("f32")]))
        #expect(DtypeTolerance.factor(try b.graph.inferred()) == 1)
    }
}
