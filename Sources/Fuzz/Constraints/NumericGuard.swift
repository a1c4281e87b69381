import Reference

/// The numeric guard: a mutant whose float64 reference values overflow to Inf or turn NaN cannot be judged
/// (any framework would be "right"), so it is rejected before the frameworks see it, unless an operator in its
/// lineage put special values in on purpose.
public struct NumericGuard: Sendable {
    /// Beyond float32's range: no f32 framework can be right.
    public var limit: Double = 3.0e38
    /// Beyond float16's largest finite value (65504): a node declared f16 overflows to Inf in every framework
    /// that computes it as declared, while the float64 reference stays finite — a NaN/Inf finding against every
    /// correct framework (a mixed-precision block around an Exp).
    public var halfLimit: Double = 65504

    public init() {}

    /// Why the mutant is rejected, or nil when it passes.
    public func reject(_ model: FuzzModel, arbiter: ArbiterRun) -> String? {
        guard let run = arbiter.run else { return nil }  // the oracles call a reference failure illegal
        if model.lineage.contains(where: { OperatorCatalog.named($0.op)?.injectsSpecialValues == true }) { return nil }
        let dtypes = Dictionary(model.graph.nodes.map { ($0.name, $0.outputs.map(\.dtype)) }, uniquingKeysWith: { a, _ in a })
        for name in run.order {
            for (i, t) in (run.values[name] ?? []).enumerated() {
                let limit = dtypes[name].flatMap { i < $0.count ? $0[i] : nil } == .f16 ? halfLimit : limit
                for v in t.values where !v.isFinite || Swift.abs(v) > limit {
                    return "reference value \(v) at node '\(name)' is outside the range any framework can match"
                }
            }
        }
        return intermediateOverflow(model, run)
    }

    /// Values a float32 framework computes inside a node without returning them: a mean's sum (two values of
    /// 2e38 average to 2e38, but their float32 sum is Inf) and a normalization's squares (LayerNorm of 2e19 is
    /// 0 in every framework, 1.18 in float64). Where those overflow float32, no framework can be right.
    func intermediateOverflow(_ model: FuzzModel, _ run: ReferenceRun) -> String? {
        for node in model.graph.nodes where [.reduceMean, .globalAvgPool, .avgPool2d, .layerNorm, .groupNorm].contains(node.op) {
            guard let source = node.inputs.first, let input = run.values[source.node].flatMap({ source.output < $0.count ? $0[source.output] : nil }),
                  node.outputs.first?.dtype == .f32 || node.outputs.first?.dtype == .f16 || node.outputs.first?.dtype == .bf16 else { continue }
            // Frameworks accumulate half-precision means and norms in float32 (ONNX's stash_type, PyTorch's CPU
            // kernels): the float32 range is what matters inside the op, also for an f16 node.
            let largest = input.values.reduce(0) { Swift.max($0, Swift.abs($1)) }
            switch node.op {
            case .reduceMean, .globalAvgPool, .avgPool2d:
                // The sum over one output's window: at most (elements in per element out) × the largest input.
                let outCount = Swift.max(node.outputs[0].shape.reduce(1, *), 1)
                var window = Double(Swift.max(input.values.count / outCount, 1))
                if node.op == .avgPool2d, case .ints(let k)? = node.attributes["kernel"] { window = Double(k.reduce(1, *)) }
                if largest * window > limit {
                    return "node '\(node.name)' sums values up to \(largest) over \(Int(window)) elements: beyond float32's range inside the op"
                }
            case .layerNorm, .groupNorm:
                if largest * largest > limit {
                    return "node '\(node.name)' squares values up to \(largest) for its variance: beyond float32's range inside the op"
                }
            default:
                continue
            }
        }
        return nil
    }
}
