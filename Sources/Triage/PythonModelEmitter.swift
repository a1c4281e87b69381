import ModelIR

/// Straight-line Python for a (small, reduced) model: one statement per node, `v[name] = ...`, in the
/// dialect's own calls, plus only the helpers those statements use. The scripts stay readable: a framework
/// developer sees each layer as their framework spells it.
struct PythonModelEmitter {
    let dialect: PythonDialect

    struct Unsupported: Error { var op: String }

    /// Statements computing every node into `v`, and the helper definitions they need.
    func emit(_ graph: Graph, fault: (op: String, kind: String)? = nil) -> (lines: [String], helpers: [String], unsupported: [String]) {
        var lines: [String] = [], helpers = Set<String>(), unsupported: [String] = []
        var faulted = false
        for node in graph.nodes {
            do {
                let (expr, needs) = try expression(node, graph)
                helpers.formUnion(needs)
                if node.outputs.count > 1 {
                    lines.append("outs = \(expr)")
                    for k in node.outputs.indices { lines.append("v[\(py(ValueRef(node.name, k).description))] = outs[\(k)]") }
                } else {
                    lines.append("v[\(py(node.name))] = \(expr)")
                }
            } catch {
                unsupported.append(node.op.rawValue)
                lines.append("raise NotImplementedError(\(py("op \(node.op.rawValue) is not written out in this reproducer")))")
            }
            if let fault, !faulted, node.op.rawValue == fault.op, fault.kind == "nan" || fault.kind == "wrong", node.outputs.count == 1 {
                faulted = true
                lines.append("v[\(py(node.name))] = planted_fault(v[\(py(node.name))])  # the planted defect")
            }
        }
        return (lines, helpers.sorted().compactMap { helperCode[$0] }, unsupported)
    }

    func ref(_ r: ValueRef) -> String { "v[\(py(r.description))]" }
    func w(_ node: Node, _ name: String) -> String { "W[\(py(node.weightKey(name)))]" }
    func hasWeight(_ node: Node, _ name: String) -> Bool { node.weights.contains { $0.name == name } }

