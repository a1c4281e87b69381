import Foundation
import Reports
import ModelIR
import Oracles

/// The Markdown draft of a bug report, in the implicated framework's tracker style (PyTorch's and ONNX
/// Runtime's issue templates name their sections differently): title, environment, steps, expected, actual,
/// and the HP taxonomy tag.
struct BugReportWriter {
    var defect: DefectRecord
    var graph: Graph
    var reduction: Reduction?
    var scripts: [String]
    /// The Python to run a script with when it is not `python3`: a release the campaign ran from another
    /// interpreter (`--framework pytorch@old=PYTHON`), by script file name.
    var interpreters: [String: String] = [:]
    /// The framework venv's Python where the defect was found: named for `python3`, which may lack the frameworks.
    var python: String?
    var expectedHead: [String]
    var subtypeName: String?
    var planted: String?
    /// Framework -> `module x.y.z`, where the interpreter answered.
    var versions: [String: String] = [:]
    /// Whether some script builds the model with the worker's builder copied into `builder/`.
    var builder = false
    /// The mean relative distance the scripts check against (the campaign's, scaled for the model's dtypes).
    var tolerance: Double = OracleThresholds().relativeDistance
    /// A performance defect's factor (the campaign's `slowdownFactor` or `memoryFactor`).
    var performanceFactor: Double?
    /// Whether the scripts measure the campaign's seed too (`seed/`): the defect is the growth from it.
    var seedMeasured = false
    /// What the campaign observed on the representative mutant (`framework: detail`).
    var observed: [String] = []

