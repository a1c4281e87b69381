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
    /// For `faulty`: the planted op and kind (`crash`, `error`, `load`, `nan`, `wrong`, `slow`, `memory`).
    var fault: (op: String, kind: String)?
    /// For a performance defect: what is measured and the factor that shows the defect. A script then also
    /// times its run and reads its peak memory; the simulated `faulty` framework compares itself against the
    /// same run without its planted fault, a real framework against the control scripts' measurements left
    /// in the folder (`measured_<framework>.json`).
    var performance: Performance?

    struct Performance {
        enum Metric: String { case time, memory }
        var metric: Metric
        var factor: Double
    }
    var control = false
    /// A framework the campaign ran from another interpreter (`pytorch@old`, with that interpreter when it is
    /// known): the script is `framework`'s, named after this one, and says which Python to run it with.
    var release: (name: String, interpreter: String?)?
    /// Whether the defect is a crash (the header then says how one shows: the process dies).
    var crash = false
    /// For a performance defect on a real framework: the campaign's seed model the mutant came from, written
    /// under `seed/`. The script measures it too, since the defect is this framework's growth from its seed
    /// against the other frameworks' growth (as the campaign's oracle judged it): constant speed or memory
    /// differences between frameworks are not the defect.
    var seed: SeedModel?

    struct SeedModel {
        var graph: Graph
        /// Input node name -> .npy file name (under `seed/`).
        var inputFiles: [(String, String)]
    }
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

        try:
            import numpy as np
        except ImportError as error:
            print(f"cannot check here: {error} (run this with a Python that has numpy and the framework)")
            sys.exit(2)

        """

    /// Framework imports: a Python without the framework cannot check, which is exit 2, not "the defect shows".
    static func guarded(_ imports: [String]) -> String {
        "try:\n" + imports.map { "    " + $0 + "\n" }.joined()
            + "except ImportError as error:\n    print(f\"cannot check here: {error} (run this with a Python that has the framework)\")\n    sys.exit(2)\n"
    }

    var text: String {
        let dialect: PythonDialect? = builder != nil ? nil : framework == "pytorch" ? .pytorch : framework == "onnxruntime" ? nil : .numpy
        var out = "#!/usr/bin/env python3\n\"\"\"" + docstring + "\"\"\"\n" + Self.header
        var body: [String] = []
        if let builder {
            out += Self.builderPrelude(base: builder.base)
        } else {
            switch framework {
            case "pytorch": out += Self.guarded(["import torch", "import torch.nn.functional as F"]) + "\ntorch.set_num_threads(1)\n"
            case "onnxruntime": out += Self.guarded(["import onnxruntime as ort"])
            default: break
            }
        }
        out += "\nHERE = os.path.dirname(os.path.abspath(__file__))\nTOLERANCE = \(Self.decimal(tolerance))\n"
            + "# A control framework is not implicated: a model it cannot run says nothing about the defect (exit 2).\n"
            + "CONTROL = \(control ? "True" : "False")\n" + "# A NaN in the reference may only mean \"undefined\" (the model casts to an integer): not checked then.\n"
            + "NAN_UNDEFINED = \(nanUndefined ? "True" : "False")\n"
            + "# A performance defect: what is measured, and how many times a correct run's it must be to show.\n"
            + "PERFORMANCE = \(performance.map { py($0.metric.rawValue) } ?? "None")\nFACTOR = \(performance?.factor ?? 0)\nREPEATS = 10\n\n\n" + Self.loader
        if performance != nil { out += performanceCode }
        body.append("")
        if let dialect {
            let emitted = PythonModelEmitter(dialect: dialect).emit(graph, fault: fault)
            var helpers = emitted.helpers
            body += Self.function("run", graph: graph, lines: emitted.lines)
            if let seed, dialect == .pytorch {
                let seedEmitted = PythonModelEmitter(dialect: dialect).emit(seed.graph)
                helpers += seedEmitted.helpers.filter { !helpers.contains($0) }
                body += Self.function("run_seed", graph: seed.graph, lines: seedEmitted.lines)
            }
            for h in helpers { out += "\n" + h }
        }
        body += runFramework
        out += "\n" + body.joined(separator: "\n") + "\n\n\n" + main
        return out
    }

    /// A threshold as Python reads it, at most 6 significant digits (1e-4 scaled from 2e-6 printed as
    /// 9.999999999999999e-05).
    static func decimal(_ x: Double) -> String {
        let text = String(format: "%.6g", x)
        return text.contains(".") || text.contains("e") || text.contains("n") ? text : text + ".0"
    }

    /// `def NAME(x, W)` running `graph`'s emitted lines.
    static func function(_ name: String, graph: Graph, lines: [String]) -> [String] {
        ["def \(name)(x, W):", "    v = {}"] + lines.map { "    " + $0 }
            + ["    return [" + graph.outputs.map { "v[\(py($0.description))]" }.joined(separator: ", ") + "]", "", ""]
    }

    var docstring: String {
        var lines = ["Reproducer: \(title)", ""]
        if framework == "faulty" {
            lines.append("Framework: faulty, DefectLab's fault-injection framework. It is SIMULATED: it runs inside the Swift")
            lines.append("process, so this script re-enacts it with numpy alone: the model in float64 with the planted")
            lines.append("fault (\(fault.map { "\($0.op)=\($0.kind)" } ?? "none")) applied as the fuzzer's fault injector applies it.")
            if fault == nil {
                lines.append("No fault of the simulated framework is re-enacted here: this script checks the values only.")
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
        if let release {
            lines.append("The campaign ran \(release.name) from another Python\(release.interpreter.map { " (\($0))" } ?? ""): run this script with that")
            lines.append("Python; its \(framework) is the release under test (another Python's \(framework) may not show the defect).")
        }
        lines.append("")
        // The Python the script runs with: another interpreter's, for a release the campaign ran from one.
        let python = release == nil ? "python3" : "that Python"
        if let performance {
            let what = performance.metric == .time ? "median time over REPEATS runs" : "peak memory"
            if framework == "faulty" {
                lines.append("Run: python3 \(fileName). Checks the values, then measures the \(what) with the planted fault and")
                lines.append("without it: exit 1 when the fault makes it FACTOR times or more (the defect shows), else 0.")
            } else if seed != nil {
                lines.append("Run the control scripts first, then \(python) \(fileName). Each checks the values, then measures its")
                lines.append("\(what) on this model and on the seed model it was derived from (seed/), and writes the growth")
                lines.append("into measured_<framework>.json. A repro script exits 1 when its growth is FACTOR times or more the")
                lines.append("controls' (their median, at least 1): the defect shows; 0 when it is not, or, while no control has")
                lines.append("been measured, when it grew less than FACTOR times (it says so). Timings need an otherwise idle machine.")
            } else {
                lines.append("Run the control scripts first, then \(python) \(fileName). Each checks the values, then measures its")
                lines.append("\(what) into measured_<framework>.json; a repro script exits 1 when its measurement is FACTOR")
                lines.append("times or more a control's in this folder (the defect shows), 0 when it is not, or when no control")
                lines.append("has been measured yet (it says so). Timings need an otherwise idle machine.")
            }
        } else {
            if crash || fault?.kind == "crash" {
                lines.append("Run: \(python) \(fileName). Exit 1 (with expected vs actual) when the defect shows (a crash: the process")
                lines.append("dies, 139 as of signal 11, as the framework's did), 2 when an op")
            } else {
                lines.append("Run: \(python) \(fileName). Exit 1 (with expected vs actual) when the defect shows, 2 when an op")
            }
            lines.append("is not written out here, the framework is not installed\(control ? " or this control framework cannot run the model" : ""), 0 when the outputs match the")
            lines.append("float64 reference (mean relative distance <= TOLERANCE, NaN/Inf exactly where the reference has them).")
        }
        // Titles quote error messages: keep them from closing the docstring or starting an escape.
        // NUL: Python refuses a source file holding one.
        let text = lines.joined(separator: "\n").replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: "\u{0}", with: "?")
        return text.replacingOccurrences(of: "\"\"\"", with: "'''") + "\n"
    }

    var fileName: String { (control ? "control_" : "repro_") + SafeFolder.sanitize(release?.name ?? framework) + ".py" }

    /// Measuring a performance defect (see `performance`).
    var performanceCode: String {
        let faulty = framework == "faulty"
        let measured = "measured_\(SafeFolder.sanitize(framework)).json"
        var lines = [
            "import resource  # noqa: E402",
            "import time  # noqa: E402",
            "",
            "",
            "def measure(run_once):",
            "    \"\"\"Median ms over REPEATS runs of the prepared model (built once, outside the timing) after a warm-up,",
            "    and the process's peak resident MB.\"\"\"",
            "    run_once()",
            "    times = []",
            "    for _ in range(REPEATS):",
            "        start = time.perf_counter()",
            "        run_once()",
            "        times.append((time.perf_counter() - start) * 1e3)",
            "    return float(np.median(times)), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024",
            "",
            "",
            "def performance(x, W):",
            "    unit = \"ms\" if PERFORMANCE == \"time\" else \"MB\"",
            "    pick = 0 if PERFORMANCE == \"time\" else 1",
        ]
        if faulty {
            lines += [
                "    clean = measure(prepare_framework(x, W\(fault?.kind == "slow" ? ", planted=False" : "")))",
                "    planted = measure(prepare_framework(x, W))",
            ]
            if fault?.kind == "memory" {
                lines += ["    # The fault injector reports 40 times the resident size it reads: re-enacted here.",
                          "    planted = (planted[0], planted[1] * 40)"]
            }
            lines += [
                "    ratio = planted[pick] / max(clean[pick], 1e-9)",
                "    print(f\"with the planted fault: {planted[pick]:.3f} {unit}; without it: {clean[pick]:.3f} {unit} ({ratio:.1f}x, defect at {FACTOR}x)\")",
                "    print(\"DEFECT SHOWS\" if ratio >= FACTOR else f\"no defect: the planted fault costs less than {FACTOR} times\")",
                "    return 1 if ratio >= FACTOR else 0",
            ]
        } else if let seed {
            let inputs = seed.inputFiles.map { "\(py($0.0)): np.load(os.path.join(HERE, \"seed\", \(py($0.1))))" }.joined(separator: ", ")
            lines += [
                "    # The seed first: peak memory is the process's high-water mark, which the larger model then raises.",
                "    seed = measure(prepare_framework({\(inputs)}, load_safetensors(os.path.join(HERE, \"seed\", \"weights.safetensors\")), \"seed\"))",
                "    mine = measure(prepare_framework(x, W))",
                "    growth = mine[pick] / max(seed[pick], 1e-9)",
                "    print(f\"\(framework): {mine[pick]:.3f} {unit} on this model, {seed[pick]:.3f} {unit} on its seed model: grew {growth:.2f}x\")",
                "    with open(os.path.join(HERE, \(py(measured))), \"w\") as f:",
                "        json.dump({\"framework\": \(py(framework)), \"ms\": mine[0], \"peak_mb\": mine[1], \"seed_ms\": seed[0], \"seed_peak_mb\": seed[1],",
                "                   \"growth\": {\"time\": mine[0] / max(seed[0], 1e-9), \"memory\": mine[1] / max(seed[1], 1e-9)}}, f)",
            ]
            if control {
                lines.append("    return 0")
            } else {
                lines += Self.readControls(except: measured, value: "other[\"growth\"][PERFORMANCE]", when: "\"growth\" in other") + [
                    "    if not others:",
                    "        if growth < FACTOR:",
                    "            print(f\"no defect: it grew less than {FACTOR} times from its seed (the controls' growth can only raise that bar)\")",
                    "        else:",
                    "            print(\"no control measured yet: run the control scripts first, then this one, to compare with their growth\")",
                    "        return 0",
                    "    for name, value in others:",
                    "        print(f\"{name} grew {value:.2f}x from the seed\")",
                    "    typical = max(1.0, float(np.median([value for _, value in others])))",
                    "    ratio = growth / typical",
                    "    print(f\"{ratio:.1f}x the controls' growth ({typical:.2f}x: their median, at least 1); defect at {FACTOR}x\")",
                    "    print(\"DEFECT SHOWS\" if ratio >= FACTOR else f\"no defect: it grew less than {FACTOR} times the controls' growth\")",
                    "    return 1 if ratio >= FACTOR else 0",
                ]
            }
        } else {
            lines += [
                "    mine = measure(prepare_framework(x, W))",
                "    print(f\"\(framework): {mine[pick]:.3f} {unit}\")",
                "    with open(os.path.join(HERE, \(py(measured))), \"w\") as f:",
                "        json.dump({\"framework\": \(py(framework)), \"ms\": mine[0], \"peak_mb\": mine[1]}, f)",
            ]
            if control {
                lines.append("    return 0")
            } else {
                lines += Self.readControls(except: measured, value: "other[\"ms\"] if pick == 0 else other[\"peak_mb\"]") + [
                    "    if not others:",
                    "        print(\"no control measured yet: run the control scripts first, then this one, to compare\")",
                    "        return 0",
                    "    worst = 0.0",
                    "    for name, value in others:",
                    "        ratio = mine[pick] / max(value, 1e-9)",
                    "        worst = max(worst, ratio)",
                    "        print(f\"against {name}: {value:.3f} {unit} ({ratio:.1f}x, defect at {FACTOR}x)\")",
                    "    print(\"DEFECT SHOWS\" if worst >= FACTOR else f\"no defect: within {FACTOR} times of every control\")",
                    "    return 1 if worst >= FACTOR else 0",
                ]
            }
        }
        return lines.joined(separator: "\n") + "\n\n\n"
    }


    /// Python lines reading the controls' measurements left in the folder (`measured_*.json` but this script's own)
    /// into `others`, as (framework, `value`) pairs, those for which `when` holds.
    static func readControls(except measured: String, value: String, when condition: String? = nil) -> [String] {
        let append = "others.append((other[\"framework\"], \(value)))"
        return ["    others = []",
                "    for name in sorted(os.listdir(HERE)):",
                "        if name.startswith(\"measured_\") and name.endswith(\".json\") and name != \(py(measured)):",
                "            with open(os.path.join(HERE, name)) as f:",
                "                other = json.load(f)"]
            + (condition.map { ["            if \($0):", "                " + append] } ?? ["            " + append])
    }

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
            lines.append("os.environ[\"DEFECTLAB_JAX_CACHE\"] = \"off\"  # no compile cache outside this folder")
        }
        lines += ["sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), \"builder\"))"]
        return lines.joined(separator: "\n") + "\n" + guarded(["import irgraph  # noqa: E402", "import backend_\(base) as backend  # noqa: E402"])
    }

    /// `prepare_framework(x, W)` builds the model once and returns the function that runs it (what a
    /// performance script times: a session or model built inside the timed call measured ONNX Runtime's session
    /// creation, 34 ms against a 0.15 ms run); `run_framework(x, W)` is one prepared run.
    var runFramework: [String] {
        var lines: [String]
        let planted = framework == "faulty" && fault?.kind == "slow"
        if builder != nil {
            lines = ["def prepare_framework(x, W, folder=\"model\"):",
                     "    with open(os.path.join(HERE, folder, \"graph.json\")) as f:",
                     "        graph = irgraph.Graph(json.load(f))",
                     "    model = backend.Backend().build(graph, {k: np.array(a) for k, a in W.items()}, \(py(framework)))",
                     "    xs = {k: np.array(a) for k, a in x.items()}",
                     "",
                     "    def run_once():",
                     "        outputs = model.run(xs, False)",
                     "        return [np.asarray(outputs[f\"output:{i}\"], np.float64) for i in range(len(graph.outputs))]",
                     "    return run_once"]
        } else {
            switch framework {
            case "pytorch":
                lines = ["def prepare_framework(x, W, folder=\"model\"):",
                         "    xt = {k: torch.from_numpy(np.array(a)) for k, a in x.items()}",
                         "    wt = {k: torch.from_numpy(np.array(a)) for k, a in W.items()}",
                         seed == nil ? "    model = run" : "    model = run if folder == \"model\" else run_seed",
                         "",
                         "    def run_once():",
                         "        with torch.no_grad():",
                         "            return [t.double().numpy() for t in model(xt, wt)]",
                         "    return run_once"]
            case "onnxruntime":
                lines = ["def prepare_framework(x, W, folder=\"model\"):",
                         "    session = ort.InferenceSession(os.path.join(HERE, folder, \"model.onnx\"), providers=[\"CPUExecutionProvider\"])",
                         "    feeds = {i.name: x[i.name] for i in session.get_inputs()}",
                         "    count = \(graph.outputs.count) if folder == \"model\" else None",
                         "",
                         "    def run_once():",
                         "        return [np.asarray(o, np.float64) for o in session.run(None, feeds)[:count]]",
                         "    return run_once"]
            default:
                lines = [planted ? "def prepare_framework(x, W, planted=True):" : "def prepare_framework(x, W):",
                         "    xs = {k: a.astype(np.float64) for k, a in x.items()}",
                         "    ws = {k: a.astype(np.float64) for k, a in W.items()}",
                         "",
                         "    def run_once():"]
                if let fault, ["load", "error", "crash"].contains(fault.kind) {
                    lines.append("        # The planted defect, as the fault injector applies it.")
                    switch fault.kind {
                    case "load": lines.append("        raise RuntimeError(\(py("cannot load \(fault.op)")))")
                    case "error": lines.append("        raise RuntimeError(\(py("RuntimeError in \(fault.op)")))")
                    case "crash":
                        lines.append("        print(\(py("actual: the process dies: signal 11 in \(fault.op) (simulated crash)")), flush=True)")
                        lines.append("        os._exit(139)")
                    default: break
                    }
                }
                if let fault, planted {
                    lines.append("        if planted:")
                    lines.append("            time.sleep(0.05)  # the planted slowness of \(fault.op), as the fault injector applies it")
                }
                lines.append("        with np.errstate(all=\"ignore\"):")
                lines.append("            return run(xs, ws)")
                lines.append("    return run_once")
                if let fault, fault.kind == "nan" || fault.kind == "wrong" {
                    lines += ["", "", "def planted_fault(y):",
                              fault.kind == "nan" ? "    z = y - y\n    return y + z / z  # 0/0: NaN everywhere" : "    return y + np.abs(y)  # a wrong value"]
                }
            }
        }
        return lines + ["", "", "def run_framework(x, W):", "    return prepare_framework(x, W)()"]
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
                    if CONTROL:
                        print("cannot check here: this control framework does not run the model (it is not the defect)")
                        return 2
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
                    finite = int((np.isfinite(a) & np.isfinite(e)).sum())
                    # No position finite in both: there is no distance to speak of (0 read as "it matched").
                    shown = f"{d:.6g} (tolerance {TOLERANCE})" if finite else "n/a (no position is finite in both)"
                    print(f"actual output {i}: first values {np.round(a.ravel()[:6], 5).tolist()}; "
                          f"mean relative distance {shown}"
                          f"{'; NaN/Inf where the reference is finite' if nan else ''}"
                          f"{'; no NaN/Inf where the float64 reference has one (not propagated)' if lost else ''}")
                    bad = bad or nan or lost or d > TOLERANCE
                if PERFORMANCE is not None:
                    # A performance defect is judged by its measurement alone: a value difference the model also
                    # has (another defect) is said, not taken for the slowdown.
                    print("the outputs match the float64 reference; measuring" if not bad
                          else "note: the outputs also differ from the float64 reference (another defect, not this one); measuring")
                    return performance(x, W)
                print("DEFECT SHOWS" if bad else "no defect: the outputs match the float64 reference")
                return 1 if bad else 0


            if __name__ == "__main__":
                sys.exit(main())

            """
    }
}
