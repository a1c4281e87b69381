/// Anomaly detection seeds: the SSIM autoencoder (Bergmann et al. 2018, 128×128, latent 100) and PatchCore's
/// feature extractor (Roth et al. 2022: WideResNet-50-2 layers 2 and 3, 3×3 local averaging, layer 3
/// upsampled to layer 2's grid, concatenated).
enum Anomaly {
    static let ssimAutoencoder = ZooEntry(
        name: "ssim-autoencoder", task: "anomaly detection", reference: "Bergmann et al. 2018 SSIM autoencoder",
        defaults: ZooConfig(inputSize: 64, width: 0.25, classes: 100), full: ZooConfig(inputSize: 128, width: 1, classes: 100, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "ssim-autoencoder")
        func lrelu(_ b: inout GraphBuilder, _ x: ValueRef) throws(ValidityError) -> ValueRef { try b.act(.leakyRelu, x, ["alpha": .float(0.2)]) }
        func up(_ b: inout GraphBuilder, _ x: ValueRef, _ f: Int, kernel: Int, stride: Int, pad: Int) throws(ValidityError) -> ValueRef {
            try b.add(.convTranspose2d, [x], ["out_channels": .int(f), "kernel": .ints([kernel, kernel]), "stride": .ints([stride, stride]),
                                              "pads": .ints([pad, pad, pad, pad])])
        }
        var x = try b.input([c.batch, 1, c.inputSize, c.inputSize])
        for (f, k, s) in [(32, 4, 2), (32, 4, 2), (32, 3, 1), (64, 4, 2), (64, 3, 1), (128, 4, 2), (64, 3, 1), (32, 3, 1)] {
            x = try lrelu(&b, b.conv(x, c.ch(f), kernel: k, stride: s, pad: 1))
        }
        // The latent code: one 100-d vector per image (a convolution covering the whole 1/16-size map).
        x = try b.conv(x, c.classes, kernel: b.shape(x)[2])
        b.role = .head
        x = try lrelu(&b, up(&b, x, c.ch(32), kernel: c.inputSize / 16, stride: 1, pad: 0))
        for (f, k, s, transposed) in [(64, 3, 1, false), (128, 3, 1, false), (64, 4, 2, true), (64, 3, 1, false),
                                      (32, 4, 2, true), (32, 3, 1, false), (32, 4, 2, true)] {
            x = try lrelu(&b, transposed ? up(&b, x, c.ch(f), kernel: k, stride: s, pad: 1) : b.conv(x, c.ch(f), kernel: k, pad: 1))
        }
        x = try b.act(.sigmoid, up(&b, x, 1, kernel: 4, stride: 2, pad: 1))
        b.output(x)
        return b.graph
    }

    static let patchCore = ZooEntry(
        name: "patchcore-wrn50", task: "anomaly detection", reference: "PatchCore on torchvision wide_resnet50_2 (layers 2–3)",
        defaults: ZooConfig(inputSize: 64, width: 0.125, classes: 0), full: ZooConfig(inputSize: 224, width: 1, classes: 0, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "patchcore-wrn50")
        let input = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        let stages = try ResNet.body(&b, input, c: c, widthFactor: 2, stages: 3)
        b.role = .head
        let l2 = try b.avgPool(stages[1], kernel: 3, stride: 1, pad: 1)
        var l3 = try b.avgPool(stages[2], kernel: 3, stride: 1, pad: 1)
        l3 = try b.resize(l3, size: Array(b.shape(l2)[2...3]))
        b.output(try b.concat([l2, l3]))
        return b.graph
    }
}
