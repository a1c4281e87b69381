import Foundation
@testable import Fuzz
import ModelIR
import Oracles
import Taxonomy
import Testing
import Workers

/// A worker framework's slowdown in a campaign is localized by profiles: the flagged framework and the other
/// worker frameworks time each node of the mutant once more (real workers: the eager walk for PyTorch,
/// ONNX Runtime's profiler), and the finding moves from the last edit's op to the profiled node.
@Suite struct SlowdownLocalizationTests {
    @Test func aWorkerSlowdownIsLocalizedByProfiles() throws {
        let python = try #require(ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"], "needs the framework venv (DEFECTLAB_PYTHON)")
        let pool = WorkerPool(interpreter: python)
        defer { pool.shutdown() }
        let executors = ["pytorch", "onnxruntime"].map { WorkerExecutor(name: $0, pool: pool) }
        let m = try FuzzModel.seed(named: "lenet5", seed: 1)
        let inputs = m.inputs()
        let arbiter = ArbiterRun.run(m, inputs: inputs)
        var outcomes = executors.map { $0.execute(m, inputs: inputs, arbiter: arbiter) }
        #expect(outcomes.allSatisfy { $0.status == .ok && $0.slowestNode == nil })
        let profile = try #require(executors[0].profile(m, inputs: inputs))
        #expect(Set(profile.keys) == Set(m.graph.nodes.filter { $0.op != .input }.map(\.name)), "\(profile.keys.sorted())")
        // The oracle flagged PyTorch (its figures are not this test's business): the profiles name a node.
        let slow = MutantFinding(framework: "pytorch", symptom: .slowdown, stage: .execute, scope: .some, op: "Dense", subtype: "E1", detail: "")
        let verdict = MutantOracles.Verdict(findings: [slow], illegal: false, illegalReason: nil, pairDistances: [:], referenceDistances: [:])
        #expect(CampaignEngine.confirmSlowdowns(m, inputs: inputs, arbiter: arbiter, verdict: verdict, executors: executors, outcomes: &outcomes))
        let node = try #require(outcomes[0].slowestNode)
        #expect(m.node(node) != nil)
        #expect(outcomes[1].slowestNode == nil)   // not flagged: left as it was
        // The flagged framework was timed once more and kept its faster time; a second look times it again
        // (never slower) and keeps the node it was localized to.
        let before = outcomes[0].seconds
        _ = CampaignEngine.confirmSlowdowns(m, inputs: inputs, arbiter: arbiter, verdict: verdict, executors: executors, outcomes: &outcomes)
        #expect(outcomes[0].seconds <= before && outcomes[0].slowestNode == node)
    }

    /// With the seed, the slow framework's node times are compared with its own on the seed: the node that grew
    /// is named, whatever the peers spend their time on. The test-only fault worker (PyTorch underneath) sleeps
    /// after `dense_1` of the model named `slowed`; the seed (lenet5) runs at its own speed there.
    @Test func withTheSeedTheNodeThatGrewIsNamed() throws {
        let python = try #require(ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"], "needs the framework venv (DEFECTLAB_PYTHON)")
        let faultWorker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WorkersTests/Resources/fault_worker.py").path
        let pool = WorkerPool(interpreter: python), faulty = WorkerPool(interpreter: python)
        defer { pool.shutdown(); faulty.shutdown() }
        _ = faulty.add(WorkerSpec(name: "pytorch", interpreter: python, script: faultWorker,
                                  arguments: [try WorkerScripts.directory().path, "pytorch", "slowed=slowop:dense_1:0.02"]))
        let executors = [WorkerExecutor(name: "faulty", framework: "pytorch", pool: faulty), WorkerExecutor(name: "onnxruntime", pool: pool)]
        let seed = try FuzzModel.seed(named: "lenet5", seed: 1)
        var m = seed
        m.graph.name = "slowed"
        let inputs = m.inputs()
        let arbiter = ArbiterRun.run(m, inputs: inputs)
        var outcomes = executors.map { $0.execute(m, inputs: inputs, arbiter: arbiter) }
        #expect(outcomes.allSatisfy { $0.status == .ok })
        let slow = MutantFinding(framework: "faulty", symptom: .slowdown, stage: .execute, scope: .some, op: "model", subtype: "E1", detail: "")
        let verdict = MutantOracles.Verdict(findings: [slow], illegal: false, illegalReason: nil, pairDistances: [:], referenceDistances: [:])
        #expect(CampaignEngine.confirmSlowdowns(m, inputs: inputs, arbiter: arbiter, verdict: verdict, executors: executors, outcomes: &outcomes, seed: seed))
        #expect(outcomes[0].slowestNode == "dense_1")
    }

    /// With the seed's costs, an in-process executor beside the workers is judged by its own growth (a planted
    /// slow op in `faulty` next to real frameworks was never judged), and a framework whose seed run gave no
    /// figures is not judged at all (its raw time against the others' filed torch.compile's constant cost).
    @Test func growthFromTheSeedJudgesEveryFrameworkThatHasOne() throws {
        let m = try FuzzModel.seed(named: "lenet5", seed: 1)
        let arbiter = ArbiterRun.run(m, inputs: m.inputs())
        func outcome(_ fw: String, _ seconds: Double, inProcess: Bool = false) -> ExecutionOutcome {
            var o = ExecutionOutcome(framework: fw, status: .ok, outputs: arbiter.run!.outputs.map(\.values), seconds: seconds, memoryBytes: 1 << 20)
            o.inProcess = inProcess
            return o
        }
        let outcomes = [outcome("pytorch", 0.010), outcome("onnxruntime", 0.002), outcome("faulty", 0.500, inProcess: true),
                        outcome("pytorch-compile", 0.900)]
        let baseline = ["pytorch": PerformanceBaseline(seconds: 0.010, memoryBytes: 1 << 20),
                        "onnxruntime": PerformanceBaseline(seconds: 0.002, memoryBytes: 1 << 20),
                        "faulty": PerformanceBaseline(seconds: 0.005, memoryBytes: 1 << 20)]
        var thresholds = OracleThresholds()
        thresholds.slowdownFloorMs = 1
        let verdict = MutantOracles(mapping: try FuzzTestSupport.mapping(), thresholds: thresholds).judge(m, arbiter: arbiter, outcomes: outcomes, baseline: baseline)
        let slow = verdict.findings.filter { $0.symptom == .slowdown }
        #expect(slow.map(\.framework) == ["faulty"], "\(verdict.findings.map { "\($0.framework) \($0.symptom) \($0.detail)" })")
    }
}
