import Foundation
import Reports
import Fuzz
import ModelIR
import Oracles
import Reference
import Workers

/// What a reproducer folder holds.
public struct ReproducerFolder: Sendable, Codable {
    public var path: String
    public var files: [String]
    /// Script per framework (implicated ones first, then controls).
    public var scripts: [String: String]
    public var controls: [String]
}

/// Writes one defect's self-contained reproducer folder: the minimal model (graph JSON, safetensors, ONNX
/// when ONNX Runtime is implicated), inputs and float64 expected outputs as .npy, one standalone script per
/// implicated framework (and per control framework: the same model where it should pass), and the bug
/// report draft. Frameworks whose model `PythonModelEmitter` does not write out (TensorFlow, JAX, MindSpore,
/// compiled variants) build it with their worker's builder, copied into `builder/`. Nothing is written outside
/// the folder.
public struct ReproducerWriter: Sendable {
    /// Makes `model/model.onnx` when ONNX Runtime is implicated or a control.
    public var exporter: OnnxExporter?
    /// Subtype id -> its name in the HP taxonomy.
    public var subtypeNames: [String: String]
    /// Frameworks that get a control script when not implicated (the same model, expected to pass).
    public var controls: [String]
    public var tolerance: Double
    /// Asks the interpreter for the implicated frameworks' versions (the bug report's environment).
    public var versions: FrameworkVersions?

    /// The framework venv's Python, which the bug report names for running the scripts here.
    public var interpreter: String?

    public init(exporter: OnnxExporter? = nil, subtypeNames: [String: String] = [:], controls: [String] = ["pytorch"], tolerance: Double = OracleThresholds().relativeDistance,
                versions: FrameworkVersions? = nil, interpreter: String? = nil) {
        self.interpreter = interpreter
        self.exporter = exporter
        self.versions = versions
        self.subtypeNames = subtypeNames
        self.controls = controls
        self.tolerance = tolerance
    }

    /// The folder a defect gets under `base` (default `Reports/defects`): `D<id>`.
    public static func folder(for id: Int64, base: String = "Reports/defects") -> String {
        URL(fileURLWithPath: base).appendingPathComponent("D\(id)").path
    }

    /// What a performance defect's scripts measure, with the campaign's factor (the default oracle's).
    static func performance(_ d: DefectRecord, thresholds: OracleThresholds = OracleThresholds()) -> ReproducerScript.Performance? {
        switch d.symptom {
        case "slowdown": return .init(metric: .time, factor: thresholds.slowdownFactor)
        case "memory_growth": return .init(metric: .memory, factor: thresholds.memoryFactor)
        default: return nil
        }
    }

    /// The planted kind a `faulty` signature stands for.
    static func faultKind(_ d: DefectRecord) -> String? {
        switch d.symptom {
        case "crash": "crash"
        case "error": d.stage == "load" ? "load" : "error"
        case "nan_inf": "nan"
        case "inconsistency": "wrong"
        case "slowdown": "slow"
        case "memory_growth": "memory"
        default: nil
        }
    }

