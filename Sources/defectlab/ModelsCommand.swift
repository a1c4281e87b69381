import ArgumentParser
import Foundation
import JSONText
import ModelIR
import Reference

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "The seed-model zoo: list, show, check, run on the float64 reference, save and load.",
        subcommands: [ModelsList.self, ModelsShow.self, ModelsCheck.self, ModelsRun.self, ModelsSave.self, ModelsLoad.self, ModelsExport.self])
}

/// `--input-size`, `--width`, `--classes`, `--full-size`: how big to build a seed.
struct ModelSizeOptions: ParsableArguments {
    @Option(help: "Input height/width (sequence length for sequence models).")
    var inputSize: Int?
    @Option(help: "Channel width multiplier (1 = the paper's widths).")
    var width: Double?
    @Option(help: "Number of classes (or outputs).")
    var classes: Int?
    @Flag(help: "Build at the original size (ImageNet heads, 1,000 classes where the paper has them).")
    var fullSize = false

    /// A width that is not a positive number (NaN, infinity, 0, -1) trapped converting channel counts or was
    /// clamped silently; sizes beyond a machine are refused by the IR's ±2^24 range rule.
    func validate() throws {
        if let width, !(width.isFinite && width > 0 && width <= 64) {
            throw ValidationError("--width must be a number above 0 and at most 64 (1 = the paper's widths), got \(width)")
        }
        if let inputSize, inputSize < 1 { throw ValidationError("--input-size must be at least 1") }
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1") }
    }

    func entry(_ name: String) throws -> ZooEntry {
        guard let entry = ModelZoo.entry(named: name) else {
            throw ValidationError("unknown model '\(name)'; known: \(ModelZoo.entries.map(\.name).joined(separator: ", "))")
        }
        return entry
    }

    func config(_ entry: ZooEntry) -> ZooConfig { entry.config(inputSize: inputSize, width: width, classes: classes, fullSize: fullSize) }
}

struct ModelsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the seed models at their default size.")

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func run() throws {
        let rows = try ModelZoo.entries.map { entry in
            ModelSummary(entry: entry, graph: try entry.build(entry.defaults), config: entry.defaults)
        }
        if format == .json {
            print(InertText.json(String(decoding: try ModelSummary.jsonEncoder().encode(["models": rows]), as: UTF8.self)))
        } else {
            print(InertText.neutralize(ModelSummary.table(rows)))
        }
    }
}

enum ShowFormat: String, ExpressibleByArgument, CaseIterable { case summary, json }

struct ModelsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one seed model (summary, or JSON with the graph).")

    @Argument(help: "Model name (see `models list`).")
    var name: String
    @OptionGroup var size: ModelSizeOptions
    @Option(help: "summary or json.")
    var format: ShowFormat = .summary

    func run() throws {
        let entry = try size.entry(name)
        let config = size.config(entry)
        let graph = try entry.build(config)
        let summary = ModelSummary(entry: entry, graph: graph, config: config)
        if format == .json {
            let summaryData = try ModelSummary.jsonEncoder().encode(summary)
            var object = try JSONSerialization.jsonObject(with: summaryData) as! [String: Any]
            object["graph"] = try JSONSerialization.jsonObject(with: ModelBundle.encodeGraph(graph))
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(InertText.json(String(decoding: data, as: UTF8.self)))
        } else {
            print(InertText.neutralize(summary.text))
        }
    }
}

struct ModelsCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Run shape inference and every validity rule on seeds, at default and full size.")

    @Argument(help: "Model name.")
    var name: String?
    @Flag(help: "Check every seed.")
    var all = false

    func validate() throws {
        guard (name != nil) != all else { throw ValidationError(all ? "give a model name or --all, not both" : "give a model name or --all") }
    }

    func run() throws {
        let entries = all ? ModelZoo.entries : [try ModelSizeOptions().entry(name!)]
        var failures = 0
        for entry in entries {
            for config in [entry.defaults, entry.full] {
                let label = "\(entry.name) (\(config.fullSize ? "full" : "default") size)"
                do {
                    let graph = try entry.build(config).inferred()
                    let count = graph.parameterCount(entry.convention)
                    var note = ""
                    if config.fullSize, let expected = entry.referenceParameters {
                        note = count == expected ? ", matches \(entry.reference)" : ", expected \(expected) (\(entry.reference))"
                        if count != expected { failures += 1; print("FAIL \(label): \(count) parameters\(note)"); continue }
                    }
                    print("ok   \(label): \(graph.nodes.count) nodes, \(count) parameters\(note)")
                } catch {
                    failures += 1
                    print("FAIL \(label): \(error)")
                }
            }
        }
        if failures > 0 { FileHandle.standardError.write(Data("defectlab: error: \(failures) check(s) failed\n".utf8)); throw ExitCode(1) }
        print("\(entries.count) model(s) valid")
    }
}

struct ModelsRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a seed on the float64 reference interpreter: output summary and per-node statistics.")

    @Argument(help: "Model name.")
    var name: String
    @Flag(help: "Run on the float64 reference interpreter (the default and only executor here; `diff` runs the frameworks).")
    var reference = false
    @Option(help: "Seed for weights and inputs.")
    var seed: UInt64 = 0
    @OptionGroup var size: ModelSizeOptions
    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws {
    }

    func run() throws {
        let entry = try size.entry(name)
        let model = try PreparedModel.prepare(entry, size.config(entry), seed: seed)
        let report = try ReferenceReport.run(graph: model.graph, weights: model.weights, inputs: model.inputs, seed: seed)
        if format == .json {
            print(InertText.json(String(decoding: try ModelSummary.jsonEncoder().encode(report), as: UTF8.self)))
        } else {
            print(InertText.neutralize(report.text))
        }
    }
}

struct ModelsSave: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save", abstract: "Write a seed as DIR/graph.json and DIR/weights.safetensors; prints its content hash.")

    @Argument(help: "Model name.")
    var name: String
    @Argument(help: "Output folder.")
    var directory: String
    @Option(help: "Seed for the weights.")
    var seed: UInt64 = 0
    @OptionGroup var size: ModelSizeOptions

    func validate() throws {
        // An empty folder name meant the current directory, which then held graph.json and weights.safetensors.
        guard !directory.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the output folder is empty: name one (e.g. Data/models/\(name))") }
    }

    func run() throws {
        let entry = try size.entry(name)
        let model = try PreparedModel.prepare(entry, size.config(entry), seed: seed)
        let graph = model.graph
        let bundle = ModelBundle(graph: graph, weights: model.weights)
        try bundle.save(to: URL(fileURLWithPath: directory))
        print("saved \(graph.name) to \(directory) (\(graph.nodes.count) nodes, \(graph.parameterCount(.all)) weights), sha256 \(bundle.contentHash)")
    }
}

struct ModelsLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Read DIR/graph.json and DIR/weights.safetensors, validate them, and print a summary and content hash.")

    @Argument(help: "Folder written by `models save`.")
    var directory: String
    @Option(help: "summary or json.")
    var format: ShowFormat = .summary

    func run() throws {
        let bundle = try ModelBundle.load(from: URL(fileURLWithPath: directory))
        let summary = ModelSummary(entry: ModelZoo.entry(named: bundle.graph.name), graph: bundle.graph, config: nil)
        if format == .json {
            let data = try ModelSummary.jsonEncoder().encode(summary)
            var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            object["sha256"] = bundle.contentHash
            print(InertText.json(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)))
        } else {
            print(InertText.neutralize(summary.text + "\nsha256: \(bundle.contentHash)"))
        }
    }
}
