import ModelIR

/// How much more leniently a model is judged because of the narrowest type its layers compute in: half
/// precision (and integer layers, whose float round-trips truncate) cannot match a float64 reference to f32
/// accuracy, and without the factor every mixed-precision mutant would be an inconsistency.
public enum DtypeTolerance {
    /// 100 with a bf16 layer (8-bit mantissa), 50 with f16, i32 or i64 layers, else 1. Inputs are no layers:
    /// token ids arrive as exact integers and truncate nothing, so a text model is judged as an f32 one.
    public static func factor(_ graph: Graph) -> Double {
        graph.nodes.filter { $0.op != .input }.flatMap(\.outputs).reduce(1) { Swift.max($0, factor(of: $1.dtype)) }
    }

    /// One layer's factor by the type it computes in.
    static func factor(of dtype: DType) -> Double {
        switch dtype {
        case .bf16: 100
        case .f16, .i32, .i64: 50
        case .f32, .f64, .bool: 1
        }
    }

    /// The factor each node is judged with: that of the narrowest layer at or before it. A node upstream of a
    /// mixed-precision block computes in f32 and is judged as such (localization with the whole model's factor
    /// passed over a 5% deviation in front of a bf16 block).
    public static func factors(_ graph: Graph) -> [String: Double] {
        var result: [String: Double] = [:]
        for node in graph.nodes {
            let own: Double = node.op == .input ? 1 : node.outputs.reduce(1) { Swift.max($0, factor(of: $1.dtype)) }
            result[node.name] = node.inputs.reduce(own) { Swift.max($0, result[$1.node] ?? 1) }
        }
        return result
    }
}
