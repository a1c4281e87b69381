/// ResNet-50 v1.5 as torchvision builds it (stride on the 3×3 conv, bias-free convolutions), plus the variants
/// other seeds reuse: dilated (DeepLabV3), wide (PatchCore's WideResNet-50-2), truncated (feature pyramids).
enum ResNet {
    static let resnet50 = ZooEntry(
        name: "resnet50", task: "classification", reference: "torchvision resnet50", referenceParameters: 25_557_032,
        defaults: ZooConfig(inputSize: 64, width: 0.125, classes: 10), full: ZooConfig(inputSize: 224, width: 1, classes: 1000, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "resnet50")
        let x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        let stages = try body(&b, x, c: c)
        b.role = .head
        let y = try b.add(.softmax, [b.dense(b.gap(stages[3]), c.classes)], ["axis": .int(-1)])
        b.output(y)
        return b.graph
    }

    /// The stem and four stages; returns each stage's output (C2…C5). `dilate` replaces the stride of stages
    /// 3 and 4 by dilation (torchvision's replace_stride_with_dilation [False, True, True]); `widthFactor` 2
    /// gives WideResNet; `stages` stops early.
    static func body(_ b: inout GraphBuilder, _ input: ValueRef, c: ZooConfig, dilate: Bool = false, widthFactor: Int = 1,
                     stages: Int = 4) throws(ValidityError) -> [ValueRef] {
        var x = try b.relu(b.bn(b.conv(input, c.ch(64), kernel: 7, stride: 2, pad: 3, bias: false)))
        x = try b.maxPool(x, kernel: 3, stride: 2, pad: 1)
        var outputs: [ValueRef] = []
        var dilation = 1
        for (i, (planes, blocks)) in [(64, 3), (128, 4), (256, 6), (512, 3)].prefix(stages).enumerated() {
            var stride = i == 0 ? 1 : 2
            let previous = dilation
            if dilate && i >= 2 { dilation *= stride; stride = 1 }
            for j in 0..<blocks {
                x = try bottleneck(&b, x, planes: c.ch(planes), width: c.ch(planes) * widthFactor, stride: j == 0 ? stride : 1,
                                   dilation: j == 0 ? previous : dilation)
            }
            outputs.append(x)
        }
        return outputs
    }

    static func bottleneck(_ b: inout GraphBuilder, _ x: ValueRef, planes: Int, width: Int, stride: Int, dilation: Int) throws(ValidityError) -> ValueRef {
        let out = planes * 4
        var y = try b.relu(b.bn(b.conv(x, width, kernel: 1, bias: false)))
        y = try b.relu(b.bn(b.conv(y, width, kernel: 3, stride: stride, pad: dilation, dilation: dilation, bias: false)))
        y = try b.bn(b.conv(y, out, kernel: 1, bias: false))
        var shortcut = x
        if stride != 1 || b.channels(x) != out {
            shortcut = try b.bn(b.conv(x, out, kernel: 1, stride: stride, bias: false))
        }
        return try b.relu(b.addOp(y, shortcut))
    }
}
