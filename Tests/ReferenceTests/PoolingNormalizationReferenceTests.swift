import Testing
import ModelIR
@testable import Reference

@Suite struct PoolingReferenceTests {
    let sixteen = (1...16).map(Double.init)

    @Test func ceilModeKeepsAWindowThatStartsInRealInput() throws {
        let attributes: [String: AttributeValue] = ["kernel": .ints([3, 3]), "stride": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "ceil_mode": .bool(true)]
        let y = try runOp(.maxPool2d, [([1, 1, 4, 4], sixteen)], attributes)
        #expect(y[0].shape == [1, 1, 3, 3])
        expectClose(y[0].values, [6, 8, 8, 14, 16, 16, 14, 16, 16])
        var floorMode = attributes
        floorMode["ceil_mode"] = .bool(false)
        expectClose(try runOp(.maxPool2d, [([1, 1, 4, 4], sixteen)], floorMode)[0].values, [6, 8, 14, 16])
    }

    @Test func ceilModeDropsAWindowThatWouldStartInThePadding() throws {
        let y = try runOp(.maxPool2d, [([1, 1, 3, 3], nine)], ["kernel": .ints([2, 2]), "stride": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "ceil_mode": .bool(true)])
        #expect(y[0].shape == [1, 1, 2, 2])
        expectClose(y[0].values, [1, 3, 7, 9])
    }

    @Test func maxPoolPropagatesNaN() throws {
        let y = try runOp(.maxPool2d, [([1, 1, 2, 2], [1, .nan, 3, 4])], ["kernel": .ints([2, 2])])
        #expect(y[0].values[0].isNaN)
    }

    @Test func countIncludePad() throws {
        let attributes: [String: AttributeValue] = ["kernel": .ints([2, 2]), "stride": .ints([1, 1]), "pads": .ints([1, 1, 1, 1]), "count_include_pad": .bool(true)]
        expectClose(try runOp(.avgPool2d, [([1, 1, 2, 2], [1, 2, 3, 4])], attributes)[0].values, [0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1])
        var exclude = attributes
        exclude["count_include_pad"] = .bool(false)
        expectClose(try runOp(.avgPool2d, [([1, 1, 2, 2], [1, 2, 3, 4])], exclude)[0].values, [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4])
    }

    @Test func ceilModeAverageDividesByTheClippedWindow() throws {
        let y = try runOp(.avgPool2d, [([1, 1, 3, 3], nine)], ["kernel": .ints([2, 2]), "ceil_mode": .bool(true), "count_include_pad": .bool(true)])
        expectClose(y[0].values, [3, 4.5, 7.5, 9])
    }

    @Test func globalPools() throws {
        expectClose(try runOp(.globalAvgPool, [([1, 2, 1, 2], [1, 3, -1, 5])])[0].values, [2, 2])
        expectClose(try runOp(.globalMaxPool, [([1, 2, 1, 2], [1, 3, -1, 5])])[0].values, [3, 5])
    }
}

@Suite struct NormalizationReferenceTests {
    @Test func batchNormUsesRunningStatistics() throws {
        let y = try runOp(.batchNorm, [([1, 2, 1, 2], [1, 3, 5, 7])], ["epsilon": .float(1e-5)],
                          weights: ["weight": [1, 2], "bias": [0, 1], "running_mean": [2, 6], "running_var": [4, 1]])
        expectClose(y[0].values, [-0.5, 0.5, -1, 3], tolerance: 1e-5)
    }

    @Test func batchNormWithoutScale() throws {
        let y = try runOp(.batchNorm, [([1, 1, 1, 2], [1, 3])], ["epsilon": .float(1e-5), "scale": .bool(false)],
                          weights: ["bias": [10], "running_mean": [2], "running_var": [4]])
        expectClose(y[0].values, [9.5, 10.5], tolerance: 1e-5)
    }

    @Test func layerNormWithAndWithoutBias() throws {
        let z = 1 / 1.25.squareRoot()
        let noBias = try runOp(.layerNorm, [([1, 1, 4], [1, 2, 3, 4])], ["bias": .bool(false), "epsilon": .float(1e-12)], weights: ["weight": [1, 1, 1, 2]])
        expectClose(noBias[0].values, [-1.5 * z, -0.5 * z, 0.5 * z, 3 * z], tolerance: 1e-9)
        let withBias = try runOp(.layerNorm, [([1, 1, 4], [1, 2, 3, 4])], ["epsilon": .float(1e-12)], weights: ["weight": [1, 1, 1, 1], "bias": [1, 1, 1, 1]])
        expectClose(withBias[0].values, [1 - 1.5 * z, 1 - 0.5 * z, 1 + 0.5 * z, 1 + 1.5 * z], tolerance: 1e-9)
    }

    @Test func groupNormNormalizesEachGroup() throws {
        let y = try runOp(.groupNorm, [([1, 4, 1, 1], [1, 3, 10, 20])], ["groups": .int(2), "epsilon": .float(1e-12)],
                          weights: ["weight": [1, 2, 3, 4], "bias": [0, 0, 0, 1]])
        expectClose(y[0].values, [-1, 2, -3, 5], tolerance: 1e-9)
    }

    @Test func dropoutIsIdentityAtInference() throws {
        expectClose(try runOp(.dropout, [([1, 3], [1, -2, 3])], ["rate": .float(0.9)])[0].values, [1, -2, 3])
    }
}
