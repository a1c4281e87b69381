import Foundation
import Testing
import ModelIR
@testable import Reference

@Suite struct ActivationReferenceTests {
    let x: [Double] = [-2, -0.5, 0, 0.5, 2, .nan, 7]

    func unary(_ op: OpKind, _ attributes: [String: AttributeValue] = [:], _ input: [Double]? = nil) throws -> [Double] {
        let v = input ?? x
        return try runOp(op, [([1, v.count], v)], attributes)[0].values
    }

    @Test func reluFamilyPropagatesNaN() throws {
        expectClose(try unary(.relu), [0, 0, 0, 0.5, 2, .nan, 7])
        expectClose(try unary(.relu6), [0, 0, 0, 0.5, 2, .nan, 6])
        expectClose(try unary(.leakyRelu, ["alpha": .float(0.1)]), [-0.2, -0.05, 0, 0.5, 2, .nan, 7])
        expectClose(try unary(.clip, ["min": .float(-1), "max": .float(1)]), [-1, -0.5, 0, 0.5, 1, .nan, 1])
    }

    @Test func exponentialFamily() throws {
        expectClose(try unary(.elu), [-0.8646647167633873, -0.3934693402873666, 0, 0.5, 2, .nan, 7])
        expectClose(try unary(.selu, [:], [-1, 1]), [-1.1113307378125625, 1.0507009873554805])
        expectClose(try unary(.sigmoid, [:], [0, 1]), [0.5, 0.7310585786300049])
        expectClose(try unary(.silu, [:], [1]), [0.7310585786300049])
        expectClose(try unary(.softplus, [:], [0, -50, 50]), [0.6931471805599453, 1.9287498479639178e-22, 50])
        expectClose(try unary(.tanh, [:], [1]), [0.7615941559557649])
        expectClose(try unary(.erf, [:], [1]), [0.8427007929497149])
        expectClose(try unary(.exp, [:], [1]), [M_E])
    }

    @Test func hardFunctions() throws {
        expectClose(try unary(.hardSigmoid), [1.0 / 6, 5.0 / 12, 0.5, 7.0 / 12, 5.0 / 6, .nan, 1])
        expectClose(try unary(.hardSigmoid, ["alpha": .float(0.2), "beta": .float(0.5)], [1, 5]), [0.7, 1])
        expectClose(try unary(.hardSwish), [-1.0 / 3, -0.5 * 2.5 / 6, 0, 0.5 * 3.5 / 6, 2 * 5.0 / 6, .nan, 7])
        expectClose(try unary(.softsign), [-2.0 / 3, -1.0 / 3, 0, 1.0 / 3, 2.0 / 3, .nan, 7.0 / 8])
    }

    @Test func geluExactDiffersFromTanhApproximation() throws {
        let exact = try unary(.gelu, ["approximate": .string("none")], [1, -1])
        let approx = try unary(.gelu, ["approximate": .string("tanh")], [1, -1])
        expectClose(exact, [0.8413447460685429, -0.15865525393145707])
        expectClose(approx, [0.8411919906082768, -0.15880800939172324])
        #expect(exact != approx)
        // Far in the negative tail without cancellation: 1 + erf(x/√2) lost 2% at −8 and everything at −10.
        let tail = try unary(.gelu, [:], [-8, -10])
        #expect(Swift.abs(tail[0] / -4.9767684594174555e-15 - 1) < 1e-9 && Swift.abs(tail[1] / -7.619853024160593e-23 - 1) < 1e-9, "\(tail)")
    }

    @Test func simpleMath() throws {
        expectClose(try unary(.log, [:], [M_E, 0, -1]), [1, -.infinity, .nan], tolerance: 1e-7)  // e arrives as float32
        expectClose(try unary(.sqrt, [:], [4, -1]), [2, .nan])
        expectClose(try unary(.abs, [:], [-2, 3]), [2, 3])
        expectClose(try unary(.neg, [:], [-2, 3]), [2, -3])
        expectClose(try unary(.identity, [:], [-2, 3]), [-2, 3])
    }

    @Test func preluUsesOneSlopePerChannel() throws {
        let y = try runOp(.prelu, [([1, 2, 1, 2], [-1, 2, -4, 4])], ["num_parameters": .int(2)], weights: ["weight": [0.5, 0.25]])
        expectClose(y[0].values, [-0.5, 2, -1, 4])
    }

