import Foundation

/// The one seedable random generator of DefectLab: SplitMix64 (Steele, Lea & Flood; Vigna's `splitmix64.c`).
/// Every random choice in the tool takes a seed — samples, annotator assignments, weights and inputs, mutants,
/// bootstrap intervals — and a recorded seed must give the same draws on every platform and Swift version,
/// which `SystemRandomNumberGenerator` (not seedable) and the standard library's shuffles and ranged draws (free
/// to change their algorithms between releases) do not promise. So the draws the tool records go through the
/// methods here, written out in full.
///
/// The hot members are `@inlinable`: weight initialization draws millions of values from other modules.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    @inlinable
    public init(seed: UInt64) { state = seed }

    /// A generator for one named stream under a seed (a node's weights, an input, an annotator's queue, a
    /// framework's stratum): streams differ from each other, and each stays the same when others are added.
    /// The name is hashed with FNV-1a, which is stable (Swift's `Hasher` is seeded per process).
    public init(seed: UInt64, stream: String) {
        self.init(seed: seed ^ Self.fnv1a(stream.utf8))
        _ = next()
    }

    /// 64-bit FNV-1a: a stable hash for deriving seeds from names.
    public static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound`: Lemire's multiply-shift with rejection (no modulo bias).
    @inlinable
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        while true {
            let product = next().multipliedFullWidth(by: b)
            if product.low >= (0 &- b) % b { return Int(product.high) }
        }
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    @inlinable
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// Standard normal by Box–Muller (one value per call; simple and reproducible).
    @inlinable
    public mutating func normal() -> Double {
        let u1 = Swift.max(unit(), 0x1p-60), u2 = unit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}

extension Array {
    /// Fisher–Yates with `SplitMix64.below`: the standard library's `shuffle(using:)` may change its algorithm
    /// between releases, which would silently change recorded samples.
    public func seededShuffle(_ generator: inout SplitMix64) -> [Element] {
        var copy = self
        guard copy.count > 1 else { return copy }
        for i in stride(from: copy.count - 1, to: 0, by: -1) {
            copy.swapAt(i, generator.below(i + 1))
        }
        return copy
    }
}
