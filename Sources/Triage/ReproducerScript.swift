import ModelIR
import Oracles

/// One standalone reproducer script: the model written out in one framework (plus numpy), the saved inputs,
/// the float64 expected outputs, and a verdict: exit 1 with expected vs actual when the defect shows, 0 when
/// the outputs match the reference within the campaign's tolerance.
struct ReproducerScript {
    var framework: String
    var title: String
    var graph: Graph
    /// Input node name -> .npy file name.
    var inputFiles: [(String, String)]
    var expectedFiles: [String]
    var tolerance: Double
    /// For `faulty`: the planted op and kind (`crash`, `error`, `load`, `nan`, `wrong`).
    var fault: (op: String, kind: String)?
    var control = false
    /// Whether a reference NaN may only mean "undefined" (an integer cast given NaN, ±inf or an out-of-range
    /// value on these inputs): such positions are not checked.
    var nanUndefined = false
    /// Set for frameworks the model is not written out for (TensorFlow, JAX, MindSpore and every compiled
    /// variant): the framework's worker module (`backend_<base>.py`, with the IR helpers it imports) copied into
    /// `builder/`, which builds the model exactly as the run that found the defect did.
    var builder: Builder?

    struct Builder {
        /// The base framework, whose `backend_<base>.py` builds the model.
        var base: String
        /// The files copied into `builder/`.
        static func files(base: String) -> [String] { ["irgraph.py", "generic.py", "eager.py", "backend_\(base).py"] }
    }

    static let header = """
        import json
        import math
        import os
        import struct
        import sys

        import numpy as np

        """

    var text: String {
        let dialect: PythonDialect? = builder != nil ? nil : framework == "pytorch" ? .pytorch : framework == "onnxruntime" ? nil : .numpy
        var out = "#!/usr/bin/env python3\n\"\"\"" + docstring + "\"\"\"\n" + Self.header
        var body: [String] = []
        if let builder {
            out += Self.builderPrelude(base: builder.base)
        } else {
            switch framework {
            case "pytorch": out += "import torch\nimport torch.nn.functional as F\n\ntorch.set_num_threads(1)\n"
            case "onnxruntime": out += "import onnxruntime as ort\n"
            default: break
            }
        }
        out += "\nHERE = os.path.dirname(os.path.abspath(__file__))\nTOLERANCE = \(tolerance)\n" + "# A NaN in the reference may only mean \"undefined\" (the model casts to an integer): not checked then.\n"
            + "NAN_UNDEFINED = \(nanUndefined ? "True" : "False")\n\n\n" + Self.loader
        body.append("")
        if let dialect {
            let emitted = PythonModelEmitter(dialect: dialect).emit(graph, fault: fault)
            for h in emitted.helpers { out += "\n" + h }
            body.append("def run(x, W):")
            body.append("    v = {}")
            body += emitted.lines.map { "    " + $0 }
            body.append("    return [" + graph.outputs.map { "v[\(py($0.description))]" }.joined(separator: ", ") + "]")
            body.append("")
            body.append("")
        }
        body += runFramework
        out += "\n" + body.joined(separator: "\n") + "\n\n\n" + main
        return out
    }

