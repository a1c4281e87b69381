import Foundation
import ModelIR

/// A fast 128-bit fingerprint of a model (canonical graph JSON, weight names, shapes and bits, training mode),
/// for the duplicate check before execution. The SHA-256 content hash that the store records costs more than a
/// reference run, so the campaign computes it alongside the execution instead of in front of it.
public struct Fingerprint: Hashable, Sendable {
    public var a: UInt64
    public var b: UInt64

    /// The graph enters by its structural hash (the same fields its JSON holds; per process, which is all a
    /// campaign's duplicate check needs), so no JSON is encoded in front of the execution.
    public init(model: FuzzModel) {
        var h = Hasher()
        h.combine(model.graph)
        let g = UInt64(bitPattern: Int64(h.finalize()))
        self.init(graphJSON: withUnsafeBytes(of: g.littleEndian) { Data($0) }, model: model)
    }

    public init(graphJSON: Data, model: FuzzModel) {
        var h1: UInt64 = 0x9E37_79B9_7F4A_7C15, h2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        func mix(_ v: UInt64) {
            h1 = (h1 ^ v) &* 0xFF51_AFD7_ED55_8CCD
            h1 ^= h1 >> 33
            h2 = (h2 &+ v &* 0x9E37_79B9_7F4A_7C15) ^ (h2 >> 29)
            h2 = h2 &* 0xC4CE_B9FE_1A85_EC53
        }
        graphJSON.withUnsafeBytes { raw in
            var i = 0
            while i + 8 <= raw.count { mix(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)); i += 8 }
            while i < raw.count { mix(UInt64(raw[i])); i += 1 }
        }
        for key in model.weights.keys.sorted() {
            let t = model.weights[key]!
            for u in key.utf8 { mix(UInt64(u)) }
            for d in t.shape { mix(UInt64(bitPattern: Int64(d))) }
            t.values.withUnsafeBufferPointer { values in
                var i = 0
                while i + 2 <= values.count {
                    mix(UInt64(values[i].bitPattern) | UInt64(values[i + 1].bitPattern) << 32)
                    i += 2
                }
                if i < values.count { mix(UInt64(values[i].bitPattern)) }
            }
        }
        mix(UInt64(model.trainingSteps))
        mix(model.learningRate.bitPattern)
        a = h1
        b = h2
    }
}

extension FuzzModel {
    /// The SHA-256 content hash from an already encoded graph (`contentHash` without encoding twice).
    func contentHash(graphJSON: Data) -> String {
        var hasher = SHA256()
        hasher.update(graphJSON)
        hasher.update(Safetensors.encode(weights))
        let base = hasher.finalize().map { String($0, radix: 16, uppercase: false) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        return trainingSteps == 0 ? base : String(base.prefix(40)) + String(format: "t%07dr%07d", trainingSteps, Int(learningRate * 1e6))
    }
}

/// Runs a closure on another thread and hands its result over once (the content hash beside the execution).
final class Background<T: Sendable>: @unchecked Sendable {
    private var value: T?
    private let group = DispatchGroup()

    init(_ work: @escaping @Sendable () -> T) {
        group.enter()
        DispatchQueue.global().async {
            self.value = work()
            self.group.leave()
        }
    }

    var result: T {
        group.wait()
        return value!
    }
}
