import Oracles
import Testing

@Suite struct LossCurveTests {
    @Test func aCurveDivergesWhenItsLastLossOutgrowsItsFirst() {
        #expect(LossCurve.diverges([1, 5, 10.5], factor: 10))
        #expect(!LossCurve.diverges([1, 5, 10], factor: 10))
        #expect(!LossCurve.diverges([2, 1, 0.5], factor: 10))
        #expect(LossCurve.diverges([0, 1e-6], factor: 10), "a zero first loss is floored, not a free pass")
        #expect(!LossCurve.diverges([], factor: 10))
    }

    @Test func theOddCurveOutIsFoundAtItsFirstDisagreeingStep() throws {
        let a = [1.0, 0.9, 0.8], b = [1.0, 0.9, 0.8], odd = [1.0, 0.9, 0.5]
        let peers = [a, b, odd]
        let d = try #require(LossCurve.firstDisagreement(odd, peers: peers, tolerance: 1e-3))
        #expect(d.step == 2 && d.loss == 0.5 && d.median == 0.8)
        #expect(Swift.abs(d.relative - 0.3 / 0.8) < 1e-12)
        #expect(LossCurve.firstDisagreement(a, peers: peers, tolerance: 1e-3) == nil)
        #expect(LossCurve.firstDisagreement(odd, peers: peers, tolerance: 0.5) == nil)
    }

    @Test func onlyPeersThatReachedAStepCount() {
        // Step 2 exists in one curve only: its own loss is the median, so no disagreement.
        #expect(LossCurve.firstDisagreement([1, 1, 9], peers: [[1, 1, 9], [1, 1], [1, 1]], tolerance: 1e-3) == nil)
    }
}
