extension OpSpec {
    static func unary(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.floatInput(0)
        switch ctx.node.op {
        case .leakyRelu:
            let a = try ctx.float("alpha", default: 0.01)
            try ctx.require(a >= 0 && a.isFinite, .attributeRange, "alpha \(a) must be finite and ≥ 0")
        case .elu:
            let a = try ctx.float("alpha", default: 1)
            try ctx.require(a.isFinite, .attributeRange, "alpha must be finite")
        case .hardSigmoid:
            let a = try ctx.float("alpha", default: 1.0 / 6.0), b = try ctx.float("beta", default: 0.5)
            try ctx.require(a.isFinite && b.isFinite && a > 0, .attributeRange, "alpha must be > 0, alpha and beta finite")
        case .gelu:
            _ = try ctx.string("approximate", default: "none", allowed: ["none", "tanh"])
        case .clip:
            let lo = try ctx.float("min"), hi = try ctx.float("max")
            try ctx.require(lo <= hi, .attributeRange, "min \(lo) must be ≤ max \(hi)")
        default:
            break
        }
        return Inference([ctx.inputs[0]])
    }

    static func binary(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(2)
        try ctx.floatInput(0)
        let a = ctx.inputs[0], b = ctx.inputs[1]
        try ctx.require(a.dtype == b.dtype, .dtype, "operand dtypes differ: \(a.dtype.rawValue) and \(b.dtype.rawValue)")
        guard let shape = broadcastShapes(a.shape, b.shape) else {
            throw ctx.fail(.broadcast, "shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        return Inference([TensorType(shape, a.dtype)])
    }

    static func softmax(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.floatInput(0)
        _ = try ctx.axis(try ctx.int("axis", default: -1), rank: ctx.inputs[0].rank)
        return Inference([ctx.inputs[0]])
    }

    static func recurrent(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.rank(0, [3])
        try ctx.floatInput(0)
        try ctx.positiveShape(0)
        let x = ctx.inputs[0]
        let hidden = try ctx.int("hidden")
        try ctx.require(hidden >= 1, .attributeRange, "hidden \(hidden) must be ≥ 1")
        let sequences = try ctx.bool("return_sequences", default: true)
        let gates = ctx.node.op == .lstm ? 4 : 3
        let i = x.shape[2]
        let weights = [
            WeightSpec("weight_ih", [gates * hidden, i], .recurrentUniform, fanIn: hidden),
            WeightSpec("weight_hh", [gates * hidden, hidden], .recurrentUniform, fanIn: hidden),
            WeightSpec("bias_ih", [gates * hidden], .recurrentUniform, fanIn: hidden),
            WeightSpec("bias_hh", [gates * hidden], .recurrentUniform, fanIn: hidden),
        ]
        let shape = sequences ? [x.shape[0], x.shape[1], hidden] : [x.shape[0], hidden]
        return Inference([TensorType(shape, x.dtype)], weights: weights)
    }
}