    @Test func softmaxAndLogSoftmax() throws {
        expectClose(try runOp(.softmax, [([1, 3], [1, 2, 3])])[0].values, [0.09003057317038046, 0.24472847105479764, 0.6652409557748219])
        expectClose(try runOp(.logSoftmax, [([1, 3], [1, 2, 3])])[0].values, [-2.4076059644443806, -1.4076059644443806, -0.4076059644443806])
        expectClose(try runOp(.softmax, [([2, 2], [1, 3, 1000, 1000])], ["axis": .int(1)])[0].values, [0.11920292202211755, 0.8807970779778823, 0.5, 0.5])
        let nan = try runOp(.softmax, [([1, 2], [1, .nan])])[0].values
        #expect(nan.allSatisfy { $0.isNaN })
    }
}

@Suite struct BinaryReferenceTests {
    @Test func minMaxPropagateNaN() throws {
        expectClose(try runOp(.min, [([3], [1, .nan, 3]), ([3], [2, 2, .nan])])[0].values, [1, .nan, .nan])
        expectClose(try runOp(.max, [([3], [1, .nan, 3]), ([3], [2, 2, .nan])])[0].values, [2, .nan, .nan])
    }

    @Test func arithmeticBroadcasts() throws {
        let a: ([Int], [Double]) = ([2, 3], [1, 2, 3, 4, 5, 6])
        expectClose(try runOp(.add, [a, ([3], [10, 20, 30])])[0].values, [11, 22, 33, 14, 25, 36])
        expectClose(try runOp(.sub, [a, ([2, 1], [1, 2])])[0].values, [0, 1, 2, 2, 3, 4])
        expectClose(try runOp(.mul, [([2, 1], [2, 3]), ([1, 3], [1, 10, 100])])[0].values, [2, 20, 200, 3, 30, 300])
        expectClose(try runOp(.div, [([3], [1, -1, 0]), ([3], [0, 0, 0])])[0].values, [.infinity, -.infinity, .nan])
    }
}

@Suite struct LayoutReferenceTests {
    let row: ([Int], [Double]) = ([1, 1, 1, 3], [1, 2, 3])
    let lastAxisPads: [Int] = [0, 0, 0, 2, 0, 0, 0, 1]

    @Test func padModes() throws {
        expectClose(try runOp(.pad, [row], ["pads": .ints(lastAxisPads), "mode": .string("constant"), "value": .float(9)])[0].values, [9, 9, 1, 2, 3, 9])
        expectClose(try runOp(.pad, [row], ["pads": .ints(lastAxisPads), "mode": .string("reflect")])[0].values, [3, 2, 1, 2, 3, 2])
        expectClose(try runOp(.pad, [row], ["pads": .ints(lastAxisPads), "mode": .string("edge")])[0].values, [1, 1, 1, 2, 3, 3])
    }

