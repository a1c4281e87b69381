/// MobileNet v1 (Howard et al. 2017, Keras Applications: 4,253,864 weights counted the Keras way) and v2
/// (Sandler et al. 2018, torchvision: 3,504,872 parameters).
enum MobileNet {
    static let mobilenetV1 = ZooEntry(
        name: "mobilenetv1", task: "classification", reference: "Keras Applications MobileNet (alpha 1)", convention: .all,
        referenceParameters: 4_253_864,
        defaults: ZooConfig(inputSize: 64, width: 0.25, classes: 10), full: ZooConfig(inputSize: 224, width: 1, classes: 1000, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "mobilenetv1")
        let x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        let features = try v1Body(&b, x, c: c)
        b.role = .head
        var y = try b.add(.globalAvgPool, [features.last!], ["keepdims": .bool(true)])
        y = try b.conv(b.dropout(y, 1e-3), c.classes, kernel: 1)
        y = try b.add(.softmax, [b.flatten(y)], ["axis": .int(-1)])
        b.output(y)
        return b.graph
    }

    /// MobileNet v1's body; returns the outputs of the stride-16 (conv 11) and stride-32 (conv 13) blocks.
    /// Keras pads stride-2 layers at the bottom/right only, so the pads are [0, 0, 1, 1].
    static func v1Body(_ b: inout GraphBuilder, _ input: ValueRef, c: ZooConfig) throws(ValidityError) -> [ValueRef] {
        func bnRelu6(_ b: inout GraphBuilder, _ x: ValueRef) throws(ValidityError) -> ValueRef { try b.act(.relu6, b.bn(x, epsilon: 1e-3)) }
        var x = try b.add(.conv2d, [input], ["out_channels": .int(c.ch(32)), "kernel": .ints([3, 3]), "stride": .ints([2, 2]),
                                             "pads": .ints([0, 0, 1, 1]), "bias": .bool(false)])
        x = try bnRelu6(&b, x)
        var outputs: [ValueRef] = []
        for (f, s) in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)] {
            let ch = b.channels(x)
            x = try b.add(.conv2d, [x], ["out_channels": .int(ch), "kernel": .ints([3, 3]), "stride": .ints([s, s]),
                                         "pads": .ints(s == 1 ? [1, 1, 1, 1] : [0, 0, 1, 1]), "groups": .int(ch), "bias": .bool(false)])
            x = try bnRelu6(&b, x)
            x = try bnRelu6(&b, b.conv(x, c.ch(f), kernel: 1, bias: false))
            outputs.append(x)
        }
        // conv 11 is the last 512-channel block (index 10), conv 13 the last block.
        return [outputs[10], outputs[12]]
    }

    static let mobilenetV2 = ZooEntry(
        name: "mobilenetv2", task: "classification", reference: "torchvision mobilenet_v2", referenceParameters: 3_504_872,
        defaults: ZooConfig(inputSize: 64, width: 0.25, classes: 10), full: ZooConfig(inputSize: 224, width: 1, classes: 1000, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "mobilenetv2")
        func cbr(_ b: inout GraphBuilder, _ x: ValueRef, _ out: Int, kernel: Int = 1, stride: Int = 1, groups: Int = 1) throws(ValidityError) -> ValueRef {
            try b.act(.relu6, b.bn(b.conv(x, out, kernel: kernel, stride: stride, pad: (kernel - 1) / 2, groups: groups, bias: false)))
        }
        var x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        x = try cbr(&b, x, c.divisible(32), kernel: 3, stride: 2)
        for (t, ch, n, s) in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)] {
            let out = c.divisible(ch)
            for i in 0..<n {
                let stride = i == 0 ? s : 1
                let input = b.channels(x), hidden = input * t
                var y = x
                if t != 1 { y = try cbr(&b, y, hidden) }
                y = try cbr(&b, y, hidden, kernel: 3, stride: stride, groups: hidden)
                y = try b.bn(b.conv(y, out, kernel: 1, bias: false))
                x = stride == 1 && input == out ? try b.addOp(x, y) : y
            }
        }
        let last = c.width > 1 ? c.divisible(1280) : 1280
        x = try cbr(&b, x, last)
        b.role = .head
        x = try b.add(.softmax, [b.dense(b.dropout(b.gap(x), 0.2), c.classes)], ["axis": .int(-1)])
        b.output(x)
        return b.graph
    }
}
