/// Builds a graph op by op, inferring each node as it is added so a zoo architecture that breaks a rule fails
/// at the line that builds it. Names are stable: `<prefix><op>_<counter>` unless given.
public struct GraphBuilder {
    public private(set) var graph: Graph
    /// The role given to nodes added from now on.
    public var role: Role = .backbone
    private var counters: [String: Int] = [:]
    private var positions: [String: Int] = [:]
    private var weightElements = 0

    public init(name: String) {
        graph = Graph(name: name)
    }

    public func type(_ ref: ValueRef) -> TensorType { graph.nodes[positions[ref.node]!].outputs[ref.output] }
    public func shape(_ ref: ValueRef) -> [Int] { type(ref).shape }
    public func channels(_ ref: ValueRef) -> Int { shape(ref)[1] }

    @discardableResult
    public mutating func add(_ op: OpKind, _ inputs: [ValueRef], _ attributes: [String: AttributeValue] = [:], name: String? = nil) throws(ValidityError) -> ValueRef {
        let base = op.rawValue.lowercased()
        let n = counters[base, default: 0]
        counters[base] = n + 1
        let nodeName = name ?? "\(base)_\(n)"
        var node = Node(name: nodeName, op: op, inputs: inputs, attributes: attributes, role: role)
        let ctx = OpContext(node: node, inputs: inputs.map { type($0) })
        try ctx.require(positions[nodeName] == nil, .duplicateName, "another node is already named '\(nodeName)'")
        let inference = try OpSpec.infer(ctx)
        try GraphInference.checkSizes(inference, ctx, weightElements: &weightElements)
        node.outputs = inference.outputs
        node.weights = inference.weights
        positions[nodeName] = graph.nodes.count
        graph.nodes.append(node)
        return ValueRef(nodeName)
    }

    public mutating func input(_ shape: [Int], dtype: DType = .f32, name: String = "input") throws(ValidityError) -> ValueRef {
        try add(.input, [], ["shape": .ints(shape), "dtype": .string(dtype.rawValue)], name: name)
    }

    public mutating func output(_ refs: ValueRef...) { graph.outputs.append(contentsOf: refs) }

    // MARK: convenience layers

    /// Conv2d with explicit pads; `same` computes the pads TensorFlow's "same" would use (extra at the end).
    public mutating func conv(_ x: ValueRef, _ out: Int, kernel: Int, stride: Int = 1, pad: Int? = nil, same: Bool = false,
                              dilation: Int = 1, groups: Int = 1, bias: Bool = true, kernelW: Int? = nil, padW: Int? = nil) throws(ValidityError) -> ValueRef {
        let kw = kernelW ?? kernel
        var pads: [Int]
        if same {
            let s = shape(x)
            let (t, b) = Self.samePads(s[2], kernel: kernel, stride: stride, dilation: dilation)
            let (l, r) = Self.samePads(s[3], kernel: kw, stride: stride, dilation: dilation)
            pads = [t, l, b, r]
        } else {
            let p = pad ?? 0, q = padW ?? p
            pads = [p, q, p, q]
        }
        return try add(.conv2d, [x], ["out_channels": .int(out), "kernel": .ints([kernel, kw]), "stride": .ints([stride, stride]),
                                      "pads": .ints(pads), "dilation": .ints([dilation, dilation]), "groups": .int(groups), "bias": .bool(bias)])
    }

    public static func samePads(_ n: Int, kernel: Int, stride: Int, dilation: Int = 1) -> (Int, Int) {
        let out = (n + stride - 1) / stride
        let total = Swift.max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - n)
        return (total / 2, total - total / 2)
    }

    public mutating func bn(_ x: ValueRef, epsilon: Double = 1e-5, scale: Bool = true) throws(ValidityError) -> ValueRef {
        try add(.batchNorm, [x], ["epsilon": .float(epsilon), "scale": .bool(scale)])
    }

    public mutating func relu(_ x: ValueRef) throws(ValidityError) -> ValueRef { try add(.relu, [x]) }
    public mutating func act(_ op: OpKind, _ x: ValueRef, _ attributes: [String: AttributeValue] = [:]) throws(ValidityError) -> ValueRef { try add(op, [x], attributes) }

    public mutating func maxPool(_ x: ValueRef, kernel: Int, stride: Int? = nil, pad: Int = 0, pads: [Int]? = nil, ceil: Bool = false) throws(ValidityError) -> ValueRef {
        try add(.maxPool2d, [x], ["kernel": .ints([kernel, kernel]), "stride": .ints([stride ?? kernel, stride ?? kernel]),
                                  "pads": .ints(pads ?? [pad, pad, pad, pad]), "ceil_mode": .bool(ceil)])
    }

    public mutating func avgPool(_ x: ValueRef, kernel: Int, stride: Int? = nil, pad: Int = 0, countIncludePad: Bool = true) throws(ValidityError) -> ValueRef {
        try add(.avgPool2d, [x], ["kernel": .ints([kernel, kernel]), "stride": .ints([stride ?? kernel, stride ?? kernel]),
                                  "pads": .ints([pad, pad, pad, pad]), "count_include_pad": .bool(countIncludePad),
                                  // Written as MaxPool2d writes it: a toggled option toggled back is then the seed's graph.
                                  "ceil_mode": .bool(false)])
    }

    public mutating func dense(_ x: ValueRef, _ units: Int, bias: Bool = true) throws(ValidityError) -> ValueRef {
        try add(.dense, [x], ["units": .int(units), "bias": .bool(bias)])
    }

    public mutating func concat(_ xs: [ValueRef], axis: Int = 1) throws(ValidityError) -> ValueRef {
        try add(.concat, xs, ["axis": .int(axis)])
    }

    public mutating func addOp(_ a: ValueRef, _ b: ValueRef) throws(ValidityError) -> ValueRef { try add(.add, [a, b]) }
    public mutating func gap(_ x: ValueRef) throws(ValidityError) -> ValueRef { try add(.globalAvgPool, [x]) }
    public mutating func flatten(_ x: ValueRef) throws(ValidityError) -> ValueRef { try add(.flatten, [x], ["axis": .int(1)]) }
    public mutating func dropout(_ x: ValueRef, _ rate: Double) throws(ValidityError) -> ValueRef { try add(.dropout, [x], ["rate": .float(rate)]) }

    public mutating func resize(_ x: ValueRef, size: [Int], mode: String = "bilinear", alignCorners: Bool = false) throws(ValidityError) -> ValueRef {
        var attributes: [String: AttributeValue] = ["size": .ints(size), "mode": .string(mode)]
        if mode == "bilinear" { attributes["align_corners"] = .bool(alignCorners) }
        return try add(.resize, [x], attributes)
    }

    public mutating func upsample(_ x: ValueRef, scale: Int) throws(ValidityError) -> ValueRef {
        try add(.resize, [x], ["scale": .ints([scale, scale]), "mode": .string("nearest")])
    }
}
