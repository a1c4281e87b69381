import Foundation
import ModelIR

/// The result of `models run --reference`: the outputs' statistics, every node's statistics, and wall time.
public struct ReferenceReport: Codable, Sendable {
    public var model: String
    public var seed: UInt64
    public var seconds: Double
    public var outputs: [NodeStatistics]
    public var nodes: [NodeStatistics]

    /// Builds weights and inputs from the seed, runs the interpreter and summarizes.
    public static func run(graph: Graph, weights: WeightStore, inputs: [String: Tensor], seed: UInt64) throws -> ReferenceReport {
        let interpreter = try ReferenceInterpreter(graph: graph, weights: weights)
        let start = Date()
        let result = try interpreter.run(inputs: inputs)
        let seconds = Date().timeIntervalSince(start)
        let outputs = zip(graph.outputs, result.outputs).map { ref, t in
            NodeStatistics(node: ref.description, op: graph.node(named: ref.node)?.op.rawValue ?? "", tensor: t)
        }
        return ReferenceReport(model: graph.name, seed: seed, seconds: seconds, outputs: outputs,
                               nodes: NodeStatistics.collect(result, graph: interpreter.graph))
    }

    public var text: String {
        func row(_ s: NodeStatistics) -> String {
            let shape = s.shape.map(String.init).joined(separator: "x")
            return "\(s.node.padding(toLength: 28, withPad: " ", startingAt: 0)) \(s.op.padding(toLength: 16, withPad: " ", startingAt: 0)) "
                + "\(shape.padding(toLength: 16, withPad: " ", startingAt: 0)) min \(fmt(s.min)) max \(fmt(s.max)) mean \(fmt(s.mean)) std \(fmt(s.std))"
                + (s.nanCount + s.infCount > 0 ? " nan \(s.nanCount) inf \(s.infCount)" : "")
        }
        var lines = ["model \(model), seed \(seed), reference run \(String(format: "%.3f", seconds)) s", "outputs:"]
        lines += outputs.map { "  " + row($0) }
        lines.append("nodes:")
        lines += nodes.map { "  " + row($0) }
        return lines.joined(separator: "\n")
    }

    private func fmt(_ v: Double) -> String { String(format: "%.6g", v) }
}