    @Test func resizeNearest() throws {
        let y = try runOp(.resize, [([1, 1, 2, 2], [1, 2, 3, 4])], ["scale": .ints([2, 2]), "mode": .string("nearest")])
        expectClose(y[0].values, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        let down = try runOp(.resize, [([1, 1, 1, 4], [1, 2, 3, 4])], ["size": .ints([1, 3]), "mode": .string("nearest")])
        expectClose(down[0].values, [1, 2, 3])
    }

    @Test func resizeBilinearBothCornerConventions() throws {
        let halfPixel = try runOp(.resize, [([1, 1, 1, 2], [0, 4])], ["size": .ints([1, 4]), "mode": .string("bilinear"), "align_corners": .bool(false)])
        expectClose(halfPixel[0].values, [0, 1, 3, 4])
        let corners = try runOp(.resize, [([1, 1, 1, 2], [0, 4])], ["size": .ints([1, 3]), "mode": .string("bilinear"), "align_corners": .bool(true)])
        expectClose(corners[0].values, [0, 2, 4])
    }

    @Test func reshapeFlattenTranspose() throws {
        let x: ([Int], [Double]) = ([2, 3], [1, 2, 3, 4, 5, 6])
        expectClose(try runOp(.transpose, [x], ["perm": .ints([1, 0])])[0].values, [1, 4, 2, 5, 3, 6])
        let r = try runOp(.reshape, [x], ["shape": .ints([3, -1])])[0]
        #expect(r.shape == [3, 2])
        expectClose(r.values, [1, 2, 3, 4, 5, 6])
        #expect(try runOp(.flatten, [([2, 1, 3], [1, 2, 3, 4, 5, 6])])[0].shape == [2, 3])
    }

    @Test func concatAndSplit() throws {
        expectClose(try runOp(.concat, [([2, 1], [1, 2]), ([2, 2], [3, 4, 5, 6])], ["axis": .int(1)])[0].values, [1, 3, 4, 2, 5, 6])
        let parts = try runOp(.split, [([2, 3], [1, 2, 3, 4, 5, 6])], ["axis": .int(1), "sizes": .ints([2, 1])])
        #expect(parts.count == 2)
        expectClose(parts[0].values, [1, 2, 4, 5])
        expectClose(parts[1].values, [3, 6])
    }

    @Test func reductions() throws {
        let x: ([Int], [Double]) = ([2, 3], [1, 2, 3, 4, 5, 6])
        expectClose(try runOp(.reduceMean, [x], ["axes": .ints([1])])[0].values, [2, 5])
        expectClose(try runOp(.reduceSum, [x], ["axes": .ints([0])])[0].values, [5, 7, 9])
        let m = try runOp(.reduceMax, [x], ["axes": .ints([1]), "keepdims": .bool(true)])[0]
        #expect(m.shape == [2, 1])
        expectClose(m.values, [3, 6])
        expectClose(try runOp(.reduceMax, [([1, 2], [1, .nan])], ["axes": .ints([1])])[0].values, [.nan])
    }

    @Test func castRoundsToTheTargetFormat() throws {
        let x: ([Int], [Double]) = ([1, 6], [1.7, -1.7, 0.1, 65519, 70000, .nan])
        expectClose(try runOp(.cast, [x], ["to": .string("f16")])[0].values, [1.7001953125, -1.7001953125, 0.0999755859375, 65504, .infinity, .nan])
        expectClose(try runOp(.cast, [x], ["to": .string("bf16")])[0].values, [1.703125, -1.703125, 0.10009765625, 65536, 70144, .nan])
        expectClose(try runOp(.cast, [x], ["to": .string("i32")])[0].values, [1, -1, 0, 65519, 70000, .nan])
        expectClose(try runOp(.cast, [x], ["to": .string("bool")])[0].values, [1, 1, 1, 1, 1, 1])
        expectClose(try runOp(.cast, [([1, 1], [0.1])], ["to": .string("f32")])[0].values, [Double(Float(0.1))])
    }

    @Test func embeddingLooksUpRowsAndRejectsBadIds() throws {
        let table: [Float] = [0, 1, 10, 11, 20, 21]
        let y = try runOp(.embedding, [([1, 2], [2, 0])], ["vocab": .int(3), "dim": .int(2)], weights: ["weight": table], dtype: .i64)
        expectClose(y[0].values, [20, 21, 0, 1])
        do {
            _ = try runOp(.embedding, [([1, 1], [3])], ["vocab": .int(3), "dim": .int(2)], weights: ["weight": table], dtype: .i64)
            Issue.record("id 3 accepted for a vocabulary of 3")
        } catch let error as ReferenceError {
            #expect(error.code == .indexOutOfRange)
        }
    }
}

@Suite struct RecurrentReferenceTests {
    /// Hidden size 1, one feature, two steps; gate weights chosen so each gate's value is identifiable.
    /// Gate order i, f, g, o: i = σ(x), f = σ(1), g = tanh(x + h), o = σ(0.5).
    @Test func lstmGateOrderAndRecurrence() throws {
        let weights: [String: [Float]] = ["weight_ih": [1, 0, 1, 0], "weight_hh": [0, 0, 1, 0], "bias_ih": [0, 1, 0, 0.5], "bias_hh": [0, 0, 0, 0]]
        let seq = try runOp(.lstm, [([1, 2, 1], [1, 2])], ["hidden": .int(1)], weights: weights)
        expectClose(seq[0].values, [0.3147010786570003, 0.5315892755537512], tolerance: 1e-12)
        let last = try runOp(.lstm, [([1, 2, 1], [1, 2])], ["hidden": .int(1), "return_sequences": .bool(false)], weights: weights)
        #expect(last[0].shape == [1, 1])
        expectClose(last[0].values, [0.5315892755537512], tolerance: 1e-12)
    }

    /// Gate order r, z, n: r = σ(x), z = σ(0.5), n = tanh(x + r·(h + 0.25)) (the reset gate multiplies the
    /// hidden projection including its bias, as PyTorch does), h' = (1 − z)·n + z·h.
    @Test func gruGateOrderAndResetPlacement() throws {
        let weights: [String: [Float]] = ["weight_ih": [1, 0, 1], "weight_hh": [0, 0, 1], "bias_ih": [0, 0.5, 0], "bias_hh": [0, 0, 0.25]]
        let seq = try runOp(.gru, [([1, 2, 1], [1, 2])], ["hidden": .int(1)], weights: weights)
        expectClose(seq[0].values, [0.31272500682305104, 0.567101725120743], tolerance: 1e-12)
    }
}
