/// OpenPose (Cao et al. 2017, the CMU body model): VGG-19's first ten convolutions, two CPM convolutions,
/// then six two-branch stages predicting part-affinity fields (38) and confidence maps (19).
enum Pose {
    static let openPose = ZooEntry(
        name: "openpose", task: "pose estimation", reference: "CMU OpenPose body_pose_model (COCO, 6 stages)",
        referenceParameters: 52_311_446,
        defaults: ZooConfig(inputSize: 64, width: 0.125, classes: 19), full: ZooConfig(inputSize: 368, width: 1, classes: 19, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "openpose")
        var x = try b.input([c.batch, 3, c.inputSize, c.inputSize])
        x = try VGG.features(&b, x, config: [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512]], c: c, poolLast: false)
        x = try b.relu(b.conv(x, c.ch(256), kernel: 3, pad: 1))
        let features = try b.relu(b.conv(x, c.ch(128), kernel: 3, pad: 1))
        b.role = .head
        // Two PAF channels (x, y) per limb; the COCO model has 19 limbs and 19 confidence maps (18 parts + background).
        let pafChannels = 2 * c.classes, heat = c.classes
        let stages = c.fullSize ? 6 : 2
        var l1 = features, l2 = features
        for stage in 1...stages {
            let source = stage == 1 ? features : try b.concat([l1, l2, features])
            func branch(_ b: inout GraphBuilder, _ out: Int) throws(ValidityError) -> ValueRef {
                var y = source
                if stage == 1 {
                    for _ in 0..<3 { y = try b.relu(b.conv(y, c.ch(128), kernel: 3, pad: 1)) }
                    y = try b.relu(b.conv(y, c.ch(512), kernel: 1))
                } else {
                    for _ in 0..<5 { y = try b.relu(b.conv(y, c.ch(128), kernel: 7, pad: 3)) }
                    y = try b.relu(b.conv(y, c.ch(128), kernel: 1))
                }
                return try b.conv(y, out, kernel: 1)
            }
            l1 = try branch(&b, pafChannels)
            l2 = try branch(&b, heat)
        }
        b.output(l1, l2)
        return b.graph
    }
}
