/// The abstract operator description: for every op, shape and dtype inference plus the validity rules, in one
/// function per family (as NNSmith keeps one spec per operator). `GraphInference` calls this node by node.
public enum OpSpec {
    public static func infer(_ ctx: OpContext) throws(ValidityError) -> Inference {
        let op = ctx.node.op
        if op.isUnaryElementwise { return try unary(ctx) }
        if op.isBinaryElementwise { return try binary(ctx) }
        switch op {
        case .input: return try input(ctx)
        case .conv2d, .conv1d: return try conv(ctx)
        case .separableConv2d: return try separableConv(ctx)
        case .convTranspose2d: return try convTranspose(ctx)
        case .dense: return try dense(ctx)
        case .matMul: return try matMul(ctx)
        case .batchNorm: return try batchNorm(ctx)
        case .layerNorm: return try layerNorm(ctx)
        case .groupNorm: return try groupNorm(ctx)
        case .dropout: return try dropout(ctx)
        case .maxPool2d, .avgPool2d: return try pool(ctx)
        case .globalAvgPool, .globalMaxPool: return try globalPool(ctx)
        case .flatten: return try flatten(ctx)
        case .reshape: return try reshape(ctx)
        case .transpose: return try transpose(ctx)
        case .concat: return try concat(ctx)
        case .split: return try split(ctx)
        case .pad: return try pad(ctx)
        case .resize: return try resize(ctx)
        case .softmax, .logSoftmax: return try softmax(ctx)
        case .prelu: return try prelu(ctx)
        case .reduceMean, .reduceSum, .reduceMax: return try reduce(ctx)
        case .cast: return try cast(ctx)
        case .embedding: return try embedding(ctx)
        case .lstm, .gru: return try recurrent(ctx)
        case .identity:
            try ctx.arity(1)
            return Inference([ctx.inputs[0]])
        default:
            throw ctx.fail(.attributeRange, "op has no inference rule")
        }
    }

    static func input(_ ctx: OpContext) throws(ValidityError) -> Inference {
        try ctx.arity(0)
        let shape = try ctx.ints("shape")
        try ctx.require(!shape.isEmpty && shape.allSatisfy { $0 > 0 }, .emptyOutput, "input shape \(shape) must be non-empty with positive dimensions")
        let dtype = try ctx.string("dtype", default: "f32", allowed: DType.allCases.map(\.rawValue))
        return Inference([TensorType(shape, DType(rawValue: dtype)!)])
    }
}
