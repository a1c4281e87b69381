/// LeNet-5 (LeCun et al. 1998) in its two common forms, and AlexNet as torchvision builds it.
enum Classic {
    /// The paper's LeNet-5: 32×32 grey input, tanh, average pooling, C5 as a 5×5 convolution. 61,706 parameters
    /// (C3 fully connected to S2, as every modern reimplementation does).
    static let lenet5 = ZooEntry(
        name: "lenet5", task: "classification", reference: "LeCun et al. 1998 (C3 fully connected)",
        referenceParameters: 61_706,
        defaults: ZooConfig(inputSize: 32, width: 1, classes: 10), full: ZooConfig(inputSize: 32, width: 1, classes: 10, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "lenet5")
        var x = try b.input([c.batch, 1, c.inputSize, c.inputSize])
        x = try b.act(.tanh, b.conv(x, c.ch(6), kernel: 5))
        x = try b.avgPool(x, kernel: 2)
        x = try b.act(.tanh, b.conv(x, c.ch(16), kernel: 5))
        x = try b.avgPool(x, kernel: 2)
        x = try b.act(.tanh, b.conv(x, c.ch(120), kernel: 5))
        b.role = .head
        x = try b.flatten(x)
        x = try b.act(.tanh, b.dense(x, c.ch(84)))
        x = try b.add(.softmax, [b.dense(x, c.classes)], ["axis": .int(-1)])
        b.output(x)
        return b.graph
    }

    /// The Keras-tutorial LeNet-5 on 28×28 MNIST: first conv padded by 2, ReLU, max pooling, dense C5.
    static let lenet5Relu = ZooEntry(
        name: "lenet5-relu", task: "classification", reference: "LeNet-5 with ReLU and max pooling (Keras tutorial form)",
        referenceParameters: 61_706,
        defaults: ZooConfig(inputSize: 28, width: 1, classes: 10), full: ZooConfig(inputSize: 28, width: 1, classes: 10, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "lenet5-relu")
        var x = try b.input([c.batch, 1, c.inputSize, c.inputSize])
        x = try b.relu(b.conv(x, c.ch(6), kernel: 5, pad: 2))
        x = try b.maxPool(x, kernel: 2)
        x = try b.relu(b.conv(x, c.ch(16), kernel: 5))
        x = try b.maxPool(x, kernel: 2)
        b.role = .head
        x = try b.flatten(x)
        x = try b.relu(b.dense(x, c.ch(120)))
        x = try b.relu(b.dense(x, c.ch(84)))
        x = try b.add(.softmax, [b.dense(x, c.classes)], ["axis": .int(-1)])
        b.output(x)
        return b.graph
    }

    /// torchvision `alexnet` (the one-GPU variant of Krizhevsky et al. 2012): 61,100,840 parameters at 224.
    static let alexnet = ZooEntry(
        name: "alexnet", task: "classification", reference: "torchvision alexnet", referenceParameters: 61_100_840,
        defaults: ZooConfig(inputSize: 64, width: 0.25, classes: 10), full: ZooConfig(inputSize: 224, width: 1, classes: 1000, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "alexnet")
        var x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        x = try b.maxPool(b.relu(b.conv(x, c.ch(64), kernel: 11, stride: 4, pad: 2)), kernel: 3, stride: 2)
        x = try b.maxPool(b.relu(b.conv(x, c.ch(192), kernel: 5, pad: 2)), kernel: 3, stride: 2)
        x = try b.relu(b.conv(x, c.ch(384), kernel: 3, pad: 1))
        x = try b.relu(b.conv(x, c.ch(256), kernel: 3, pad: 1))
        x = try b.relu(b.conv(x, c.ch(256), kernel: 3, pad: 1))
        x = try b.maxPool(x, kernel: 3, stride: 2)
        b.role = .head
        x = try b.flatten(x)
        x = try b.relu(b.dense(b.dropout(x, 0.5), c.ch(4096)))
        x = try b.relu(b.dense(b.dropout(x, 0.5), c.ch(4096)))
        x = try b.add(.softmax, [b.dense(x, c.classes)], ["axis": .int(-1)])
        b.output(x)
        return b.graph
    }
}
