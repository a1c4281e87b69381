import Foundation
import ModelIR

/// Summary of one tensor for `models run`: extremes, mean, standard deviation and non-finite counts.
public struct NodeStatistics: Codable, Sendable, Hashable {
    public var node: String
    public var op: String
    public var shape: [Int]
    public var min: Double
    public var max: Double
    public var mean: Double
    public var std: Double
    public var nanCount: Int
    public var infCount: Int

    public init(node: String, op: String, tensor: Float64Tensor) {
        self.node = node
        self.op = op
        shape = tensor.shape
        var lo = Double.infinity, hi = -Double.infinity, sum = 0.0, sq = 0.0, finite = 0, nans = 0, infs = 0
        for v in tensor.values {
            if v.isNaN { nans += 1; continue }
            if v.isInfinite { infs += 1; continue }
            finite += 1
            sum += v; sq += v * v
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        let m = finite > 0 ? sum / Double(finite) : 0
        min = finite > 0 ? lo : 0
        max = finite > 0 ? hi : 0
        mean = m
        std = finite > 0 ? Swift.max(0, sq / Double(finite) - m * m).squareRoot() : 0
        nanCount = nans
        infCount = infs
    }

    public static func collect(_ run: ReferenceRun, graph: Graph) -> [NodeStatistics] {
        graph.nodes.flatMap { node in
            run.values[node.name]!.enumerated().map { i, t in
                NodeStatistics(node: i == 0 ? node.name : "\(node.name):\(i)", op: node.op.rawValue, tensor: t)
            }
        }
    }
}
