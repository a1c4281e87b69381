/// U-Net (Ronneberger et al. 2015) with padded 3×3 convolutions on 512×512 (so skip connections need no crop, as most
/// reimplementations do) and DeepLabV3 (Chen et al. 2017) as torchvision's deeplabv3_resnet50 without the
/// auxiliary head: dilated ResNet-50, ASPP with rates 12/24/36 and image pooling.
enum Segmentation {
    static let unet = ZooEntry(
        name: "unet", task: "segmentation", reference: "Ronneberger et al. 2015 (padded convolutions)",
        defaults: ZooConfig(inputSize: 64, width: 0.125, classes: 2), full: ZooConfig(inputSize: 512, width: 1, classes: 2, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "unet")
        func double(_ b: inout GraphBuilder, _ x: ValueRef, _ f: Int) throws(ValidityError) -> ValueRef {
            try b.relu(b.conv(b.relu(b.conv(x, c.ch(f), kernel: 3, pad: 1)), c.ch(f), kernel: 3, pad: 1))
        }
        var x = try b.input([c.batch, 1, c.inputSize, c.inputSize])
        var skips: [ValueRef] = []
        for f in [64, 128, 256, 512] {
            x = try double(&b, x, f)
            skips.append(x)
            x = try b.maxPool(x, kernel: 2)
        }
        x = try double(&b, x, 1024)
        b.role = .head
        for (f, skip) in zip([512, 256, 128, 64], skips.reversed()) {
            x = try b.add(.convTranspose2d, [x], ["out_channels": .int(c.ch(f)), "kernel": .ints([2, 2]), "stride": .ints([2, 2])])
            x = try double(&b, b.concat([skip, x]), f)
        }
        x = try b.conv(x, c.classes, kernel: 1)
        b.output(x)
        return b.graph
    }

    static let deeplabV3 = ZooEntry(
        name: "deeplabv3", task: "segmentation", reference: "torchvision deeplabv3_resnet50 (aux_loss off)",
        defaults: ZooConfig(inputSize: 64, width: 0.125, classes: 21), full: ZooConfig(inputSize: 520, width: 1, classes: 21, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "deeplabv3")
        let input = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        let features = try ResNet.body(&b, input, c: c, dilate: true)[3]
        b.role = .head
        let size = Array(b.shape(features)[2...3])
        let f = c.ch(256)
        var branches = [try b.relu(b.bn(b.conv(features, f, kernel: 1, bias: false)))]
        for rate in [12, 24, 36] {
            branches.append(try b.relu(b.bn(b.conv(features, f, kernel: 3, pad: rate, dilation: rate, bias: false))))
        }
        var pooled = try b.add(.globalAvgPool, [features], ["keepdims": .bool(true)])
        pooled = try b.relu(b.bn(b.conv(pooled, f, kernel: 1, bias: false)))
        branches.append(try b.resize(pooled, size: size))
        var x = try b.relu(b.bn(b.conv(b.concat(branches), f, kernel: 1, bias: false)))
        x = try b.dropout(x, 0.5)
        x = try b.relu(b.bn(b.conv(x, f, kernel: 3, pad: 1, bias: false)))
        x = try b.conv(x, c.classes, kernel: 1)
        x = try b.resize(x, size: [c.inputSize, c.inputSize])
        b.output(x)
        return b.graph
    }
}
