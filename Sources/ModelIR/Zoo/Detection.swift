/// Single-shot detectors without NMS (the graph ends at raw class logits and box offsets): SSD with a
/// ResNet-50 FPN backbone and with MobileNet v1 (TensorFlow Object Detection API layouts), and YOLOv3
/// (Redmon & Farhadi 2018: Darknet-53 and three detection scales). The IR has no weight sharing, so SSD-FPN's
/// box predictor gets one head per pyramid level.
enum Detection {
    static let anchors = 6

    /// Per-level class and box convolutions, flattened to [N, locations·anchors, classes] and [N, ..., 4]
    /// (NHWC order, as the TF API flattens them) and concatenated over levels.
    static func ssdHeads(_ b: inout GraphBuilder, _ levels: [ValueRef], classes: Int) throws(ValidityError) -> (ValueRef, ValueRef) {
        var scores: [ValueRef] = [], boxes: [ValueRef] = []
        for level in levels {
            let n = b.shape(level)[0]
            let cls = try b.conv(level, anchors * classes, kernel: 3, pad: 1)
            scores.append(try b.add(.reshape, [b.add(.transpose, [cls], ["perm": .ints([0, 2, 3, 1])])], ["shape": .ints([n, -1, classes])]))
            let box = try b.conv(level, anchors * 4, kernel: 3, pad: 1)
            boxes.append(try b.add(.reshape, [b.add(.transpose, [box], ["perm": .ints([0, 2, 3, 1])])], ["shape": .ints([n, -1, 4])]))
        }
        return (try b.concat(scores, axis: 1), try b.concat(boxes, axis: 1))
    }

    static let ssdResNet50FPN = ZooEntry(
        name: "ssd-resnet50-fpn", task: "detection", reference: "TF OD API ssd_resnet50_v1_fpn (unshared heads, no NMS)",
        defaults: ZooConfig(inputSize: 64, width: 0.125, classes: 10), full: ZooConfig(inputSize: 640, width: 1, classes: 91, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "ssd-resnet50-fpn")
        let input = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        let stages = try ResNet.body(&b, input, c: c)
        b.role = .head
        let f = c.ch(256)
        let laterals = try [stages[1], stages[2], stages[3]].map { (s: ValueRef) throws(ValidityError) -> ValueRef in try b.conv(s, f, kernel: 1) }
        var top = laterals[2]
        var pyramid = [top]
        for lateral in [laterals[1], laterals[0]] {
            top = try b.addOp(b.upsample(top, scale: 2), lateral)
            pyramid.insert(top, at: 0)
        }
        pyramid = try pyramid.map { (p: ValueRef) throws(ValidityError) -> ValueRef in try b.conv(p, f, kernel: 3, pad: 1) }
        let p6 = try b.conv(pyramid[2], f, kernel: 3, stride: 2, pad: 1)
        let p7 = try b.conv(b.relu(p6), f, kernel: 3, stride: 2, pad: 1)
        let (scores, boxes) = try ssdHeads(&b, pyramid + [p6, p7], classes: c.classes)
        b.output(scores, boxes)
        return b.graph
    }

    static let ssdMobileNetV1 = ZooEntry(
        name: "ssd-mobilenetv1", task: "detection", reference: "TF OD API ssd_mobilenet_v1 (no NMS)",
        defaults: ZooConfig(inputSize: 64, width: 0.25, classes: 10), full: ZooConfig(inputSize: 300, width: 1, classes: 91, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "ssd-mobilenetv1")
        let input = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        var levels = try MobileNet.v1Body(&b, input, c: c)
        b.role = .head
        var x = levels[1]
        for (squeeze, out) in [(256, 512), (128, 256), (128, 256), (64, 128)] {
            x = try b.act(.relu6, b.bn(b.conv(x, c.ch(squeeze), kernel: 1, bias: false), epsilon: 1e-3))
            x = try b.act(.relu6, b.bn(b.conv(x, c.ch(out), kernel: 3, stride: 2, pad: 1, bias: false), epsilon: 1e-3))
            levels.append(x)
        }
        let (scores, boxes) = try ssdHeads(&b, levels, classes: c.classes)
        b.output(scores, boxes)
        return b.graph
    }

    static let yoloV3 = ZooEntry(
        name: "yolov3", task: "detection", reference: "Redmon & Farhadi 2018 (darknet yolov3.cfg, 80 classes)",
        referenceParameters: 61_949_149,
        defaults: ZooConfig(inputSize: 64, width: 0.125, classes: 10), full: ZooConfig(inputSize: 416, width: 1, classes: 80, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "yolov3")
        func cbl(_ b: inout GraphBuilder, _ x: ValueRef, _ f: Int, _ k: Int, stride: Int = 1) throws(ValidityError) -> ValueRef {
            try b.act(.leakyRelu, b.bn(b.conv(x, c.ch(f), kernel: k, stride: stride, pad: (k - 1) / 2, bias: false)), ["alpha": .float(0.1)])
        }
        var x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        x = try cbl(&b, x, 32, 3)
        var routes: [ValueRef] = []
        for (f, n) in [(64, 1), (128, 2), (256, 8), (512, 8), (1024, 4)] {
            x = try cbl(&b, x, f, 3, stride: 2)
            for _ in 0..<n { x = try b.addOp(x, cbl(&b, cbl(&b, x, f / 2, 1), f, 3)) }
            routes.append(x)
        }
        b.role = .head
        let out = 3 * (c.classes + 5)
        var outputs: [ValueRef] = []
        x = routes[4]
        for (i, f) in [512, 256, 128].enumerated() {
            if i > 0 { x = try b.concat([b.upsample(cbl(&b, x, f, 1), scale: 2), routes[4 - i]]) }
            for _ in 0..<2 { x = try cbl(&b, cbl(&b, x, f, 1), 2 * f, 3) }
            x = try cbl(&b, x, f, 1)
            outputs.append(try b.conv(cbl(&b, x, 2 * f, 3), out, kernel: 1))
        }
        for o in outputs { b.output(o) }
        return b.graph
    }
}
