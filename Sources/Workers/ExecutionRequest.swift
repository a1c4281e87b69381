import Foundation
import ModelIR

/// One thing to ask a worker: build this model and run it (or train it).
public struct ExecutionRequest: Sendable {
    public var graph: Graph
    public var weights: WeightStore
    public var inputs: [String: Tensor]
    /// Every node's output (for localization), or the graph outputs only.
    public var perNode = false
    /// Each node's time too (`ExecutionResult.nodeMs`), from one more pass after the timed repeats: the eager
    /// path walked node by node, or ONNX Runtime's own profiler. For localizing a slowdown.
    public var profileNodes = false
    public var warmup = 1
    public var repeats = 3
    /// Timed repeats go on past `repeats` while they add up to less than this many milliseconds (at most 1000
    /// repeats in all): a small model's few repeats are too short a window for a robust time. 0: exactly `repeats`.
    public var minTimedMs: Double = 0
    /// A compiled variant (`pytorch-compile`, ...) or nil for the framework's eager mode.
    public var variant: String?
    public var training: Training?
    /// Seconds before the worker counts as hung (start-up excluded).
    public var timeout: Double = 120
    public var memoryLimitMB: Double? = 8192

    public struct Training: Sendable {
        public var steps: Int
        public var learningRate: Double
        /// MSE target for the graph's first output.
        public var target: Tensor
        public init(steps: Int, learningRate: Double, target: Tensor) {
            self.steps = steps
            self.learningRate = learningRate
            self.target = target
        }
    }

    public init(graph: Graph, weights: WeightStore, inputs: [String: Tensor]) {
        self.graph = graph
        self.weights = weights
        self.inputs = inputs
    }

    /// Weights above this size travel through a file under /dev/shm instead of the frame (a 1 MiB pipe would
    /// hand them over a MiB at a time).
    public static let sharedMemoryThreshold = 1 << 20
}
