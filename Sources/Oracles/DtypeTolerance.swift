import ModelIR

/// How much more leniently a model is judged because of the narrowest type its layers compute in: half
/// precision (and integer layers, whose float round-trips truncate) cannot match a float64 reference to f32
/// accuracy, and without the factor every mixed-precision mutant would be an inconsistency.
public enum DtypeTolerance {
    /// 100 with a bf16 layer (8-bit mantissa), 50 with f16, i32 or i64 layers, else 1. Inputs are no layers:
    /// token ids arrive as exact integers and truncate nothing, so a text model is judged as an f32 one.
    public static func factor(_ graph: Graph) -> Double {
        let types = Set(graph.nodes.filter { $0.op != .input }.flatMap { $0.outputs.map(\.dtype) })
        if types.contains(.bf16) { return 100 }
        if types.contains(.f16) || types.contains(.i32) || types.contains(.i64) { return 50 }
        return 1
    }
}
