extension OpSpec {
    static func batchNorm(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.rank(0, atLeast: 2)
        try ctx.floatInput(0)
        let eps = try ctx.float("epsilon", default: 1e-5)
        try ctx.require(eps > 0, .attributeRange, "epsilon \(eps) must be > 0")
        let c = ctx.inputs[0].shape[1]
        var weights: [WeightSpec] = []
        if try ctx.bool("scale", default: true) { weights.append(WeightSpec("weight", [c], .positiveUniform)) }
        if try ctx.bool("center", default: true) { weights.append(WeightSpec("bias", [c], .centeredUniform)) }
        weights.append(WeightSpec("running_mean", [c], .centeredUniform, trainable: false))
        weights.append(WeightSpec("running_var", [c], .positiveUniform, trainable: false))
        return Inference([ctx.inputs[0]], weights: weights)
    }

    static func layerNorm(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.floatInput(0)
        let eps = try ctx.float("epsilon", default: 1e-5)
        try ctx.require(eps > 0, .attributeRange, "epsilon \(eps) must be > 0")
        let n = try ctx.int("normalized_rank", default: 1)
        let x = ctx.inputs[0]
        try ctx.require(n >= 1 && n < x.rank, .attributeRange, "normalized_rank \(n) must be in 1..<\(x.rank)")
        let shape = Array(x.shape.suffix(n))
        var weights = [WeightSpec("weight", shape, .positiveUniform)]
        if try ctx.bool("bias", default: true) { weights.append(WeightSpec("bias", shape, .centeredUniform)) }
        return Inference([x], weights: weights)
    }

    static func groupNorm(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        // [N, C] is legal (torch.nn.GroupNorm, Keras GroupNormalization): each group normalizes its channels.
        try ctx.rank(0, atLeast: 2)
        try ctx.floatInput(0)
        let eps = try ctx.float("epsilon", default: 1e-5)
        try ctx.require(eps > 0, .attributeRange, "epsilon \(eps) must be > 0")
        let groups = try ctx.int("groups")
        let c = ctx.inputs[0].shape[1]
        try ctx.require(groups >= 1, .attributeRange, "groups \(groups) must be ≥ 1")
        try ctx.require(c % groups == 0, .groupsDivisibility, "channels \(c) are not divisible by groups \(groups)")
        return Inference([ctx.inputs[0]], weights: [WeightSpec("weight", [c], .positiveUniform), WeightSpec("bias", [c], .centeredUniform)])
    }

    static func dropout(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        let rate = try ctx.float("rate", default: 0.5)
        try ctx.require(rate >= 0 && rate < 1, .attributeRange, "rate \(rate) must be in [0, 1)")
        return Inference([ctx.inputs[0]])
    }

    static func prelu(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.rank(0, atLeast: 2)
        try ctx.floatInput(0)
        let c = ctx.inputs[0].shape[1]
        let n = try ctx.int("num_parameters", default: 1)
        try ctx.require(n == 1 || n == c, .channelMismatch, "num_parameters \(n) must be 1 or the channel count \(c)")
        return Inference([ctx.inputs[0]], weights: [WeightSpec("weight", [n], .prelu)])
    }
}
