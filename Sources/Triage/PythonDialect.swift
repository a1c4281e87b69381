/// The libraries a generated reproducer may use: numpy alone (the float64 arithmetic written out, and the
/// simulated `faulty` framework), or PyTorch's native functionals.
public enum PythonDialect: String, Sendable, CaseIterable {
    case numpy, pytorch

    /// The module a value's functions live in, as the emitted code names it.
    var lib: String { self == .numpy ? "np" : "torch" }
}
