import Testing
@testable import ModelIR

@Suite struct ZooTests {
    @Test func zooHasTheStudysArchitectures() {
        #expect(ModelZoo.entries.count >= 23)
        #expect(Set(ModelZoo.entries.map(\.name)).count == ModelZoo.entries.count)
        for name in ["lenet5", "lenet5-relu", "alexnet", "vgg16", "vgg19", "resnet50", "inceptionv3", "densenet121", "xception",
                     "mobilenetv2", "lstm-regressor", "lstm-stacked-regressor", "textcnn", "unet", "deeplabv3", "ssd-resnet50-fpn",
                     "ssd-mobilenetv1", "yolov3", "openpose", "ssim-autoencoder", "patchcore-wrn50"] {
            #expect(ModelZoo.entry(named: name) != nil, "missing \(name)")
        }
    }

    @Test(arguments: ModelZoo.entries.map(\.name))
    func everySeedValidatesAtDefaultSize(name: String) throws {
        let entry = try #require(ModelZoo.entry(named: name))
        let graph = try entry.build(entry.defaults)
        // Re-inferring the built graph from scratch must agree with the builder's node-by-node inference.
        let reinferred = try graph.inferred()
        #expect(reinferred == graph)
        #expect(graph.nodes.contains { $0.role == .backbone })
        #expect(graph.nodes.contains { $0.role == .head })
        #expect(!graph.outputs.isEmpty)
    }

    @Test(arguments: ModelZoo.entries.map(\.name))
    func everySeedBuildsAtFullSize(name: String) throws {
        let entry = try #require(ModelZoo.entry(named: name))
        let graph = try entry.build(entry.full)
        #expect(graph.parameterCount(.all) >= graph.parameterCount(.trainable))
        let small = try entry.build(entry.defaults)
        #expect(graph.parameterCount(.trainable) >= small.parameterCount(.trainable))
    }

    @Test(arguments: ModelZoo.entries.filter { $0.referenceParameters != nil }.map(\.name))
    func fullSizeParameterCountsMatchTheReference(name: String) throws {
        let entry = try #require(ModelZoo.entry(named: name))
        let graph = try entry.build(entry.full)
        #expect(graph.parameterCount(entry.convention) == entry.referenceParameters)
    }

    @Test func keyCountsFromTheIssue() throws {
        let expected: [String: Int] = ["vgg16": 138_357_544, "vgg19": 143_667_240, "resnet50": 25_557_032, "inceptionv3": 23_851_784,
                                       "densenet121": 7_978_856, "xception": 22_910_480, "mobilenetv2": 3_504_872]
        for (name, count) in expected {
            let entry = try #require(ModelZoo.entry(named: name))
            #expect(try entry.build(entry.full).parameterCount(entry.convention) == count, "\(name)")
        }
    }
}

