/// DenseNet-121 (Huang et al. 2017) as torchvision builds it: growth rate 32, bottleneck 4×, compression 0.5,
/// bias-free convolutions; 7,978,856 parameters.
enum DenseNet {
    static let densenet121 = ZooEntry(
        name: "densenet121", task: "classification", reference: "torchvision densenet121", referenceParameters: 7_978_856,
        defaults: ZooConfig(inputSize: 64, width: 0.25, classes: 10), full: ZooConfig(inputSize: 224, width: 1, classes: 1000, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "densenet121")
        let growth = c.ch(32, minimum: 2)
        var x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        x = try b.maxPool(b.relu(b.bn(b.conv(x, c.ch(64), kernel: 7, stride: 2, pad: 3, bias: false))), kernel: 3, stride: 2, pad: 1)
        for (i, layers) in [6, 12, 24, 16].enumerated() {
            for _ in 0..<layers {
                var y = try b.conv(b.relu(b.bn(x)), 4 * growth, kernel: 1, bias: false)
                y = try b.conv(b.relu(b.bn(y)), growth, kernel: 3, pad: 1, bias: false)
                x = try b.concat([x, y])
            }
            if i < 3 {
                x = try b.conv(b.relu(b.bn(x)), b.channels(x) / 2, kernel: 1, bias: false)
                x = try b.avgPool(x, kernel: 2)
            }
        }
        x = try b.relu(b.bn(x))
        b.role = .head
        x = try b.add(.softmax, [b.dense(b.gap(x), c.classes)], ["axis": .int(-1)])
        b.output(x)
        return b.graph
    }
}
