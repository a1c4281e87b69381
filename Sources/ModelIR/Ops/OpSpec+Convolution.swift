extension OpSpec {
    /// Output length of a strided, dilated, padded window: ⌊(n + pads − d(k−1) − 1)/s⌋ + 1 (ceil with ceilMode,
    /// dropping a last window that would start inside the end padding, as PyTorch does).
    static func windowOutput(_ n: Int, kernel k: Int, stride s: Int, dilation d: Int, padBegin: Int, padEnd: Int, ceilMode: Bool = false) -> Int {
        let span = n + padBegin + padEnd - d * (k - 1) - 1
        if span < 0 { return 0 }
        var out = (ceilMode ? (span + s - 1) / s : span / s) + 1
        if ceilMode && (out - 1) * s >= n + padBegin { out -= 1 }
        return out
    }

    /// Checks and reads the window attributes shared by convolutions and pools: kernel, stride, dilation and
    /// per-side pads for `spatial` spatial axes; rejects a dilated kernel larger than the padded input.
    static func window(_ ctx: OpContext, spatial: Int, strideDefault: [Int]? = nil) throws(ValidityError)
        -> (kernel: [Int], stride: [Int], dilation: [Int], pads: [Int]) {
        let kernel = try ctx.ints("kernel", count: spatial)
        let stride = try ctx.ints("stride", count: spatial, default: strideDefault ?? Array(repeating: 1, count: spatial))
        let dilation = try ctx.ints("dilation", count: spatial, default: Array(repeating: 1, count: spatial))
        let pads = try ctx.ints("pads", count: 2 * spatial, default: Array(repeating: 0, count: 2 * spatial))
        try ctx.require(kernel.allSatisfy { $0 >= 1 }, .attributeRange, "kernel \(kernel) must be ≥ 1")
        try ctx.require(stride.allSatisfy { $0 >= 1 }, .attributeRange, "stride \(stride) must be ≥ 1")
        try ctx.require(dilation.allSatisfy { $0 >= 1 }, .attributeRange, "dilation \(dilation) must be ≥ 1")
        try ctx.require(pads.allSatisfy { $0 >= 0 }, .attributeRange, "pads \(pads) must be ≥ 0")
        let x = ctx.inputs[0].shape
        for i in 0..<spatial {
            let n = x[x.count - spatial + i]
            let padded = n + pads[i] + pads[i + spatial]
            let effective = dilation[i] * (kernel[i] - 1) + 1
            try ctx.require(effective <= padded, .kernelExceedsInput,
                            "kernel \(kernel) (dilation \(dilation)) spans \(effective) on axis \(2 + i), larger than the padded input \(padded)")
        }
        return (kernel, stride, dilation, pads)
    }

    static func conv(_ ctx: OpContext) throws(ValidityError) -> Inference {
        let spatial = ctx.node.op == .conv1d ? 1 : 2
        try ctx.arity(1)
        try ctx.rank(0, [spatial + 2])
        try ctx.floatInput(0)
        try ctx.positiveShape(0)
        let x = ctx.inputs[0]
        let outChannels = try ctx.int("out_channels")
        let groups = try ctx.int("groups", default: 1)
        let bias = try ctx.bool("bias", default: true)
        try ctx.require(outChannels >= 1, .attributeRange, "out_channels \(outChannels) must be ≥ 1")
        try ctx.require(groups >= 1, .attributeRange, "groups \(groups) must be ≥ 1")
        let c = x.shape[1]
        try ctx.require(c % groups == 0, .groupsDivisibility, "input channels \(c) are not divisible by groups \(groups)")
        try ctx.require(outChannels % groups == 0, .groupsDivisibility, "out_channels \(outChannels) are not divisible by groups \(groups)")
        let w = try window(ctx, spatial: spatial)
        var shape = [x.shape[0], outChannels]
        for i in 0..<spatial {
            shape.append(windowOutput(x.shape[2 + i], kernel: w.kernel[i], stride: w.stride[i], dilation: w.dilation[i],
                                      padBegin: w.pads[i], padEnd: w.pads[i + spatial]))
        }
        let k = try ctx.product(w.kernel, "kernel")
        let fanIn = try ctx.product([c / groups, k], "weight fan-in")
        let fanOut = try ctx.product([outChannels / groups, k], "weight fan-out")
        var weights = [WeightSpec("weight", [outChannels, c / groups] + w.kernel, .heNormal, fanIn: fanIn, fanOut: fanOut)]
        if bias { weights.append(WeightSpec("bias", [outChannels], .smallUniform)) }
        return Inference([TensorType(shape, x.dtype)], weights: weights)
    }

    static func separableConv(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.rank(0, [4])
        try ctx.floatInput(0)
        try ctx.positiveShape(0)
        let x = ctx.inputs[0]
        let outChannels = try ctx.int("out_channels")
        let multiplier = try ctx.int("depth_multiplier", default: 1)
        let bias = try ctx.bool("bias", default: true)
        try ctx.require(outChannels >= 1, .attributeRange, "out_channels \(outChannels) must be ≥ 1")
        try ctx.require(multiplier >= 1, .attributeRange, "depth_multiplier \(multiplier) must be ≥ 1")
        let w = try window(ctx, spatial: 2)
        let c = x.shape[1]
        let shape = [x.shape[0], outChannels,
                     windowOutput(x.shape[2], kernel: w.kernel[0], stride: w.stride[0], dilation: w.dilation[0], padBegin: w.pads[0], padEnd: w.pads[2]),
                     windowOutput(x.shape[3], kernel: w.kernel[1], stride: w.stride[1], dilation: w.dilation[1], padBegin: w.pads[1], padEnd: w.pads[3])]
        let k = try ctx.product(w.kernel, "kernel")
        _ = try ctx.product([c, multiplier, k], "depthwise weight")
        var weights = [
            WeightSpec("depthwise", [c * multiplier, 1] + w.kernel, .heNormal, fanIn: k, fanOut: multiplier * k),
            WeightSpec("pointwise", [outChannels, c * multiplier, 1, 1], .heNormal, fanIn: c * multiplier, fanOut: outChannels),
        ]
        if bias { weights.append(WeightSpec("bias", [outChannels], .smallUniform)) }
        return Inference([TensorType(shape, x.dtype)], weights: weights)
    }

    static func convTranspose(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.rank(0, [4])
        try ctx.floatInput(0)
        try ctx.positiveShape(0)
        let x = ctx.inputs[0]
        let outChannels = try ctx.int("out_channels")
        let groups = try ctx.int("groups", default: 1)
        let bias = try ctx.bool("bias", default: true)
        let kernel = try ctx.ints("kernel", count: 2)
        let stride = try ctx.ints("stride", count: 2, default: [1, 1])
        let dilation = try ctx.ints("dilation", count: 2, default: [1, 1])
        let pads = try ctx.ints("pads", count: 4, default: [0, 0, 0, 0])
        let outputPadding = try ctx.ints("output_padding", count: 2, default: [0, 0])
        try ctx.require(outChannels >= 1, .attributeRange, "out_channels \(outChannels) must be ≥ 1")
        try ctx.require(groups >= 1, .attributeRange, "groups \(groups) must be ≥ 1")
        try ctx.require(kernel.allSatisfy { $0 >= 1 } && stride.allSatisfy { $0 >= 1 } && dilation.allSatisfy { $0 >= 1 },
                        .attributeRange, "kernel, stride and dilation must be ≥ 1")
        try ctx.require(pads.allSatisfy { $0 >= 0 }, .attributeRange, "pads \(pads) must be ≥ 0")
        for i in 0..<2 {
            try ctx.require(outputPadding[i] >= 0 && (outputPadding[i] < stride[i] || outputPadding[i] < dilation[i]), .attributeRange,
                            "output_padding \(outputPadding) must be smaller than stride or dilation")
        }
        let c = x.shape[1]
        try ctx.require(c % groups == 0, .groupsDivisibility, "input channels \(c) are not divisible by groups \(groups)")
        try ctx.require(outChannels % groups == 0, .groupsDivisibility, "out_channels \(outChannels) are not divisible by groups \(groups)")
        var shape = [x.shape[0], outChannels]
        for i in 0..<2 {
            let n = (x.shape[2 + i] - 1) * stride[i] - pads[i] - pads[i + 2] + dilation[i] * (kernel[i] - 1) + outputPadding[i] + 1
            try ctx.require(n > 0, .emptyOutput, "output size \(n) on axis \(2 + i) is not positive (pads \(pads) crop everything)")
            shape.append(n)
        }
        let k = try ctx.product(kernel, "kernel")
        var weights = [WeightSpec("weight", [c, outChannels / groups] + kernel, .heNormal,
                                  fanIn: try ctx.product([c / groups, k], "weight fan-in"),
                                  fanOut: try ctx.product([outChannels / groups, k], "weight fan-out"))]
        if bias { weights.append(WeightSpec("bias", [outChannels], .smallUniform)) }
        return Inference([TensorType(shape, x.dtype)], weights: weights)
    }

    static func dense(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.rank(0, atLeast: 2)
        try ctx.floatInput(0)
        try ctx.positiveShape(0)
        let units = try ctx.int("units")
        try ctx.require(units >= 1, .attributeRange, "units \(units) must be ≥ 1")
        let bias = try ctx.bool("bias", default: true)
        let x = ctx.inputs[0]
        let k = x.shape[x.rank - 1]
        var weights = [WeightSpec("weight", [units, k], .glorotUniform, fanIn: k, fanOut: units)]
        if bias { weights.append(WeightSpec("bias", [units], .smallUniform)) }
        return Inference([TensorType(Array(x.shape.dropLast()) + [units], x.dtype)], weights: weights)
    }

    static func matMul(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(2)
        try ctx.rank(0, atLeast: 2)
        try ctx.rank(1, atLeast: 2)
        try ctx.floatInput(0)
        let a = ctx.inputs[0], b = ctx.inputs[1]
        try ctx.require(a.dtype == b.dtype, .dtype, "operand dtypes differ: \(a.dtype.rawValue) and \(b.dtype.rawValue)")
        let k1 = a.shape[a.rank - 1], k2 = b.shape[b.rank - 2]
        try ctx.require(k1 == k2, .channelMismatch, "inner dimensions differ: \(a) × \(b)")
        guard let batch = broadcastShapes(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2))) else {
            throw ctx.fail(.broadcast, "batch dimensions of \(a) and \(b) do not broadcast")
        }
        return Inference([TensorType(batch + [a.shape[a.rank - 2], b.shape[b.rank - 1]], a.dtype)])
    }
}
