@testable import Fuzz
import ModelIR
import Testing

/// The campaign's NaN/Inf oracle, element by element against the float64 reference: where the reference
/// holds a NaN that arithmetic made, the framework that keeps it is right and the one that loses it is filed.
@Suite struct MutantOraclesNaNTests {
    @Test func losingTheReferencesNaNIsFiledAndKeepingItIsNot() throws {
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        var arbiter = ArbiterRun.run(model, inputs: model.inputs())
        var run = try #require(arbiter.run)
        let finite = run.outputs.map(\.values)
        run.outputs[0].values[0] = .nan
        arbiter.run = run
        var kept = finite
        kept[0][0] = .nan
        let outcomes = [ExecutionOutcome(framework: "keeps", status: .ok, outputs: kept, seconds: 0.01, memoryBytes: 1 << 20),
                        ExecutionOutcome(framework: "loses", status: .ok, outputs: finite, seconds: 0.01, memoryBytes: 1 << 20)]
        let verdict = try FuzzTestSupport.oracles().judge(model, arbiter: arbiter, outcomes: outcomes)
        #expect(verdict.findings.map(\.framework) == ["loses"], "\(verdict.findings)")
        #expect(verdict.findings.first?.symptom == .nanInf && verdict.findings.first?.subtype == "F2")
        #expect(verdict.findings.first?.detail.contains("not propagated") == true)
        // And NaN where the reference is finite is still filed, next to a NaN the reference has.
        var extra = kept
        extra[0][1] = .nan
        let second = try FuzzTestSupport.oracles().judge(model, arbiter: arbiter, outcomes: [
            ExecutionOutcome(framework: "keeps", status: .ok, outputs: kept, seconds: 0.01, memoryBytes: 1 << 20),
            ExecutionOutcome(framework: "adds", status: .ok, outputs: extra, seconds: 0.01, memoryBytes: 1 << 20)])
        #expect(second.findings.map(\.framework) == ["adds"], "\(second.findings)")
    }
}
