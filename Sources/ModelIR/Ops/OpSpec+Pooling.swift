extension OpSpec {
    static func pool(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.rank(0, [4])
        try ctx.floatInput(0)
        try ctx.positiveShape(0)
        let kernel = try ctx.ints("kernel", count: 2)
        if ctx.node.op == .avgPool2d {
            try ctx.require(!ctx.has("dilation"), .attributeRange, "AvgPool2d has no dilation")
            _ = try ctx.bool("count_include_pad", default: true)
        }
        let w = try window(ctx, spatial: 2, strideDefault: kernel)
        let ceilMode = try ctx.bool("ceil_mode", default: false)
        for i in 0..<2 {
            // PyTorch's rule, and what keeps every window overlapping real input.
            try ctx.require(w.pads[i] <= w.kernel[i] / 2 && w.pads[i + 2] <= w.kernel[i] / 2, .padExceedsKernel,
                            "pads \(w.pads) exceed half the kernel \(w.kernel)")
        }
        let x = ctx.inputs[0].shape
        var shape = [x[0], x[1]]
        for i in 0..<2 {
            let n = windowOutput(x[2 + i], kernel: w.kernel[i], stride: w.stride[i], dilation: w.dilation[i],
                                 padBegin: w.pads[i], padEnd: w.pads[i + 2], ceilMode: ceilMode)
            try ctx.require(n > 0, .emptyOutput, "output size on axis \(2 + i) is \(n)")
            shape.append(n)
        }
        return Inference([TensorType(shape, ctx.inputs[0].dtype)])
    }

    static func globalPool(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.rank(0, atLeast: 3)
        try ctx.floatInput(0)
        try ctx.positiveShape(0)
        let x = ctx.inputs[0]
        let keep = try ctx.bool("keepdims", default: false)
        let shape = keep ? [x.shape[0], x.shape[1]] + Array(repeating: 1, count: x.rank - 2) : [x.shape[0], x.shape[1]]
        return Inference([TensorType(shape, x.dtype)])
    }

    static func reduce(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.floatInput(0)
        let x = ctx.inputs[0]
        var axes: [Int] = []
        for a in try ctx.ints("axes") { axes.append(try ctx.axis(a, rank: x.rank, key: "axes")) }
        try ctx.require(!axes.isEmpty && Set(axes).count == axes.count, .attributeRange, "axes must be non-empty and distinct")
        let keep = try ctx.bool("keepdims", default: false)
        var shape: [Int] = []
        for (i, d) in x.shape.enumerated() {
            if axes.contains(i) { if keep { shape.append(1) } } else { shape.append(d) }
        }
        try ctx.require(!shape.isEmpty, .emptyOutput, "reducing every axis without keepdims leaves a scalar; keep the batch axis")
        return Inference([TensorType(shape, x.dtype)])
    }
}
