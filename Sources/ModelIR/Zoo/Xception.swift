/// Xception (Chollet 2017) as Keras Applications builds it: separable convolutions without bias, BatchNorm
/// ε = 1e-3, "same" max pools written as explicit asymmetric pads; 22,910,480 weights counted the Keras way.
enum Xception {
    static let xception = ZooEntry(
        name: "xception", task: "classification", reference: "Keras Applications Xception", convention: .all,
        referenceParameters: 22_910_480,
        defaults: ZooConfig(inputSize: 71, width: 0.125, classes: 10), full: ZooConfig(inputSize: 299, width: 1, classes: 1000, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "xception")
        func bn(_ b: inout GraphBuilder, _ x: ValueRef) throws(ValidityError) -> ValueRef { try b.bn(x, epsilon: 1e-3) }
        func sep(_ b: inout GraphBuilder, _ x: ValueRef, _ f: Int) throws(ValidityError) -> ValueRef {
            try b.add(.separableConv2d, [x], ["out_channels": .int(c.ch(f)), "kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1]), "bias": .bool(false)])
        }
        func poolSame(_ b: inout GraphBuilder, _ x: ValueRef) throws(ValidityError) -> ValueRef {
            let s = b.shape(x)
            let (t, bo) = GraphBuilder.samePads(s[2], kernel: 3, stride: 2), (l, r) = GraphBuilder.samePads(s[3], kernel: 3, stride: 2)
            return try b.maxPool(x, kernel: 3, stride: 2, pads: [t, l, bo, r])
        }
        var x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        x = try b.relu(bn(&b, b.conv(x, c.ch(32), kernel: 3, stride: 2, bias: false)))
        x = try b.relu(bn(&b, b.conv(x, c.ch(64), kernel: 3, bias: false)))
        // entry flow: blocks 2–4, the first without a leading ReLU
        for (i, f) in [128, 256, 728].enumerated() {
            let residual = try bn(&b, b.conv(x, c.ch(f), kernel: 1, stride: 2, same: true, bias: false))
            var y = i == 0 ? x : try b.relu(x)
            y = try b.relu(bn(&b, sep(&b, y, f)))
            y = try bn(&b, sep(&b, y, f))
            x = try b.addOp(poolSame(&b, y), residual)
        }
        // middle flow: eight residual blocks of three separable convs
        for _ in 0..<8 {
            var y = x
            for _ in 0..<3 { y = try bn(&b, sep(&b, b.relu(y), 728)) }
            x = try b.addOp(y, x)
        }
        // exit flow
        let residual = try bn(&b, b.conv(x, c.ch(1024), kernel: 1, stride: 2, same: true, bias: false))
        var y = try bn(&b, sep(&b, b.relu(x), 728))
        y = try bn(&b, sep(&b, b.relu(y), 1024))
        x = try b.addOp(poolSame(&b, y), residual)
        x = try b.relu(bn(&b, sep(&b, x, 1536)))
        x = try b.relu(bn(&b, sep(&b, x, 2048)))
        b.role = .head
        x = try b.add(.softmax, [b.dense(b.gap(x), c.classes)], ["axis": .int(-1)])
        b.output(x)
        return b.graph
    }
}