    /// `tolerance`: the campaign's relative-distance threshold when it ran with its own (`--oracles FILE`);
    /// the writer's default otherwise.
    ///
    /// The folder is written whole or not at all: into a staging folder beside it, which then replaces an
    /// earlier reproducer of the same path (a rerun after the representative changed left its old inputs,
    /// scripts and ONNX file beside the new ones, and a failure part-way a mix of both). A folder at `path`
    /// that is not a reproducer is left alone and the write refused.
    /// `seed`: the campaign's seed model the defect's mutant came from, with its inputs; a performance defect's
    /// scripts for real frameworks measure their growth from it (`seed/`), as the oracle judged.
    /// `base`: the folder `path` was named under by this tool (`D<id>`), which the write may not leave.
    public func write(defect: DefectRecord, candidate: ReductionCandidate, reduction: Reduction?, planted: [String], to path: String,
                      tolerance campaignTolerance: Double? = nil, thresholds campaignThresholds: OracleThresholds? = nil,
                      seed: ReductionCandidate? = nil, observed: [String] = [], confinedTo base: String? = nil,
                      interpreters: [String: String] = [:]) throws -> ReproducerFolder {
        // A link to a folder is followed (as `report --out` does): the folder it names is the reproducer's, and
        // the link stays (replacing the folder at the link's own path deleted the link).
        let destination = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        // A folder named by this tool under `base` (`D<id>`), unlike one the user named, may not lead out of it:
        // a `D1` link planted in the output folder would take the whole reproducer wherever it points.
        if let base {
            let root = URL(fileURLWithPath: base).standardizedFileURL.resolvingSymlinksInPath().path
            guard destination.path.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
                throw TriageError(.unsafePath, "\(path) leads outside \(base) (to \(destination.path)): remove the link, or write the reproducers into another folder")
            }
        }
        let fm = FileManager.default
        let parent = destination.deletingLastPathComponent(), name = destination.lastPathComponent
        // Earlier writers of this folder killed part-way left their staging folders (a whole model each), or,
        // killed between the two renames, the previous folder aside: swept, or put back, first.
        StagingSweep.sweep(name, in: parent)
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: destination.path, isDirectory: &isDirectory)
        if exists {
            // Only a folder holding what this writer makes is replaced: a file, a folder that cannot be listed, or
            // one holding anything else (a user's own files) is left as it is.
            guard isDirectory.boolValue, let contents = try? fm.contentsOfDirectory(atPath: destination.path),
                  contents.allSatisfy({ name in
                      ["model", "seed", "builder", "bug-report.md", "__pycache__"].contains(name)
                          // measured_<framework>.json: what its own performance scripts leave when run there.
                          || ["input_", "expected_", "repro_", "control_", "measured_"].contains { name.hasPrefix($0) }
                  }) else {
                throw TriageError(.unsafePath, "\(destination.path) exists and is not a reproducer folder: choose another --out")
            }
        }
        let staging = parent.appendingPathComponent(StagingSweep.partial(name)), previous = parent.appendingPathComponent(StagingSweep.previous(name))
        try? fm.removeItem(at: staging)
        try? fm.removeItem(at: previous)
        var folder: ReproducerFolder
        do {
            folder = try writeContents(defect: defect, candidate: candidate, reduction: reduction, planted: planted, to: staging.path,
                                       tolerance: campaignTolerance, thresholds: campaignThresholds ?? OracleThresholds(), seed: seed,
                                       observed: observed, interpreters: interpreters)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
        // The old folder is moved aside, not deleted, until the new one is in place: a failed move puts it back.
        do {
            if exists { try fm.moveItem(at: destination, to: previous) }
            do { try fm.moveItem(at: staging, to: destination) } catch {
                if exists { try? fm.moveItem(at: previous, to: destination) }
                throw error
            }
        } catch {
            try? fm.removeItem(at: staging)
            throw TriageError(.io, "cannot write \(destination.path): \(error.localizedDescription)")
        }
        try? fm.removeItem(at: previous)
        folder.path = destination.resolvingSymlinksInPath().path
        return folder
    }

    func writeContents(defect: DefectRecord, candidate: ReductionCandidate, reduction: Reduction?, planted: [String], to path: String,
                       tolerance campaignTolerance: Double?, thresholds: OracleThresholds, seed: ReductionCandidate? = nil,
                       observed: [String] = [], interpreters: [String: String] = [:]) throws -> ReproducerFolder {
        let folder = try SafeFolder(path)
        var files: [String] = []
        let graph = candidate.model.graph
        let inputFiles = try Self.writeModel(candidate, graphUnder: "model/", inputsUnder: "", into: folder, files: &files)
        let arbiter = ArbiterRun.run(candidate.model, inputs: candidate.inputs)
        var expectedFiles: [String] = [], expectedHead: [String] = []
        if let run = arbiter.run {
            for (k, out) in run.outputs.enumerated() {
                let name = "expected_\(k).npy"
                try folder.write(NpyWriter.float64(out.values, shape: out.shape), to: name); files.append(name)
                expectedFiles.append(name)
                expectedHead.append("output \(k): shape \(out.shape), first values \(out.values.prefix(6).map { String(format: "%.5g", $0) }.joined(separator: ", "))")
            }
        }
        let implicated = defect.frameworkList
        let controlList = controls.filter { !implicated.contains($0) }
        if implicated.contains("onnxruntime") || controlList.contains("onnxruntime"), let exporter {
            do {
                try folder.write(try exporter.export(graph, weights: candidate.model.weights), to: "model/model.onnx")
                files.append("model/model.onnx")
            } catch {
                try folder.write("ONNX export failed: \(error)\n", to: "model/ONNX-EXPORT-FAILED.txt")
            }
        }
        // A performance defect on a real framework: the seed goes beside the model, for the growth from it.
        var seedModel: ReproducerScript.SeedModel?
        if Self.performance(defect, thresholds: thresholds) != nil, let seed, implicated.contains(where: { $0 != "faulty" }) {
            let seedGraph = seed.model.graph
            let seedInputs = try Self.writeModel(seed, graphUnder: "seed/", inputsUnder: "seed/", into: folder, files: &files)
            if files.contains("model/model.onnx"), let exporter {
                // ONNX Runtime measures the seed from its own ONNX file; without one it goes through the builder.
                if let data = try? exporter.export(seedGraph, weights: seed.model.weights) {
                    try folder.write(data, to: "seed/model.onnx"); files.append("seed/model.onnx")
                }
            }
            seedModel = .init(graph: seedGraph, inputFiles: seedInputs)
        }
        // Only a fault the campaign planted is re-enacted: a `faulty` defect no plant describes (an injector that
        // broke the model) got a script that raised the error whatever the model did, "DEFECT SHOWS" for certain.
        let fault: (op: String, kind: String)? = Self.faultKind(defect).flatMap { kind in
            planted.contains { $0.lowercased() == "\(defect.op)=\(kind)".lowercased() } ? (defect.op, kind) : nil
        }
        var scripts: [String: String] = [:]
        var order: [String] = []
        var runWith: [String: String] = [:]
        for (named, control) in implicated.map({ ($0, false) }) + controlList.map({ ($0, true) }) {
            // `pytorch@old` (a release run from another interpreter) gets PyTorch's script, to run with that Python.
            let tag = named.split(separator: "@", maxSplits: 1).map(String.init)
            let fw = tag.count == 2 && FrameworkKind.base(of: tag[0]) != nil ? tag[0] : named
            // The model written out in the framework's own calls (PyTorch), ONNX Runtime on the exported model,
            // the simulated `faulty` framework in numpy; anything else (and ONNX Runtime when the export
            // failed) through the worker's own model builder.
            var builder: ReproducerScript.Builder?
            // PyTorch's calls are written out for the ops the emitter spells (an LSTM, GRU, Embedding, transposed
            // or separable convolution, Resize or ceil_mode pooling is not): any other model goes through the builder.
            // With a seed to measure, both models must be written out (or both go through the builder).
            let writtenOut = fw == "pytorch" && PythonModelEmitter(dialect: .pytorch).emit(graph).unsupported.isEmpty
                && (seedModel.map { PythonModelEmitter(dialect: .pytorch).emit($0.graph).unsupported.isEmpty } ?? true)
            let onnxFiles = files.contains("model/model.onnx") && (seedModel == nil || files.contains("seed/model.onnx"))
            if !(fw == "faulty" || writtenOut || fw == "onnxruntime" && onnxFiles) {
                guard let base = FrameworkKind.base(of: fw), let copied = try? copyBuilder(base: base, into: folder) else {
                    if !control {
                        let note = "No standalone \(fw) script can be generated here: rerun the model with `defectlab diff --load` on this folder's model/.\n"
                        try folder.write(note, to: "repro_\(SafeFolder.sanitize(fw)).txt"); files.append("repro_\(SafeFolder.sanitize(fw)).txt")
                    }
                    continue
                }
                builder = .init(base: base)
                files += copied.filter { !files.contains($0) }
            }
            var script = ReproducerScript(framework: fw, title: "D\(defect.id): \(defect.title)", graph: graph, inputFiles: inputFiles,
                                          expectedFiles: expectedFiles, tolerance: (campaignTolerance ?? tolerance) * DtypeTolerance.factor(graph), fault: fw == "faulty" ? fault : nil, control: control)
            if named != fw { script.release = (named, interpreters[named]) }
            script.builder = builder
            script.crash = defect.symptom == "crash"
            script.performance = Self.performance(defect, thresholds: thresholds)
            if fw != "faulty" { script.seed = seedModel }
            script.nanUndefined = (arbiter.run.map { ReferenceNaN(graph, run: $0) } ?? ReferenceNaN(graph)) == .undefined
            try folder.write(script.text, to: script.fileName, executable: true)
            files.append(script.fileName)
            scripts[named] = script.fileName
            order.append(script.fileName)
            if named != fw, let python = interpreters[named] { runWith[script.fileName] = python }
        }
        let plantedHere = planted.first { $0.lowercased().hasPrefix(defect.op.lowercased() + "=") }
        var report = BugReportWriter(defect: defect, graph: graph, reduction: reduction, scripts: order, expectedHead: expectedHead,
                                     subtypeName: subtypeNames[defect.subtype], planted: plantedHere,
                                     versions: Dictionary(implicated.compactMap { fw in versions?.version(of: fw).map { (fw, $0) } }, uniquingKeysWith: { a, _ in a }))
        report.builder = files.contains { $0.hasPrefix("builder/") }
        report.interpreters = runWith
        report.python = interpreter
        report.tolerance = (campaignTolerance ?? tolerance) * DtypeTolerance.factor(graph)
        report.performanceFactor = Self.performance(defect, thresholds: thresholds)?.factor
        report.seedMeasured = seedModel != nil
        report.observed = observed
        try folder.write(report.text, to: "bug-report.md"); files.append("bug-report.md")
        return ReproducerFolder(path: folder.root.path, files: files, scripts: scripts, controls: controlList.filter { scripts[$0] != nil })
    }

    /// A model's `graph.json` and `weights.safetensors` under `graphUnder`, its inputs as `input_<k>.npy` under
    /// `inputsUnder` (the defect's model and, for a performance defect, its seed); returns (input node, file name
    /// in `inputsUnder`) per input and adds every file written to `files`.
    static func writeModel(_ candidate: ReductionCandidate, graphUnder: String, inputsUnder: String, into folder: SafeFolder,
                           files: inout [String]) throws -> [(String, String)] {
        let graph = candidate.model.graph
        try folder.write(ModelBundle.encodeGraph(graph), to: graphUnder + "graph.json"); files.append(graphUnder + "graph.json")
        try folder.write(Safetensors.encode(candidate.model.weights), to: graphUnder + "weights.safetensors"); files.append(graphUnder + "weights.safetensors")
        var inputs: [(String, String)] = []
        for (k, node) in graph.inputNodes.enumerated() {
            guard let t = candidate.inputs[node.name] else { continue }
            let name = "input_\(k).npy"
            try folder.write(NpyWriter.tensor(t), to: inputsUnder + name); files.append(inputsUnder + name)
            inputs.append((node.name, name))
        }
        return inputs
    }

    /// Copies the worker's model builder for `base` into `builder/`; returns the files written.
    func copyBuilder(base: String, into folder: SafeFolder) throws -> [String] {
        let source = try WorkerScripts.directory()
        var written: [String] = []
        for name in ReproducerScript.Builder.files(base: base) {
            let data = try Data(contentsOf: source.appendingPathComponent(name))
            try folder.write(data, to: "builder/" + name)
            written.append("builder/" + name)
        }
        return written
    }
}
