import Foundation
import Seeding
import ModelIR

/// Gives BatchNorm layers statistics that fit the activations they will see, as training would: one forward
/// pass on seeded calibration inputs, setting each BatchNorm's running mean and variance from its input's
/// per-channel statistics, perturbed by ±10% (from the seed) so they stay non-trivial. Without it, random
/// statistics compound through 50+ residual layers and every deep seed saturates its softmax, which blinds
/// the output-distance oracle.
public enum BatchNormCalibration {
    /// `inputs` holds several calibration draws: late layers of a small model have 2×2 maps, and statistics from
    /// four values per channel would let one near-constant channel explode on the next input.
    /// Refuses a graph whose calibration would not fit in memory: `draws` inputs (float32) and the float64
    /// values alive at once while every draw runs, as `calibrate` keeps them (each dropped after its last reader).
    public static func checkFits(_ graph: Graph, draws: Int) throws(ReferenceError) {
        var lastUse: [String: Int] = [:]
        for (i, node) in graph.nodes.enumerated() { for ref in node.inputs { lastUse[ref.node] = i } }
        var size: [String: Double] = [:]
        var live = 0.0, peak = 0.0, inputs = 0.0
        for (position, node) in graph.nodes.enumerated() {
            let elements = node.outputs.reduce(0.0) { $0 + Double($1.shape.reduce(1, *)) }
            if node.op == .input { inputs += elements }
            size[node.name] = elements
            live += elements
            // The kernel's own workspace, for one draw at a time (the draws run one after another).
            peak = max(peak, live + ReferenceInterpreter.workspaceElements(node, in: graph) / Double(max(draws, 1)))
            for ref in node.inputs where lastUse[ref.node] == position { live -= size[ref.node] ?? 0; size[ref.node] = 0 }
        }
        let bytes = peak * 8 * Double(draws) + inputs * 4 * Double(draws + 1)
        if bytes > ReferenceInterpreter.activationLimitBytes {
            throw ReferenceError(.tooLarge, node: graph.nodes.last?.name ?? "-",
                                 String(format: "calibrating the model on %d draws takes %.1f GiB (its inputs, and the float64 values alive at once), more than half of this machine's %.1f GiB of memory; use a smaller --input-size",
                                        draws, bytes / 1_073_741_824, Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824))
        }
    }

    public static func calibrate(_ graph: Graph, weights: WeightStore, inputs: [[String: Tensor]], seed: UInt64) throws(ReferenceError) -> WeightStore {
        var store = weights
        let checked = try ReferenceInterpreter(graph: graph, weights: weights)
        var interpreter = checked
        var values = [[String: [Float64Tensor]]](repeating: [:], count: inputs.count)
        // Values are dropped after their last reader: eight draws of a full-size model would not fit otherwise.
        var lastUse: [String: Int] = [:]
        for (i, node) in checked.graph.nodes.enumerated() { for ref in node.inputs { lastUse[ref.node] = i } }
        for (position, node) in checked.graph.nodes.enumerated() {
            let args = values.map { v in node.inputs.map { v[$0.node]![$0.output] } }
            if node.op == .batchNorm {
                let shape = args[0][0].shape
                let c = shape[1], inner = shape.dropFirst(2).reduce(1, *), n = shape[0]
                var sums = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
                for sample in args {
                    let x = sample[0].values
                    for ch in 0..<c { for b in 0..<n { for i in 0..<inner {
                        let v = x[(b * c + ch) * inner + i]
                        sums[ch] += v; squares[ch] += v * v
                    } } }
                }
                let count = Double(n * inner * args.count)
                let means = sums.map { $0 / count }
                var variances = zip(squares, means).map { Swift.max($0 / count - $1 * $1, 0) }
                // A floor relative to the layer's typical variance keeps a dead channel from being amplified.
                let floor = Swift.max(1e-3, 0.1 * variances.reduce(0, +) / Double(c))
                variances = variances.map { Swift.max($0, floor) }
                var rng = SplitMix64(seed: seed, stream: "calibrate." + node.name)
                var mean = [Float](repeating: 0, count: c), variance = [Float](repeating: 1, count: c)
                for ch in 0..<c {
                    mean[ch] = Float(means[ch] + 0.1 * variances[ch].squareRoot() * rng.uniform(-1, 1))
                    variance[ch] = Float(variances[ch] * rng.uniform(0.9, 1.1))
                }
                store[node.weightKey("running_mean")] = Tensor(shape: [c], values: mean)
                store[node.weightKey("running_var")] = Tensor(shape: [c], values: variance)
                interpreter = ReferenceInterpreter(validated: checked.graph, weights: store)
            }
            for (k, sample) in args.enumerated() {
                values[k][node.name] = try interpreter.evaluate(node, sample, inputs: inputs[k])
                for ref in node.inputs where lastUse[ref.node] == position { values[k][ref.node] = nil }
            }
        }
        return store
    }
}

/// A seed ready to execute: graph, calibrated weights and inputs, all from one seed.
public struct PreparedModel: Sendable {
    public var graph: Graph
    public var weights: WeightStore
    public var inputs: [String: Tensor]

    /// Weights from `WeightInitializer`, BatchNorm statistics calibrated on eight input draws from seeds
    /// seed + 1 … seed + 8, and
    /// the run's inputs drawn from the seed itself.
    public static func prepare(_ entry: ZooEntry, _ config: ZooConfig, seed: UInt64) throws -> PreparedModel {
        let graph = try entry.build(config)
        // Before any input is drawn: eight calibration draws of a seed at `--input-size 8192` grew past 13 GB.
        try BatchNormCalibration.checkFits(try graph.inferred(), draws: 8)
        let initial = WeightInitializer.initialize(graph, seed: seed)
        let weights = try BatchNormCalibration.calibrate(graph, weights: initial, inputs: (1...8).map { entry.inputs(for: graph, seed: seed &+ UInt64($0)) }, seed: seed)
        return PreparedModel(graph: graph, weights: weights, inputs: entry.inputs(for: graph, seed: seed))
    }
}
