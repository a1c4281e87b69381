import Foundation
@testable import Fuzz
import ModelIR
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
        let profile = try #require(executors[0].profile(m, inputs: inputs, arbiter: arbiter))
        #expect(Set(profile.keys) == Set(m.graph.nodes.filter { $0.op != .input }.map(\.name)), "\(profile.keys.sorted())")
        // The oracle flagged PyTorch (its figures are not this test's business): the profiles name a node.
        let slow = MutantFinding(framework: "pytorch", symptom: .slowdown, stage: .execute, scope: .some, op: "Dense", subtype: "E1", detail: "")
        let verdict = MutantOracles.Verdict(findings: [slow], illegal: false, illegalReason: nil, pairDistances: [:], referenceDistances: [:])
        #expect(CampaignEngine.confirmSlowdowns(m, inputs: inputs, arbiter: arbiter, verdict: verdict, executors: executors, outcomes: &outcomes))
        let node = try #require(outcomes[0].slowestNode)
        #expect(m.node(node) != nil)
        #expect(outcomes[1].slowestNode == nil)   // not flagged: left as it was
        // Profiled once: a second look does not profile again.
        #expect(!CampaignEngine.confirmSlowdowns(m, inputs: inputs, arbiter: arbiter, verdict: verdict, executors: executors, outcomes: &outcomes))
    }
}
