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
        return nil
    }
}
