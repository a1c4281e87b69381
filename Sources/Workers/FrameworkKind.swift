/// The frameworks and their named compiled variants. A variant runs in its base framework's worker.
public enum FrameworkKind {
    public static let all = ["pytorch", "onnxruntime", "tensorflow", "jax", "mindspore"]
    public static let variants: [String: String] = [
        "pytorch-compile": "pytorch", "onnxruntime-noopt": "onnxruntime", "tensorflow-xla": "tensorflow",
        "mindspore-graph": "mindspore", "jax-eager": "jax",
    ]

    /// The worker a framework or variant name runs in.
    public static func base(of name: String) -> String? {
        all.contains(name) ? name : variants[name]
    }
}
