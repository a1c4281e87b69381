import Foundation
import ModelIR
import Oracles
import Testing
import Workers

/// Training mode: a few SGD steps give the same loss curve in every framework that trains. ONNX Runtime
/// declares no training (plain ORT has no autograd): the harness reports that gap instead of sending it.
@Suite(.serialized) struct TrainingTests {
    @Test(arguments: ["lenet5", "lstm-regressor"])
    func lossCurvesAgree(_ name: String) throws {
        let subject = try Fixtures.prepared(name)
        var options = DiffOptions(frameworks: FrameworkKind.all)
        options.repeats = 1
        options.trainSteps = 4
        options.learningRate = 0.05
        let run = try DiffRunner(pool: Fixtures.pool, mapping: try Fixtures.mapping()).run(subject, options)
        let curves = run.training.filter { $0.value.status == .ok }.mapValues(\.losses)
        #expect(Set(curves.keys) == ["pytorch", "tensorflow", "jax", "mindspore"])
        #expect(run.training["onnxruntime"]?.status == .unsupported)
        #expect(run.report.gaps.contains { $0.hasPrefix("onnxruntime: training") })
        let torch = try #require(curves["pytorch"])
        #expect(torch.count == 4)
        #expect(torch.last! < torch.first!, "SGD should lower the loss: \(torch)")
        for (fw, losses) in curves {
            for (a, b) in zip(losses, torch) {
                #expect(Swift.abs(a - b) <= 1e-4 * Swift.max(1, Swift.abs(b)), "\(name) \(fw): \(losses) vs pytorch \(torch)")
            }
        }
        // Gradients of the first step agree too (same loss, same weights).
        let tg = try #require(run.training["pytorch"]?.gradients)
        for fw in ["tensorflow", "jax", "mindspore"] {
            let g = try #require(run.training[fw]?.gradients)
            for (key, t) in tg {
                let a = t.doubles, b = try #require(g[key]?.doubles, "\(fw) has no gradient for \(key)")
                let worst = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-4, "\(fw) gradient \(key) differs by \(worst)")
            }
        }
        #expect(run.report.findings.isEmpty, "\(run.report.findings.map(\.detail))")
    }

    /// Non-finite losses come back as numbers (Python writes them as NaN / Infinity, which standard JSON
    /// readers refuse; such a reply used to be undecodable, a crash at load instead of an E2 finding).
    @Test func nonFiniteLossesComeBackAsNumbers() throws {
        let subject = try Fixtures.prepared("lenet5")
        var request = ExecutionRequest(graph: subject.graph, weights: subject.weights, inputs: subject.inputs)
        let target = DiffRunner.target(DiffSubject(name: subject.name, graph: subject.graph, weights: subject.weights,
                                                   inputs: subject.inputs, seed: 1))
        var poisoned = target.values
        poisoned[0] = .nan
        request.training = .init(steps: 2, learningRate: 0.01, target: Tensor(shape: target.shape, values: poisoned))
        let t = try Fixtures.pool.worker("pytorch").execute(request)
        #expect(t.status == .ok, "\(t.status) \(t.message ?? "")")
        #expect(t.losses.count == 2 && t.losses.allSatisfy(\.isNaN), "losses \(t.losses)")
    }
}