    var docstring: String {
        var lines = ["Reproducer: \(title)", ""]
        if framework == "faulty" {
            lines.append("Framework: faulty, DefectLab's fault-injection framework. It is SIMULATED: it runs inside the Swift")
            lines.append("process, so this script re-enacts it with numpy alone: the model in float64 with the planted")
            lines.append("fault (\(fault.map { "\($0.op)=\($0.kind)" } ?? "none")) applied as the fuzzer's fault injector applies it.")
            if fault == nil {
                lines.append("This is a timing or memory finding: the simulated framework's slowness or allocation is not")
                lines.append("re-enacted here, so this script checks the values only (they match).")
            }
        } else if let builder {
            lines.append("Framework: \(framework)\(framework == builder.base ? "" : " (\(builder.base)'s compiled variant)"). Uses only \(builder.base) and numpy, through")
            lines.append("the model builder DefectLab's \(builder.base) worker uses, copied into builder/ (builder/backend_\(builder.base).py")
            lines.append("spells each IR op in \(builder.base)'s own calls): the model is built and run exactly as in the run that")
            lines.append("found the defect, with the same environment settings.")
            if control { lines.append("Control: this framework is not implicated; on the same model it should match the reference.") }
        } else {
            lines.append("Framework: \(framework). Uses only \(framework == "pytorch" ? "torch" : framework) and numpy.")
            if control { lines.append("Control: this framework is not implicated; on the same model it should match the reference.") }
        }
        lines.append("")
        lines.append("Run: python3 \(fileName). Exit 1 (with expected vs actual) when the defect shows (a crash: the process")
        lines.append("dies, 139 as of signal 11, as the framework's did), 2 when an op")
        lines.append("is not written out here, 0 when the outputs match the float64 reference (mean relative distance")
        lines.append("<= TOLERANCE, NaN/Inf exactly where the reference has them).")
        // Titles quote error messages: keep them from closing the docstring or starting an escape.
        // NUL: Python refuses a source file holding one.
        let text = lines.joined(separator: "\n").replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: "\u{0}", with: "?")
        return text.replacingOccurrences(of: "\"\"\"", with: "'''") + "\n"
    }

    var fileName: String { (control ? "control_" : "repro_") + SafeFolder.sanitize(framework) + ".py" }

    static let loader = """
        def load_safetensors(path):
            \"\"\"safetensors read by hand: 8-byte header length, JSON header, little-endian tensors.\"\"\"
            with open(path, "rb") as f:
                data = f.read()
            n = struct.unpack("<Q", data[:8])[0]
            header = json.loads(data[8:8 + n])
            types = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4"}
            out = {}
            for key, info in header.items():
                if key != "__metadata__":
                    begin, end = info["data_offsets"]
                    out[key] = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=types[info["dtype"]]).reshape(info["shape"])
            return out

        """

    /// The worker's environment (worker.py sets it before importing a framework), then the builder.
    static func builderPrelude(base: String) -> String {
        var lines = ["os.environ.setdefault(\"OMP_NUM_THREADS\", \"1\")", "os.environ.setdefault(\"TF_CPP_MIN_LOG_LEVEL\", \"2\")",
                     "os.environ.setdefault(\"GLOG_v\", \"3\")"]
        if base == "jax" {
            lines.append("os.environ.setdefault(\"XLA_FLAGS\", \"--xla_cpu_multi_thread_eigen=false --xla_backend_optimization_level=0\")")
        }
        lines += ["sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), \"builder\"))",
                  "import irgraph  # noqa: E402", "import backend_\(base) as backend  # noqa: E402", ""]
        return lines.joined(separator: "\n") + "\n"
    }

    var runFramework: [String] {
        if builder != nil {
            return ["def run_framework(x, W):",
                    "    with open(os.path.join(HERE, \"model\", \"graph.json\")) as f:",
                    "        graph = irgraph.Graph(json.load(f))",
                    "    model = backend.Backend().build(graph, {k: np.array(a) for k, a in W.items()}, \(py(framework)))",
                    "    outputs = model.run({k: np.array(a) for k, a in x.items()}, False)",
                    "    return [np.asarray(outputs[f\"output:{i}\"], np.float64) for i in range(\(graph.outputs.count))]"]
        }
        switch framework {
        case "pytorch":
            return ["def run_framework(x, W):",
                    "    xt = {k: torch.from_numpy(np.array(a)) for k, a in x.items()}",
                    "    wt = {k: torch.from_numpy(np.array(a)) for k, a in W.items()}",
                    "    with torch.no_grad():",
                    "        return [t.double().numpy() for t in run(xt, wt)]"]
        case "onnxruntime":
            return ["def run_framework(x, W):",
                    "    session = ort.InferenceSession(os.path.join(HERE, \"model\", \"model.onnx\"), providers=[\"CPUExecutionProvider\"])",
                    "    feeds = {i.name: x[i.name] for i in session.get_inputs()}",
                    "    return [np.asarray(o, np.float64) for o in session.run(None, feeds)[:\(graph.outputs.count)]]"]
        default:
            var lines = ["def run_framework(x, W):"]
            if let fault, ["load", "error", "crash"].contains(fault.kind) {
                lines.append("    # The planted defect, as the fault injector applies it.")
                switch fault.kind {
                case "load": lines.append("    raise RuntimeError(\(py("cannot load \(fault.op)")))")
                case "error": lines.append("    raise RuntimeError(\(py("RuntimeError in \(fault.op)")))")
                case "crash":
                    lines.append("    print(\(py("actual: the process dies: signal 11 in \(fault.op) (simulated crash)")), flush=True)")
                    lines.append("    os._exit(139)")
                default: break
                }
            }
            lines.append("    with np.errstate(all=\"ignore\"):")
            lines.append("        return run({k: a.astype(np.float64) for k, a in x.items()}, {k: a.astype(np.float64) for k, a in W.items()})")
            if let fault, fault.kind == "nan" || fault.kind == "wrong" {
                lines += ["", "", "def planted_fault(y):",
                          fault.kind == "nan" ? "    z = y - y\n    return y + z / z  # 0/0: NaN everywhere" : "    return y + np.abs(y)  # a wrong value"]
            }
            return lines
        }
    }

    var main: String {
        let inputs = inputFiles.map { "\(py($0.0)): np.load(os.path.join(HERE, \(py($0.1))))" }.joined(separator: ", ")
        let expected = expectedFiles.map { "np.load(os.path.join(HERE, \(py($0))))" }.joined(separator: ", ")
        return """
            def distance(a, r):
                both = np.isfinite(a) & np.isfinite(r)
                if not both.any():
                    return 0.0
                return float(np.abs(a[both] - r[both]).mean() / (np.abs(r[both]).mean() + 1e-7))


            def main():
                W = load_safetensors(os.path.join(HERE, "model", "weights.safetensors"))
                x = {\(inputs)}
                expected = [\(expected)]
                for i, e in enumerate(expected):
                    print(f"expected output {i}: shape {list(e.shape)}, first values {np.round(e.ravel()[:6], 5).tolist()}")
                try:
                    actual = run_framework(x, W)
                except NotImplementedError as error:
                    print(f"cannot check here: {error}")
                    return 2
                except Exception as error:
                    print(f"actual: {type(error).__name__}: {error}")
                    print("DEFECT SHOWS: the model does not run")
                    return 1
                bad = False
                for i, (a, e) in enumerate(zip(actual, expected)):
                    a = np.asarray(a, np.float64)
                    if a.shape != e.shape:
                        print(f"actual output {i}: shape {list(a.shape)} where {list(e.shape)} is expected")
                        bad = True
                        continue
                    nan = bool((~np.isfinite(a) & np.isfinite(e)).any())
                    # A NaN/Inf of the reference must come out as the same NaN/Inf (a NaN through ReLU6 that
                    # became 0 is the defect), unless it only stands for an undefined integer cast.
                    same = (a == e) | (np.isnan(a) & np.isnan(e))
                    lost = ~np.isfinite(e) & ~same
                    if NAN_UNDEFINED:
                        lost &= ~np.isnan(e)
                    lost = bool(lost.any())
                    d = distance(a, e)
                    print(f"actual output {i}: first values {np.round(a.ravel()[:6], 5).tolist()}; "
                          f"mean relative distance {d:.3g} (tolerance {TOLERANCE})"
                          f"{'; NaN/Inf where the reference is finite' if nan else ''}"
                          f"{'; no NaN/Inf where the float64 reference has one (not propagated)' if lost else ''}")
                    bad = bad or nan or lost or d > TOLERANCE
                print("DEFECT SHOWS" if bad else "no defect: the outputs match the float64 reference")
                return 1 if bad else 0


            if __name__ == "__main__":
                sys.exit(main())

            """
    }
}
