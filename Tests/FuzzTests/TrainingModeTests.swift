import Seeding
import Foundation
@testable import Fuzz
import Oracles
import ModelIR
import Taxonomy
import Testing
import Workers

/// The training-mode operator and the abnormal-loss oracle: the operator is a replayable, hash-distinct
/// mutation; the oracle files E2 for a non-finite or diverging curve (against a well-behaved one) and for a
/// curve that leaves the frameworks' median; and end to end, real workers (PyTorch, TensorFlow, JAX — one
/// framework per process) train the same mutant to the same losses while ONNX Runtime declares no training.
@Suite struct TrainingModeTests {
    func trainMutant(_ seed: String = "lenet5", steps: Int = 3, lr: Double = 0.01) throws -> FuzzModel {
        let model = try FuzzModel.seed(named: seed, seed: 1)
        let record = MutationRecord(op: "Train", targets: [model.graph.inputNodes[0].name], parameters: ["steps": .int(steps), "lr": .float(lr)], seed: 7)
        return try TrainingMode().apply(record, to: model)
    }

    @Test func operatorIsRegisteredReplayableAndHashDistinct() throws {
        #expect(OperatorCatalog.named("Train") != nil)
        #expect(try OperatorCatalog.parse("developer").contains { $0.name == "Train" })
        let model = try FuzzModel.seed(named: "lenet5", seed: 1)
        var rng = SplitMix64(seed: 3, stream: "t")
        let record = try #require(TrainingMode().propose(model, position: .any, rng: &rng))
        let a = try TrainingMode().apply(record, to: model), b = try TrainingMode().apply(record, to: model)
        #expect(a.trainingSteps == b.trainingSteps && a.trainingSteps >= 2)
        #expect(a.contentHash == b.contentHash && a.contentHash != model.contentHash)
        #expect(a.graph == model.graph)
        // Once per lineage.
        #expect(TrainingMode().targets(in: a).isEmpty)
    }

    func outcome(_ fw: String, _ losses: [Double], status: ExecutionOutcome.Status = .ok, model: FuzzModel, arbiter: ArbiterRun) -> ExecutionOutcome {
        var o = ExecutionOutcome(framework: fw, status: .ok, outputs: arbiter.run!.outputs.map(\.values), seconds: 0.01, memoryBytes: 1 << 20)
        o.trainingStatus = status
        o.losses = losses
        return o
    }

    @Test func abnormalLossOracle() throws {
        let m = try trainMutant()
        let arbiter = ArbiterRun.run(m, inputs: m.inputs())
        let oracles = try FuzzTestSupport.oracles()
        let good = [0.30, 0.29, 0.28]
        func e2(_ outcomes: [ExecutionOutcome]) -> [MutantFinding] {
            oracles.judge(m, arbiter: arbiter, outcomes: outcomes).findings.filter { $0.symptom == .abnormalLoss }
        }
        #expect(e2([outcome("a", good, model: m, arbiter: arbiter), outcome("b", good, model: m, arbiter: arbiter)]).isEmpty)
        let nan = e2([outcome("a", good, model: m, arbiter: arbiter), outcome("b", [0.30, .nan, .nan], model: m, arbiter: arbiter)])
        #expect(nan.map(\.framework) == ["b"] && nan.allSatisfy { $0.subtype == "E2" && $0.stage == .train })
        let diverging = e2([outcome("a", good, model: m, arbiter: arbiter), outcome("b", [0.30, 4.0, 90.0], model: m, arbiter: arbiter)])
        #expect(diverging.map(\.framework) == ["b"])
        let off = e2([outcome("a", good, model: m, arbiter: arbiter), outcome("b", good, model: m, arbiter: arbiter),
                      outcome("c", [0.30, 0.29, 0.2801 * 1.01], model: m, arbiter: arbiter)])
        #expect(off.map(\.framework) == ["c"])
        // All frameworks NaN: nothing well behaved to compare with, so no finding.
        #expect(e2([outcome("a", [.nan], model: m, arbiter: arbiter), outcome("b", [.nan], model: m, arbiter: arbiter)]).isEmpty)
        // A training crash where another framework trains: G2 at stage train.
        let crash = oracles.judge(m, arbiter: arbiter, outcomes: [outcome("a", good, model: m, arbiter: arbiter),
                                                                 outcome("b", [], status: .crash, model: m, arbiter: arbiter)]).findings
        #expect(crash.contains { $0.framework == "b" && $0.stage == .train && $0.subtype == "G2" })
    }

