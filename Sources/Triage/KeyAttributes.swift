import ModelIR

/// The attributes of a localized node that can make it a different bug, per op, bucketed into behaviour
/// classes (1×1 vs k×k kernel, unit vs larger stride, plain vs grouped vs depthwise...): a parameter mutation
/// that moves a kernel from 3 to 5 must not split one defect into many, while a depthwise or reflect-padded
/// variant often is another code path in the framework.
public enum KeyAttributes {
    /// `name=class` pairs, sorted, comma-separated; "" for ops whose attributes do not pick a code path.
    public static func describe(_ node: Node, graph: Graph? = nil) -> String {
        var parts: [String] = []
        func ints(_ key: String) -> [Int]? { if case .ints(let v)? = node.attributes[key] { v } else if case .int(let v)? = node.attributes[key] { [v] } else { nil } }
        func int(_ key: String) -> Int? { if case .int(let v)? = node.attributes[key] { v } else { nil } }
        func bool(_ key: String) -> Bool? { if case .bool(let v)? = node.attributes[key] { v } else { nil } }
        func string(_ key: String) -> String? { if case .string(let v)? = node.attributes[key] { v } else { nil } }
        func kernel() {
            guard let k = ints("kernel") else { return }
            // A 1-D kernel has no shape class, only its size (Conv1d's read "kernel=square").
            parts.append("kernel=" + (k.allSatisfy { $0 == 1 } ? "1" : k.count == 1 ? ">1" : Set(k).count == 1 ? "square" : "rect"))
        }
        func unit(_ key: String) {
            guard let v = ints(key) else { return }
            parts.append("\(key)=" + (v.allSatisfy { $0 == 1 } ? "1" : ">1"))
        }
        func pads() {
            guard let p = ints("pads"), p.contains(where: { $0 != 0 }) else { return }
            let half = p.count / 2
            parts.append("pads=" + (Array(p.prefix(half)) == Array(p.suffix(half)) ? "sym" : "asym"))
        }
        switch node.op {
        case .conv2d, .conv1d, .convTranspose2d, .separableConv2d:
            kernel(); unit("stride"); unit("dilation"); pads()
            if let g = int("groups"), g > 1 {
                let inChannels = graph.flatMap { g0 in node.inputs.first.flatMap { g0.type(of: $0) } }.map { $0.shape.count > 1 ? $0.shape[1] : 0 }
                parts.append("groups=" + (inChannels == g ? "depthwise" : "grouped"))
            }
        case .maxPool2d, .avgPool2d:
            kernel(); unit("stride"); pads()
            if bool("ceil_mode") == true { parts.append("ceil_mode=true") }
            if node.op == .avgPool2d, bool("count_include_pad") == false { parts.append("count_include_pad=false") }
        case .pad:
            parts.append("mode=" + (string("mode") ?? "constant"))
        case .resize:
            parts.append("mode=" + (string("mode") ?? "nearest"))
            if bool("align_corners") == true { parts.append("align_corners=true") }
        case .gelu:
            if let a = string("approximate"), a != "none" { parts.append("approximate=" + a) }
        case .softmax, .logSoftmax, .concat, .flatten:
            if let a = int("axis") { parts.append("axis=" + (a == -1 ? "last" : String(a))) }
        case .layerNorm:
            if let r = int("normalized_rank"), r != 1 { parts.append("normalized_rank=\(r)") }
        default:
            break
        }
        // A half-precision node is another kernel in every framework.
        if let dtype = node.outputs.first?.dtype, dtype != .f32 { parts.append("dtype=" + dtype.rawValue) }
        return parts.sorted().joined(separator: ",")
    }
}
