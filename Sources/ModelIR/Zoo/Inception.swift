/// Inception-v3 (Szegedy et al. 2016) as Keras Applications builds it: bias-free convolutions, BatchNorm
/// without scale (ε = 1e-3), no auxiliary head; 23,851,784 weights counted the Keras way.
enum Inception {
    static let inceptionV3 = ZooEntry(
        name: "inceptionv3", task: "classification", reference: "Keras Applications InceptionV3", convention: .all,
        referenceParameters: 23_851_784,
        defaults: ZooConfig(inputSize: 139, width: 0.125, classes: 10), full: ZooConfig(inputSize: 299, width: 1, classes: 1000, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "inceptionv3")
        var x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        func cbn(_ b: inout GraphBuilder, _ x: ValueRef, _ f: Int, _ kh: Int, _ kw: Int, stride: Int = 1, valid: Bool = false) throws(ValidityError) -> ValueRef {
            let y: ValueRef
            if valid {
                y = try b.conv(x, c.ch(f), kernel: kh, stride: stride, bias: false, kernelW: kw)
            } else {
                y = try b.conv(x, c.ch(f), kernel: kh, stride: stride, same: true, bias: false, kernelW: kw)
            }
            return try b.relu(b.add(.batchNorm, [y], ["epsilon": .float(1e-3), "scale": .bool(false)]))
        }
        func avgSame(_ b: inout GraphBuilder, _ x: ValueRef) throws(ValidityError) -> ValueRef {
            try b.avgPool(x, kernel: 3, stride: 1, pad: 1, countIncludePad: false)
        }
        x = try cbn(&b, x, 32, 3, 3, stride: 2, valid: true)
        x = try cbn(&b, x, 32, 3, 3, valid: true)
        x = try cbn(&b, x, 64, 3, 3)
        x = try b.maxPool(x, kernel: 3, stride: 2)
        x = try cbn(&b, x, 80, 1, 1, valid: true)
        x = try cbn(&b, x, 192, 3, 3, valid: true)
        x = try b.maxPool(x, kernel: 3, stride: 2)
        // mixed 0–2 (35×35)
        for pool in [32, 64, 64] {
            let b1 = try cbn(&b, x, 64, 1, 1)
            let b5 = try cbn(&b, cbn(&b, x, 48, 1, 1), 64, 5, 5)
            let b3 = try cbn(&b, cbn(&b, cbn(&b, x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
            let bp = try cbn(&b, avgSame(&b, x), pool, 1, 1)
            x = try b.concat([b1, b5, b3, bp])
        }
        // mixed 3 (to 17×17)
        do {
            let b3 = try cbn(&b, x, 384, 3, 3, stride: 2, valid: true)
            let bd = try cbn(&b, cbn(&b, cbn(&b, x, 64, 1, 1), 96, 3, 3), 96, 3, 3, stride: 2, valid: true)
            let bp = try b.maxPool(x, kernel: 3, stride: 2)
            x = try b.concat([b3, bd, bp])
        }
        // mixed 4–7 (17×17, factorized 7×7)
        for m in [128, 160, 160, 192] {
            let b1 = try cbn(&b, x, 192, 1, 1)
            let b7 = try cbn(&b, cbn(&b, cbn(&b, x, m, 1, 1), m, 1, 7), 192, 7, 1)
            var bd = try cbn(&b, x, m, 1, 1)
            bd = try cbn(&b, cbn(&b, cbn(&b, cbn(&b, bd, m, 7, 1), m, 1, 7), m, 7, 1), 192, 1, 7)
            let bp = try cbn(&b, avgSame(&b, x), 192, 1, 1)
            x = try b.concat([b1, b7, bd, bp])
        }
        // mixed 8 (to 8×8)
        do {
            let b3 = try cbn(&b, cbn(&b, x, 192, 1, 1), 320, 3, 3, stride: 2, valid: true)
            var b7 = try cbn(&b, cbn(&b, cbn(&b, x, 192, 1, 1), 192, 1, 7), 192, 7, 1)
            b7 = try cbn(&b, b7, 192, 3, 3, stride: 2, valid: true)
            let bp = try b.maxPool(x, kernel: 3, stride: 2)
            x = try b.concat([b3, b7, bp])
        }
        // mixed 9–10 (8×8, expanded filter banks)
        for _ in 0..<2 {
            let b1 = try cbn(&b, x, 320, 1, 1)
            let b3 = try cbn(&b, x, 384, 1, 1)
            let b3x = try b.concat([cbn(&b, b3, 384, 1, 3), cbn(&b, b3, 384, 3, 1)])
            let bd = try cbn(&b, cbn(&b, x, 448, 1, 1), 384, 3, 3)
            let bdx = try b.concat([cbn(&b, bd, 384, 1, 3), cbn(&b, bd, 384, 3, 1)])
            let bp = try cbn(&b, avgSame(&b, x), 192, 1, 1)
            x = try b.concat([b1, b3x, bdx, bp])
        }
        b.role = .head
        x = try b.add(.softmax, [b.dense(b.gap(x), c.classes)], ["axis": .int(-1)])
        b.output(x)
        return b.graph
    }
}