    /// A NaN in the float64 forward pass makes the MSE loss NaN by definition: the frameworks whose loss is NaN
    /// are right and get no E2 (the one that stayed finite lost the NaN, which the NaN/Inf oracle files).
    @Test func aNaNForwardPassMakesNoLossFinding() throws {
        let model = try trainMutant()
        let record = MutationRecord(op: "SpecialI", targets: ["conv2d_0"], parameters: ["value": .string("nan"), "channels": .int(1)], seed: 1)
        let m = try SpecialValueInsertion().apply(record, to: model)
        let arbiter = ArbiterRun.run(m, inputs: m.inputs())
        #expect(arbiter.run!.outputs[0].values.contains { $0.isNaN })
        let findings = try FuzzTestSupport.oracles().judge(m, arbiter: arbiter, outcomes: [
            outcome("a", [0.30, 0.29, 0.28], model: m, arbiter: arbiter), outcome("b", [.nan, .nan, .nan], model: m, arbiter: arbiter),
            outcome("c", [.nan, .nan, .nan], model: m, arbiter: arbiter)]).findings
        #expect(!findings.contains { $0.symptom == .abnormalLoss }, "\(findings.map(\.detail))")
        // A NaN cast to an integer and back (an undefined value, which frameworks may give as anything) alike:
        // the NaN losses were filed as E2 and the framework that gave a number stood as the healthy one.
        var undefined = model
        let conv = try #require(undefined.graph.nodes.first { $0.op == .conv2d })
        var taken = Set<String>()
        let zero = undefined.newNode(.sub, [ValueRef(conv.name), ValueRef(conv.name)], role: conv.role, taken: &taken)
        let div = undefined.newNode(.div, [ValueRef(zero.name), ValueRef(zero.name)], role: conv.role, taken: &taken)
        let toInt = undefined.newNode(.cast, [ValueRef(div.name)], ["to": .string("i32")], role: conv.role, taken: &taken)
        let back = undefined.newNode(.cast, [ValueRef(toInt.name)], ["to": .string("f32")], role: conv.role, taken: &taken)
        undefined.splice(after: ValueRef(conv.name), chain: [zero, div, toInt, back], result: ValueRef(back.name))
        try undefined.reinfer(seed: 1)
        let run = ArbiterRun.run(undefined, inputs: undefined.inputs())
        try #require(run.run?.outputs[0].values.contains { $0.isNaN } == true)
        try #require(ReferenceNaN(undefined.graph, run: run.run!) == .undefined)
        let castNaN = try FuzzTestSupport.oracles().judge(undefined, arbiter: run, outcomes: [
            outcome("a", [0.77, 0.73, 0.73], model: undefined, arbiter: run), outcome("b", [.nan, .nan, .nan], model: undefined, arbiter: run),
            outcome("c", [.nan, .nan, .nan], model: undefined, arbiter: run)]).findings
        #expect(!castNaN.contains { $0.symptom == .abnormalLoss }, "\(castNaN.map(\.detail))")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"] != nil, "needs the framework venv (DEFECTLAB_PYTHON)"))
    func realFrameworksTrainTheSameMutant() throws {
        let pool = WorkerPool(interpreter: ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"]!)
        defer { pool.shutdown() }
        let names = ["pytorch", "tensorflow", "jax", "onnxruntime"]
        _ = pool.start(names)
        let executors = names.map { WorkerExecutor(name: $0, pool: pool) }
        let m = try trainMutant(steps: 3, lr: 0.05)
        let inputs = m.inputs()
        let arbiter = ArbiterRun.run(m, inputs: inputs)
        let outcomes = executors.map { $0.execute(m, inputs: inputs, arbiter: arbiter) }
        let byName = Dictionary(uniqueKeysWithValues: outcomes.map { ($0.framework, $0) })
        #expect(byName["onnxruntime"]?.trainingStatus == .unsupported)
        let torch = try #require(byName["pytorch"]?.losses)
        #expect(torch.count == 3 && torch.last! < torch.first!, "\(torch)")
        for fw in ["tensorflow", "jax"] {
            let l = try #require(byName[fw]?.losses)
            #expect(l.count == 3)
            for (a, b) in zip(l, torch) { #expect(Swift.abs(a - b) <= 1e-4 * Swift.max(1, Swift.abs(b)), "\(fw) \(l) vs pytorch \(torch)") }
        }
        // Timing findings are not this test's business (a cold framework's first run is slow).
        let verdict = try FuzzTestSupport.oracles().judge(m, arbiter: arbiter, outcomes: outcomes)
        #expect(verdict.findings.filter { !$0.isPerformance }.isEmpty, "\(verdict.findings.map(\.detail))")
        // A framework whose loss blows up is caught as E2 (planted on PyTorch's real curve).
        var broken = outcomes
        let i = try #require(broken.firstIndex { $0.framework == "pytorch" })
        broken[i].losses = torch.enumerated().map { $0.offset == 2 ? .infinity : $0.element }
        let e2 = try FuzzTestSupport.oracles().judge(m, arbiter: arbiter, outcomes: broken).findings
        #expect(e2.contains { $0.framework == "pytorch" && $0.subtype == "E2" })

        // A short campaign of the training operator on the workers: legal mutants, no findings.
        let config = FuzzTestSupport.config(ops: [TrainingMode(), ParameterMutation()], frameworks: ["pytorch", "jax"], budget: 4)
        let summary = try CampaignEngine(config: config, operators: [TrainingMode(), ParameterMutation()],
                                         executors: [executors[0], executors[2]], oracles: try FuzzTestSupport.oracles(), store: nil).run()
        #expect(summary.perOperator["Train"] != nil, "\(summary.perOperator)")
        #expect(!summary.uniqueFindings.contains { $0.symptom == .abnormalLoss }, "\(summary.uniqueFindings.map(\.detail))")
    }
}
