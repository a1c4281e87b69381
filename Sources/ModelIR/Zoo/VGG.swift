/// VGG (Simonyan & Zisserman 2014), configurations D and E; Keras Applications and torchvision agree on the
/// parameter counts (138,357,544 and 143,667,240).
enum VGG {
    static let configD: [[Int]] = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
    static let configE: [[Int]] = [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]]

    static let vgg16 = entry(name: "vgg16", config: configD, parameters: 138_357_544)
    static let vgg19 = entry(name: "vgg19", config: configE, parameters: 143_667_240)

    static func entry(name: String, config: [[Int]], parameters: Int) -> ZooEntry {
        ZooEntry(name: name, task: "classification", reference: "Keras Applications \(name) (= torchvision \(name))",
                 convention: .all, referenceParameters: parameters,
                 defaults: ZooConfig(inputSize: 32, width: 0.125, classes: 10),
                 full: ZooConfig(inputSize: 224, width: 1, classes: 1000, fullSize: true)) { (c: ZooConfig) throws(ValidityError) -> Graph in
            var b = GraphBuilder(name: name)
            var x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
            x = try features(&b, x, config: config, c: c, poolLast: true)
            b.role = .head
            x = try b.flatten(x)
            x = try b.relu(b.dense(x, c.ch(4096)))
            x = try b.relu(b.dense(b.dropout(x, 0.5), c.ch(4096)))
            x = try b.add(.softmax, [b.dense(b.dropout(x, 0.5), c.classes)], ["axis": .int(-1)])
            b.output(x)
            return b.graph
        }
    }

    /// The convolutional stages: 3×3 convs (pad 1, bias, ReLU) with a 2×2 max pool after each stage.
    static func features(_ b: inout GraphBuilder, _ input: ValueRef, config: [[Int]], c: ZooConfig, poolLast: Bool) throws(ValidityError) -> ValueRef {
        var x = input
        for (i, stage) in config.enumerated() {
            for width in stage { x = try b.relu(b.conv(x, c.ch(width), kernel: 3, pad: 1)) }
            if poolLast || i < config.count - 1 { x = try b.maxPool(x, kernel: 2) }
        }
        return x
    }
}
