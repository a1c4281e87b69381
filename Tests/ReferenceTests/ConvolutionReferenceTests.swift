import Testing
import ModelIR
@testable import Reference

@Suite struct ConvolutionReferenceTests {
    let ones4: [Float] = [1, 1, 1, 1]

    @Test func plainConvWithBias() throws {
        let y = try runOp(.conv2d, [([1, 1, 3, 3], nine)], ["out_channels": .int(1), "kernel": .ints([2, 2])], weights: ["weight": ones4, "bias": [0.5]])
        #expect(y[0].shape == [1, 1, 2, 2])
        expectClose(y[0].values, [12.5, 16.5, 24.5, 28.5])
    }

    @Test func paddedStridedConvWindowsStartInPadding() throws {
        let y = try runOp(.conv2d, [([1, 1, 3, 3], nine)], ["out_channels": .int(1), "kernel": .ints([2, 2]), "stride": .ints([2, 2]),
                                                            "pads": .ints([1, 1, 1, 1]), "bias": .bool(false)], weights: ["weight": ones4])
        expectClose(y[0].values, [1, 5, 11, 28])
    }

    @Test func asymmetricPadsPadOnlyBottomRight() throws {
        let y = try runOp(.conv2d, [([1, 1, 3, 3], nine)], ["out_channels": .int(1), "kernel": .ints([2, 2]), "stride": .ints([2, 2]),
                                                            "pads": .ints([0, 0, 1, 1]), "bias": .bool(false)], weights: ["weight": ones4])
        expectClose(y[0].values, [12, 9, 15, 9])
    }

    @Test func dilationSkipsInputs() throws {
        let y = try runOp(.conv2d, [([1, 1, 3, 3], nine)], ["out_channels": .int(1), "kernel": .ints([2, 2]), "dilation": .ints([2, 2]), "bias": .bool(false)],
                          weights: ["weight": ones4])
        expectClose(y[0].values, [20])
    }

    @Test func groupsKeepChannelsApart() throws {
        let y = try runOp(.conv2d, [([1, 2, 1, 1], [2, 3])], ["out_channels": .int(2), "kernel": .ints([1, 1]), "groups": .int(2), "bias": .bool(false)],
                          weights: ["weight": [10, 100]])
        expectClose(y[0].values, [20, 300])
    }

    @Test func conv1d() throws {
        let y = try runOp(.conv1d, [([1, 1, 4], [1, 2, 3, 4])], ["out_channels": .int(1), "kernel": .ints([3]), "pads": .ints([1, 1]), "bias": .bool(false)],
                          weights: ["weight": [1, 0, -1]])
        #expect(y[0].shape == [1, 1, 4])
        expectClose(y[0].values, [-2, -2, -2, 3])
    }

    @Test func separableIsDepthwiseThenPointwise() throws {
        let y = try runOp(.separableConv2d, [([1, 2, 2, 2], [1, 1, 1, 1, 2, 2, 2, 2])], ["out_channels": .int(1), "kernel": .ints([1, 1])],
                          weights: ["depthwise": [3, 5], "pointwise": [1, 1], "bias": [0.5]])
        expectClose(y[0].values, [13.5, 13.5, 13.5, 13.5])
    }

    @Test func transposedConvOverlapsAdd() throws {
        let y = try runOp(.convTranspose2d, [([1, 1, 2, 2], [1, 2, 3, 4])], ["out_channels": .int(1), "kernel": .ints([2, 2]), "bias": .bool(false)],
                          weights: ["weight": ones4])
        #expect(y[0].shape == [1, 1, 3, 3])
        expectClose(y[0].values, [1, 3, 2, 4, 10, 6, 3, 7, 4])
    }

    @Test func transposedConvStrideScattersKernel() throws {
        let y = try runOp(.convTranspose2d, [([1, 1, 1, 2], [1, 10])], ["out_channels": .int(1), "kernel": .ints([2, 2]), "stride": .ints([2, 2]), "bias": .bool(false)],
                          weights: ["weight": [1, 2, 3, 4]])
        expectClose(y[0].values, [1, 2, 10, 20, 3, 4, 30, 40])
    }

    @Test func transposedConvPadsCropAndOutputPaddingExtends() throws {
        let cropped = try runOp(.convTranspose2d, [([1, 1, 2, 2], [1, 2, 3, 4])], ["out_channels": .int(1), "kernel": .ints([2, 2]), "stride": .ints([2, 2]),
                                                                                "pads": .ints([1, 1, 1, 1]), "bias": .bool(false)], weights: ["weight": ones4])
        expectClose(cropped[0].values, [1, 2, 3, 4])
        let extended = try runOp(.convTranspose2d, [([1, 1, 1, 1], [5])], ["out_channels": .int(1), "kernel": .ints([1, 1]), "stride": .ints([2, 2]),
                                                                       "output_padding": .ints([1, 1])], weights: ["weight": [1], "bias": [1]])
        expectClose(extended[0].values, [6, 1, 1, 1])
    }

    @Test func denseAndMatMul() throws {
        let y = try runOp(.dense, [([1, 2], [1, 2])], ["units": .int(3)], weights: ["weight": [1, 2, 3, 4, 5, 6], "bias": [0.1, 0.2, 0.3]])
        expectClose(y[0].values, [5.1, 11.2, 17.3], tolerance: 1e-6)
        let m = try runOp(.matMul, [([2, 2, 2], [1, 2, 3, 4, 0, 1, 1, 0]), ([2, 1], [1, 1])])
        #expect(m[0].shape == [2, 2, 1])
        expectClose(m[0].values, [3, 7, 1, 1])
    }
}
