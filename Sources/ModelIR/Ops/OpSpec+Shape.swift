extension OpSpec {
    /// NumPy broadcasting of two shapes, or nil.
    public static func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int]? {
        let n = Swift.max(a.count, b.count)
        var out = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let x = i < n - a.count ? 1 : a[i - (n - a.count)]
            let y = i < n - b.count ? 1 : b[i - (n - b.count)]
            if x == y || y == 1 { out[i] = x } else if x == 1 { out[i] = y } else { return nil }
        }
        return out
    }

    static func flatten(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        let x = ctx.inputs[0]
        let axis = try ctx.int("axis", default: 1)
        try ctx.require(axis >= 0 && axis <= x.rank, .axisRange, "axis \(axis) is out of range for rank \(x.rank)")
        let head = x.shape.prefix(axis).reduce(1, *), tail = x.shape.dropFirst(axis).reduce(1, *)
        return Inference([TensorType([head, tail], x.dtype)])
    }

    static func reshape(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        let x = ctx.inputs[0]
        var shape = try ctx.ints("shape")
        try ctx.require(!shape.isEmpty, .attributeRange, "shape must be non-empty")
        let unknown = shape.indices.filter { shape[$0] == -1 }
        try ctx.require(unknown.count <= 1, .attributeRange, "shape \(shape) has more than one -1")
        try ctx.require(shape.allSatisfy { $0 == -1 || $0 > 0 }, .attributeRange, "shape \(shape) has a zero or negative dimension")
        let known = try ctx.product(shape.filter { $0 > 0 }, "shape")
        if let u = unknown.first {
            try ctx.require(x.elementCount % known == 0, .reshapeCount, "\(x.elementCount) elements of \(x) do not fill shape \(shape)")
            shape[u] = x.elementCount / known
        }
        let count = try ctx.product(shape, "shape")
        try ctx.require(count == x.elementCount, .reshapeCount, "shape \(shape) holds \(count) elements, input \(x) has \(x.elementCount)")
        return Inference([TensorType(shape, x.dtype)])
    }

    static func transpose(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        let x = ctx.inputs[0]
        let perm = try ctx.ints("perm")
        try ctx.require(perm.sorted() == Array(0..<x.rank), .permutation, "perm \(perm) is not a permutation of 0..<\(x.rank)")
        return Inference([TensorType(perm.map { x.shape[$0] }, x.dtype)])
    }

    static func concat(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(atLeast: 1)
        let first = ctx.inputs[0]
        let axis = try ctx.axis(try ctx.int("axis", default: 1), rank: first.rank)
        var total = 0
        for (i, t) in ctx.inputs.enumerated() {
            try ctx.require(t.dtype == first.dtype, .dtype, "input \(i) is \(t.dtype.rawValue), input 0 is \(first.dtype.rawValue)")
            try ctx.require(t.rank == first.rank, .inputRank, "input \(i) has rank \(t.rank), input 0 has rank \(first.rank)")
            for d in 0..<t.rank where d != axis {
                try ctx.require(t.shape[d] == first.shape[d], .concatShape, "input \(i) \(t) differs from input 0 \(first) on axis \(d)")
            }
            total += t.shape[axis]
        }
        var shape = first.shape
        shape[axis] = total
        return Inference([TensorType(shape, first.dtype)])
    }

    static func split(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        let x = ctx.inputs[0]
        let axis = try ctx.axis(try ctx.int("axis", default: 1), rank: x.rank)
        let sizes = try ctx.ints("sizes")
        try ctx.require(!sizes.isEmpty && sizes.allSatisfy { $0 > 0 }, .splitSizes, "sizes \(sizes) must be positive")
        try ctx.require(sizes.reduce(0, +) == x.shape[axis], .splitSizes, "sizes \(sizes) sum to \(sizes.reduce(0, +)), axis \(axis) has \(x.shape[axis])")
        return Inference(sizes.map { s in var shape = x.shape; shape[axis] = s; return TensorType(shape, x.dtype) })
    }

    static func pad(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        let x = ctx.inputs[0]
        let pads = try ctx.ints("pads", count: 2 * x.rank)
        let mode = try ctx.string("mode", default: "constant", allowed: ["constant", "reflect", "edge"])
        _ = try ctx.float("value", default: 0)
        try ctx.require(pads.allSatisfy { $0 >= 0 }, .attributeRange, "pads \(pads) must be ≥ 0")
        if mode == "reflect" {
            for d in 0..<x.rank {
                try ctx.require(pads[d] < x.shape[d] && pads[d + x.rank] < x.shape[d], .reflectPad,
                                "reflect pads on axis \(d) must be smaller than its size \(x.shape[d])")
            }
        }
        return Inference([TensorType((0..<x.rank).map { x.shape[$0] + pads[$0] + pads[$0 + x.rank] }, x.dtype)])
    }

    static func resize(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        try ctx.rank(0, [4])
        try ctx.floatInput(0)
        let x = ctx.inputs[0]
        let mode = try ctx.string("mode", default: "nearest", allowed: ["nearest", "bilinear"])
        let alignCorners = try ctx.bool("align_corners", default: false)
        try ctx.require(!(alignCorners && mode == "nearest"), .attributeRange, "align_corners applies to bilinear only")
        let size: [Int]
        if ctx.has("size") {
            try ctx.require(!ctx.has("scale"), .attributeRange, "give size or scale, not both")
            size = try ctx.ints("size", count: 2)
        } else {
            let scale = try ctx.ints("scale", count: 2)
            try ctx.require(scale.allSatisfy { $0 >= 1 }, .attributeRange, "scale \(scale) must be ≥ 1")
            size = [x.shape[2] * scale[0], x.shape[3] * scale[1]]
        }
        try ctx.require(size.allSatisfy { $0 >= 1 }, .emptyOutput, "output size \(size) must be positive")
        return Inference([TensorType([x.shape[0], x.shape[1]] + size, x.dtype)])
    }

    static func cast(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        let to = try ctx.string("to", allowed: DType.allCases.map(\.rawValue))
        return Inference([TensorType(ctx.inputs[0].shape, DType(rawValue: to)!)])
    }

    static func embedding(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(1)
        let x = ctx.inputs[0]
        try ctx.require(x.dtype.isInteger, .dtype, "ids are \(x.dtype.rawValue), expected i32 or i64")
        let vocab = try ctx.int("vocab"), dim = try ctx.int("dim")
        try ctx.require(vocab >= 1 && dim >= 1, .attributeRange, "vocab \(vocab) and dim \(dim) must be ≥ 1")
        return Inference([TensorType(x.shape + [dim], .f32)], weights: [WeightSpec("weight", [vocab, dim], .standardNormal)])
    }
}