    var text: String {
        let framework = defect.frameworkList.first ?? "framework"
        let headings: (bug: String, steps: String, expected: String, actual: String, env: String) = switch framework {
        case "pytorch": ("🐛 Describe the bug", "To reproduce", "Expected behavior", "Actual behavior", "Versions")
        case "onnxruntime": ("Describe the issue", "To reproduce", "Expected behavior", "Actual behavior", "Platform and versions")
        case "tensorflow": ("Issue type: Bug", "Standalone code to reproduce the issue", "Expected behavior", "Current behavior", "System information")
        default: ("Describe the bug", "Steps to reproduce", "Expected behavior", "Actual behavior", "Environment")
        }
        // The stored text (a merged shard's store can come from anywhere) is one escaped line each: a title
        // with newlines and HTML would otherwise write sections and markup of its own into the report.
        var lines = ["# \(Escape.markdownCell(defect.title))", ""]
        let tag = "`\(defect.subtype)`" + (subtypeName.map { " — \($0)" } ?? "")
        lines.append("**HP taxonomy:** \(tag) · symptom `\(defect.symptom)`" + (defect.stage.map { " · stage `\($0)`" } ?? ""))
        lines.append("**Found by:** DefectLab fuzzing, campaign(s) \(defect.campaigns.map(String.init).joined(separator: ", ")): \(defect.findingCount) raw finding(s) folded into this defect (first seen \(defect.firstSeen), last seen \(defect.lastSeen)).")
        lines += ["", "## \(headings.bug)", ""]
        lines.append("`\(defect.op)`" + (defect.keyAttributes.isEmpty ? "" : " (\(Escape.markdownCell(defect.keyAttributes)))")
                     + " on \(Escape.markdownCell(defect.frameworks)): \(symptomSentence).")
        if let reduction {
            lines.append("The model below was reduced automatically from a \(reduction.originalNodes)-node mutant to \(graph.nodes.count) nodes; it is \(reduction.kind == "interface" ? "an" : "a") **\(reduction.kind)** defect (" + (reduction.kind == "interface" ? "the op alone, on the captured inputs, shows it" : "the op alone does not show it: it takes the surrounding graph") + ").")
        }
        if reduction == nil {
            lines.append("The model below is the unreduced mutant the defect was found on: on re-execution of the implicated frameworks beside the float64 reference the defect did not show again (timing findings need every framework's run to compare; others may be flaky).")
        }
        lines += ["", "| node | op | inputs | output |", "|---|---|---|---|"]
        for n in graph.nodes {
            let attrs = n.attributes.keys.sorted().map { "\($0)=\(n.attributes[$0]!)" }.joined(separator: ", ")
            lines.append("| `\(n.name)` | \(n.op.rawValue)\(attrs.isEmpty ? "" : " (\(attrs))") | \(n.inputs.map(\.description).joined(separator: ", ")) | \(n.outputs.map(\.description).joined(separator: ", ")) |")
        }
        lines += ["", "## \(headings.steps)", "", "```sh"]
        // Controls first: a performance repro compares against the controls' measurements in the folder.
        for s in scripts.filter({ $0.hasPrefix("control_") }) + scripts.filter({ !$0.hasPrefix("control_") }) {
            lines.append("\(interpreters[s].map(Self.shellQuoted) ?? "python3") \(s)")
        }
        let verdict = switch defect.symptom {
        case "slowdown", "memory_growth":
            "checks the values, then measures its " + (defect.symptom == "slowdown" ? "median time over 10 runs" : "peak memory")
                + (defect.frameworks.contains("faulty") ? " with the planted fault and without it, and exits 1 when the fault makes it \(String(format: "%g", performanceFactor ?? 10)) times or more"
                   : seedMeasured
                   ? " on this model and on the seed model it was derived from (`seed/`), and writes its growth into `measured_<framework>.json`; run the control scripts first: a repro script exits 1 when it grew \(String(format: "%g", performanceFactor ?? 10)) times or more the controls' growth (their median, at least 1; timings need an otherwise idle machine)"
                   : " into `measured_<framework>.json`; run the control scripts first: a repro script exits 1 when its measurement is \(String(format: "%g", performanceFactor ?? 10)) times or more a control's (timings need an otherwise idle machine)")
        default:
            "prints expected vs actual and exits 1 when the defect shows (a crash kills the process instead, as the framework's did)"
        }
        lines += ["```", ""]
        if let python, scripts.contains(where: { interpreters[$0] == nil }) {
            lines += ["`python3` stands for a Python with the script's framework and numpy (where the defect was found: `\(python)`).", ""]
        }
        lines += ["Each script is standalone (the framework and numpy only); it loads `model/weights.safetensors`, the inputs (`input_*.npy`) and the float64 expected outputs (`expected_*.npy`), \(verdict). `model/graph.json` is the model in DefectLab's IR" + "."
                  + (builder ? " A script for a framework whose model is not written out layer by layer here builds it from `model/graph.json` with DefectLab's own builder for that framework, copied into `builder/` (the code that found the defect; it uses that framework and numpy only)." : "")]
        lines += ["", "## \(headings.expected)", "", "The outputs of the float64 reference interpreter, within a mean relative distance of \(String(format: "%g", tolerance)):", ""]
        lines += expectedHead.map { "- \($0)" }
        lines += ["", "## \(headings.actual)", "", actualSentence]
        lines += ["", "## \(headings.env)", ""]
        if defect.frameworks.contains("faulty") {
            lines.append("- faulty: DefectLab's fault-injection framework, simulated in-process" + (planted.map { " (planted defect `\($0)`)" } ?? "")
                         + (versions["faulty"].map { "; its reproducer needs \($0)" } ?? ""))
        }
        for fw in defect.frameworkList where fw != "faulty" {
            if let v = versions[fw] { lines.append("- \(fw): \(v)"); continue }
            let module = FrameworkVersions.module(fw) ?? fw
            lines.append("- \(fw): version as printed by `python3 -c 'import \(module); print(\(module).__version__)'`")
        }
        let os = ProcessInfo.processInfo.operatingSystemVersionString
        lines.append("- OS: \(os); Python 3 with numpy")
        lines.append("- Found with DefectLab 0.1.0 (`defectlab defects show \(defect.id)`)")
        if let reduction, !reduction.steps.isEmpty {
            lines += ["", "<details><summary>How the model was reduced (\(reduction.runs) candidate runs)</summary>", ""]
            lines += reduction.steps.map { "- \($0)" }
            lines += ["", "</details>"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var symptomSentence: String {
        switch defect.symptom {
        case "crash": "the process crashes"
        case "error": defect.stage == "load" ? "loading the model fails"
            : defect.stage == "build" || defect.stage == "compile" ? "building the model fails" : "running the model raises an error"
        case "nan_inf": defect.error == DefectSignature.nanNotPropagated
            ? "outputs finite values where the float64 reference has NaN/Inf (NaN/Inf not propagated)"
            : "outputs NaN/Inf where the float64 reference is finite"
        case "inconsistency": "outputs differ from the float64 reference beyond the tolerance"
        case "slowdown": "runs abnormally slowly (its time grew far more from the seed model than the other frameworks' did)"
        case "memory_growth": "allocates abnormally (its peak memory grew far more from the seed model than the other frameworks' did)"
        default: defect.symptom.replacingOccurrences(of: "_", with: " ")
        }
    }

    var actualSentence: String {
        var s = symptomSentence.prefix(1).uppercased() + symptomSentence.dropFirst() + "."
        if !defect.error.isEmpty, defect.symptom != "nan_inf" { s += " Normalized message: \(Escape.markdownCell(defect.error))." }
        if !observed.isEmpty {
            s += " Observed by the campaign on the \(reduction == nil ? "" : "unreduced ")mutant: "
                + observed.map { Escape.markdownCell($0) }.joined(separator: "; ") + "."
        }
        return s
    }

    /// A path as one shell word: as it is when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ path: String) -> String {
        let safe = path.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "/._-+=:,@".unicodeScalars.contains($0)) }
        return safe && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
