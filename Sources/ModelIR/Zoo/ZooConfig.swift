/// How big to build a seed model. Defaults are CPU-friendly; `fullSize` restores the paper's sizes (input,
/// width 1, original class count) so parameter counts can be compared with the reference implementation.
public struct ZooConfig: Sendable, Hashable {
    public var inputSize: Int
    public var width: Double
    public var classes: Int
    public var fullSize: Bool
    public var batch: Int

    public init(inputSize: Int, width: Double, classes: Int, fullSize: Bool = false, batch: Int = 1) {
        self.inputSize = inputSize
        self.width = width
        self.classes = classes
        self.fullSize = fullSize
        self.batch = batch
    }

    /// A channel count scaled by `width` (at least `minimum`, so no layer vanishes at small widths).
    public func ch(_ c: Int, minimum: Int = 4) -> Int {
        width == 1 ? c : Swift.max(minimum, Int((Double(c) * width).rounded()))
    }

    /// A channel count scaled by `width` and rounded to a multiple of `divisor` (MobileNet's `_make_divisible`).
    public func divisible(_ c: Int, by divisor: Int = 8) -> Int {
        let v = Double(c) * width
        var r = Swift.max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
        if Double(r) < 0.9 * v { r += divisor }
        return r
    }
}