    func expression(_ node: Node, _ graph: Graph) throws -> (String, Set<String>) {
        let a = node.inputs.map(ref)
        let x = a.first ?? ""
        let np = dialect == .numpy
        func ints(_ k: String, _ d: [Int]) -> [Int] { if case .ints(let v)? = node.attributes[k] { v } else if case .int(let v)? = node.attributes[k] { [v] } else { d } }
        func int(_ k: String, _ d: Int) -> Int { if case .int(let v)? = node.attributes[k] { v } else { d } }
        func dbl(_ k: String, _ d: Double) -> Double { switch node.attributes[k] { case .float(let v)?: v; case .int(let v)?: Double(v); default: d } }
        func str(_ k: String, _ d: String) -> String { if case .string(let v)? = node.attributes[k] { v } else { d } }
        func bool(_ k: String, _ d: Bool) -> Bool { if case .bool(let v)? = node.attributes[k] { v } else { d } }
        let inShape = node.inputs.first.flatMap { graph.type(of: $0)?.shape } ?? []
        let rank = inShape.count
        switch node.op {
        case .input:
            return ("x[\(py(node.name))]", [])
        case .conv2d, .conv1d:
            let oneD = node.op == .conv1d
            let k = ints("kernel", [1]), s = ints("stride", oneD ? [1] : [1, 1]), d = ints("dilation", oneD ? [1] : [1, 1])
            let p = ints("pads", oneD ? [0, 0] : [0, 0, 0, 0])
            let b = bool("bias", true) && hasWeight(node, "bias") ? w(node, "bias") : "None"
            if oneD {
                return ("conv2d(\(x)[:, :, None, :], \(w(node, "weight"))[:, :, None, :], \(b), \(py([1] + s)), \(py([1] + d)), \(py([0, p[0], 0, p[1]])), \(int("groups", 1)))[:, :, 0, :]", ["conv2d"])
            }
            _ = k
            return ("conv2d(\(x), \(w(node, "weight")), \(b), \(py(s)), \(py(d)), \(py(p)), \(int("groups", 1)))", ["conv2d"])
        case .dense:
            let b = hasWeight(node, "bias") ? " + \(w(node, "bias"))" : ""
            return ("\(x) @ \(w(node, "weight")).T\(b)", [])
        case .matMul:
            return ("\(a[0]) @ \(a[1])", [])
        case .batchNorm where !np:
            let weight = hasWeight(node, "weight") ? w(node, "weight") : "None", bias = hasWeight(node, "bias") ? w(node, "bias") : "None"
            return ("F.batch_norm(\(x), \(w(node, "running_mean")), \(w(node, "running_var")), \(weight), \(bias), False, 0.0, \(dbl("epsilon", 1e-5)))", [])
        case .batchNorm:
            let shape = "(1, -1" + String(repeating: ", 1", count: Swift.max(rank - 2, 0)) + ")"
            let sq = np ? "np.sqrt" : "torch.sqrt"
            var e = "(\(x) - \(w(node, "running_mean")).reshape\(shape)) / \(sq)(\(w(node, "running_var")).reshape\(shape) + \(dbl("epsilon", 1e-5)))"
            if hasWeight(node, "weight") { e = "\(e) * \(w(node, "weight")).reshape\(shape)" }
            if hasWeight(node, "bias") { e = "\(e) + \(w(node, "bias")).reshape\(shape)" }
            return (e, [])
        case .layerNorm:
            let r = int("normalized_rank", 1)
            let b = hasWeight(node, "bias") ? w(node, "bias") : "None"
            return ("layer_norm(\(x), \(r), \(w(node, "weight")), \(b), \(dbl("epsilon", 1e-5)))", ["layer_norm"])
        case .groupNorm:
            return ("group_norm(\(x), \(int("groups", 1)), \(w(node, "weight")), \(w(node, "bias")), \(dbl("epsilon", 1e-5)))", ["group_norm"])
        case .dropout, .identity:
            return (x, [])
        case .maxPool2d, .avgPool2d:
            let k = ints("kernel", [1, 1])
            let s = node.attributes["stride"] == nil ? k : ints("stride", k)
            if bool("ceil_mode", false) { throw Unsupported(op: "ceil_mode") }
            let p = ints("pads", [0, 0, 0, 0]), d = ints("dilation", [1, 1])
            let kind = node.op == .maxPool2d ? "max" : "avg"
            return ("pool2d(\(x), \(py(kind)), \(py(k)), \(py(s)), \(py(p)), \(py(d)), \(bool("count_include_pad", true) ? "True" : "False"))", ["pool2d"])
        case .globalAvgPool, .globalMaxPool:
            let axes = "(" + (2..<Swift.max(rank, 3)).map(String.init).joined(separator: ", ") + (rank == 3 ? "," : "") + ")"
            let keep = bool("keepdims", false) ? "True" : "False"
            let f = node.op == .globalAvgPool ? "mean" : (np ? "max" : "amax")
            return (np ? "\(x).\(f)(axis=\(axes), keepdims=\(keep))" : "\(x).\(f)(dim=\(axes), keepdim=\(keep))", [])
        case .flatten:
            return ("\(x).reshape(\(py(node.output.shape)))", [])
        case .reshape:
            return ("\(x).reshape(\(py(node.output.shape)))", [])
        case .transpose:
            let perm = ints("perm", [])
            return (np ? "np.transpose(\(x), \(py(perm)))" : "\(x).permute(\(py(perm)))", [])
        case .concat:
            return (np ? "np.concatenate([\(a.joined(separator: ", "))], axis=\(int("axis", 1)))" : "torch.cat([\(a.joined(separator: ", "))], \(int("axis", 1)))", [])
        case .split:
            let sizes = ints("sizes", []), axis = int("axis", 1)
            return (np ? "np.split(\(x), np.cumsum(\(py(sizes)))[:-1].tolist(), axis=\(axis))" : "torch.split(\(x), \(py(sizes)), \(axis))", [])
        case .add: return ("\(a[0]) + \(a[1])", [])
        case .sub: return ("\(a[0]) - \(a[1])", [])
        case .mul: return ("\(a[0]) * \(a[1])", [])
        case .div: return ("\(a[0]) / \(a[1])", [])
        case .min: return (np ? "np.minimum(\(a[0]), \(a[1]))" : "torch.minimum(\(a[0]), \(a[1]))", [])
        case .max: return (np ? "np.maximum(\(a[0]), \(a[1]))" : "torch.maximum(\(a[0]), \(a[1]))", [])
        case .clip: return (np ? "np.clip(\(x), \(dbl("min", -1e30)), \(dbl("max", 1e30)))" : "torch.clamp(\(x), \(dbl("min", -1e30)), \(dbl("max", 1e30)))", [])
        case .pad:
            let p = ints("pads", []), mode = str("mode", "constant"), value = dbl("value", 0)
            let half = p.count / 2
            let pairs = (0..<half).map { [p[$0], p[half + $0]] }
            if np {
                let m = mode == "constant" ? "'constant', constant_values=\(value)" : mode == "reflect" ? "'reflect'" : "'edge'"
                return ("np.pad(\(x), \(py(pairs)), \(m))", [])
            }
            let flat = pairs.reversed().flatMap { $0 }
            let m = mode == "constant" ? "'constant', value=\(value)" : mode == "reflect" ? "'reflect'" : "'replicate'"
            // torch pads non-constant modes on the trailing dims only: drop the leading zero pairs.
            var trimmed = flat
            if mode != "constant" { while trimmed.count > 2, trimmed.suffix(2).allSatisfy({ $0 == 0 }) { trimmed.removeLast(2) } }
            return ("F.pad(\(x), \(py(trimmed)), \(m))", [])
        case .softmax, .logSoftmax:
            let axis = int("axis", -1)
            if np { return ("\(node.op == .softmax ? "softmax" : "log_softmax")(\(x), \(axis))", ["softmax"]) }
            return ("F.\(node.op == .softmax ? "softmax" : "log_softmax")(\(x), \(axis))", [])
        case .relu: return (np ? "np.maximum(\(x), 0)" : "F.relu(\(x))", [])
        case .relu6: return (np ? "np.clip(\(x), 0, 6)" : "F.relu6(\(x))", [])
        case .leakyRelu: return (np ? "np.where(\(x) >= 0, \(x), \(dbl("alpha", 0.01)) * \(x))" : "F.leaky_relu(\(x), \(dbl("alpha", 0.01)))", [])
        case .elu: return (np ? "np.where(\(x) > 0, \(x), \(dbl("alpha", 1)) * np.expm1(np.minimum(\(x), 0)))" : "F.elu(\(x), \(dbl("alpha", 1)))", [])
        case .selu: return (np ? "1.0507009873554805 * np.where(\(x) > 0, \(x), 1.6732632423543772 * np.expm1(np.minimum(\(x), 0)))" : "F.selu(\(x))", [])
        case .sigmoid: return (np ? "1 / (1 + np.exp(-\(x)))" : "torch.sigmoid(\(x))", [])
        case .hardSigmoid:
            let al = dbl("alpha", 1.0 / 6), be = dbl("beta", 0.5)
            return (np ? "np.clip(\(al) * \(x) + \(be), 0, 1)" : "torch.clamp(\(al) * \(x) + \(be), 0, 1)", [])
        case .tanh: return ("\(np ? "np" : "torch").tanh(\(x))", [])
        case .gelu:
            let approx = str("approximate", "none")
            if np {
                return (approx == "tanh" ? "0.5 * \(x) * (1 + np.tanh(0.7978845608028654 * (\(x) + 0.044715 * \(x) ** 3)))"
                                         : "0.5 * \(x) * (1 + erf(\(x) / np.sqrt(2.0)))", ["erf"])
            }
            return ("F.gelu(\(x), approximate=\(py(approx)))", [])
        case .silu: return (np ? "\(x) / (1 + np.exp(-\(x)))" : "F.silu(\(x))", [])
        case .hardSwish: return (np ? "\(x) * np.clip(\(x) + 3, 0, 6) / 6" : "F.hardswish(\(x))", [])
        case .softplus: return (np ? "np.maximum(\(x), 0) + np.log1p(np.exp(-np.abs(\(x))))" : "F.softplus(\(x))", [])
        case .softsign: return (np ? "\(x) / (1 + np.abs(\(x)))" : "F.softsign(\(x))", [])
        case .erf: return (np ? "erf(\(x))" : "torch.erf(\(x))", np ? ["erf"] : [])
        case .exp: return ("\(dialect.lib).exp(\(x))", [])
        case .log: return ("\(dialect.lib).log(\(x))", [])
        case .sqrt: return ("\(dialect.lib).sqrt(\(x))", [])
        case .abs: return ("\(dialect.lib).abs(\(x))", [])
        case .neg: return ("-\(x)", [])
        case .reduceMean, .reduceSum, .reduceMax:
            let axes = "(" + ints("axes", [1]).map(String.init).joined(separator: ", ") + ",)"
            let keep = bool("keepdims", false) ? "True" : "False"
            let f = node.op == .reduceMean ? "mean" : node.op == .reduceSum ? "sum" : (np ? "max" : "amax")
            return (np ? "\(x).\(f)(axis=\(axes), keepdims=\(keep))" : "\(x).\(f)(dim=\(axes), keepdim=\(keep))", [])
        case .cast:
            // The fuzzer's QDQ, MixedPrec and MDtype operators insert casts: a reproducer of their defects needs them.
            let to = str("to", "f32")
            let names = ["f32": "float32", "f64": "float64", "f16": "float16", "bf16": "bfloat16", "i32": "int32", "i64": "int64", "bool": "bool"]
            guard let name = names[to], !(np && to == "bf16") else { throw Unsupported(op: "Cast(to=\(to))") }
            return (np ? "\(x).astype(np.\(name == "bool" ? "bool_" : name))" : "\(x).to(torch.\(name))", [])
        default:
            throw Unsupported(op: node.op.rawValue)
        }
    }

    /// Helpers, per dialect: each small, each spelled as the ops' documented semantics say.
    var helperCode: [String: String] {
        dialect == .numpy ? [
            "erf": "erf = np.vectorize(math.erf, otypes=[np.float64])\n",
            "softmax": """
                def softmax(x, axis):
                    e = np.exp(x - x.max(axis=axis, keepdims=True))
                    return e / e.sum(axis=axis, keepdims=True)


                def log_softmax(x, axis):
                    m = x - x.max(axis=axis, keepdims=True)
                    return m - np.log(np.exp(m).sum(axis=axis, keepdims=True))

                """,
            "conv2d": """
                def conv2d(x, w, b, stride, dilation, pads, groups):
                    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
                    N, C, H, Wd = x.shape
                    O, Cg, kh, kw = w.shape
                    Ho = (H - dilation[0] * (kh - 1) - 1) // stride[0] + 1
                    Wo = (Wd - dilation[1] * (kw - 1) - 1) // stride[1] + 1
                    out = np.zeros((N, O, Ho, Wo), x.dtype)
                    Og = O // groups
                    for g in range(groups):
                        xs = x[:, g * Cg:(g + 1) * Cg]
                        for i in range(kh):
                            for j in range(kw):
                                y0, x0 = i * dilation[0], j * dilation[1]
                                patch = xs[:, :, y0:y0 + stride[0] * (Ho - 1) + 1:stride[0], x0:x0 + stride[1] * (Wo - 1) + 1:stride[1]]
                                out[:, g * Og:(g + 1) * Og] += np.einsum("nchw,oc->nohw", patch, w[g * Og:(g + 1) * Og, :, i, j])
                    return out if b is None else out + b.reshape(1, -1, 1, 1)

                """,
            "pool2d": """
                def pool2d(x, kind, k, s, pads, dil, include_pad):
                    t, l, b, r = pads
                    xp = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=-np.inf if kind == "max" else 0.0)
                    ones = np.pad(np.ones_like(x), ((0, 0), (0, 0), (t, b), (l, r)))
                    H, Wd = xp.shape[2], xp.shape[3]
                    Ho = (H - dil[0] * (k[0] - 1) - 1) // s[0] + 1
                    Wo = (Wd - dil[1] * (k[1] - 1) - 1) // s[1] + 1
                    def windows(a):
                        return np.stack([a[:, :, i * dil[0]:i * dil[0] + s[0] * (Ho - 1) + 1:s[0], j * dil[1]:j * dil[1] + s[1] * (Wo - 1) + 1:s[1]]
                                         for i in range(k[0]) for j in range(k[1])])
                    if kind == "max":
                        return windows(xp).max(axis=0)
                    total = windows(xp).sum(axis=0)
                    return total / (k[0] * k[1] if include_pad else windows(ones).sum(axis=0))

                """,
            "layer_norm": """
                def layer_norm(x, rank, w, b, eps):
                    axes = tuple(range(x.ndim - rank, x.ndim))
                    m = x.mean(axis=axes, keepdims=True)
                    y = (x - m) / np.sqrt(((x - m) ** 2).mean(axis=axes, keepdims=True) + eps) * w
                    return y if b is None else y + b

                """,
            "group_norm": """
                def group_norm(x, groups, w, b, eps):
                    N, C = x.shape[:2]
                    g = x.reshape(N, groups, -1)
                    m = g.mean(axis=2, keepdims=True)
                    y = ((g - m) / np.sqrt(((g - m) ** 2).mean(axis=2, keepdims=True) + eps)).reshape(x.shape)
                    shape = (1, C) + (1,) * (x.ndim - 2)
                    return y * w.reshape(shape) + b.reshape(shape)

                """,
        ] : [
            "conv2d": """
                def conv2d(x, w, b, stride, dilation, pads, groups):
                    x = F.pad(x, (pads[1], pads[3], pads[0], pads[2]))
                    return F.conv2d(x, w, b, stride, 0, dilation, groups)

                """,
            "pool2d": """
                def pool2d(x, kind, k, s, pads, dil, include_pad):
                    t, l, b, r = pads
                    if kind == "max":
                        return F.max_pool2d(F.pad(x, (l, r, t, b), value=float("-inf")), k, s, 0, dil)
                    if include_pad or not any(pads):
                        return F.avg_pool2d(F.pad(x, (l, r, t, b)), k, s)
                    # Excluding the padding, for any pads (avg_pool2d's own padding is symmetric: it would drop b, r):
                    # the window sums over the counts of real elements.
                    ones = F.pad(torch.ones_like(x), (l, r, t, b))
                    return F.avg_pool2d(F.pad(x, (l, r, t, b)), k, s) / F.avg_pool2d(ones, k, s)

                """,
            "layer_norm": """
                def layer_norm(x, rank, w, b, eps):
                    return F.layer_norm(x, tuple(x.shape[x.dim() - rank:]), w, b, eps)

                """,
            "group_norm": """
                def group_norm(x, groups, w, b, eps):
                    return F.group_norm(x, groups, w, b, eps)

                """,
        ]
    }
}

/// A Python string literal. Every control character is escaped: a carriage return would end the line in the
/// middle of the literal and a NUL makes the whole script unreadable to Python (names and messages come from
/// graphs and frameworks, not from us).
func py(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case _ where u.value < 0x20 || u.value == 0x7F: out += "\\x" + (u.value < 0x10 ? "0" : "") + String(u.value, radix: 16)
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}

func py(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ", ") + "]" }

func py(_ v: [[Int]]) -> String { "[" + v.map { py($0) }.joined(separator: ", ") + "]" }
