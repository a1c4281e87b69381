import ArgumentParser
import Doctor
import Foundation
import JSONText
import Fuzz
import Taxonomy
import TerminalUI
import Triage
import Workers

/// `defectlab defects`: unique defects folded from campaign findings, their reduction and reproducers.
struct DefectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "defects",
        abstract: "Unique defects: fold raw findings, list, show, reduce to a minimal model, write reproducers.",
        discussion: """
            Every subcommand first folds findings no defect holds yet (signature: symptom, stage, subtype, deviating \
            frameworks, localized op and key attributes, normalized error), across all campaigns in --db, so merged \
            shard databases dedupe too. `reduce` runs delta debugging on the representative mutant; `repro` reduces \
            and writes Reports/defects/D<id>/ (graph, weights, inputs, expected outputs, one script per framework, \
            bug-report.md).
            """,
        subcommands: [DefectsList.self, DefectsShow.self, DefectsReduce.self, DefectsRepro.self])
}

/// What the defects subcommands share: the store, the taxonomy (for the oracles' mapping and subtype names)
/// and the worker frameworks for defects that implicate them.
struct DefectsContext: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomy: TaxonomyOptions

    func triage(pools: WorkerPools? = nil) throws -> DefectTriage {
        let store = try database.open(mode: .mustExist)
        let catalog = try taxonomy.catalog()
        let names = Dictionary((try? catalog.loadTaxonomy().subtypes.map { ($0.id, $0.name) }) ?? [], uniquingKeysWith: { a, _ in a })
        let python = try? PythonEnvironment.locate().interpreter
        var byInterpreter: (@Sendable (String) -> WorkerPool)?
        if let pools { byInterpreter = { pools.pool($0) } }
        return DefectTriage.standard(store: store, mapping: try catalog.loadMapping(), python: python,
                                     pool: python.flatMap { p in pools?.pool(p) }, pools: byInterpreter, subtypeNames: names)
    }

    func id(_ text: String) throws -> Int64 {
        let digits = text.hasPrefix("D") || text.hasPrefix("d") ? String(text.dropFirst()) : text
        guard let id = Int64(digits) else { throw ValidationError("defect id must be a number (or D<number>), got '\(text)'; `defectlab defects list` lists them") }
        return id
    }
}

enum DefectsOutput {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func table(_ defects: [DefectRecord]) -> String {
        guard !defects.isEmpty else { return "no defects (run a campaign: `defectlab fuzz`, then `defectlab defects list`)" }
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(n - s.count, 0))
            return right ? fill + s : s + fill
        }
        var lines = ["   ID  SUBTYPE  FINDINGS  NODES  REDUCED  KIND         TITLE"]
        for d in defects {
            lines.append([pad(String(d.id), 5, right: true), pad(d.subtype, 7), pad(String(d.findingCount), 8, right: true),
                          pad(d.representativeNodes.map(String.init) ?? "-", 5, right: true),
                          pad(d.reducedNodes.map(String.init) ?? (d.reductionFailure == nil ? "-" : "failed"), 7, right: true),
                          pad(d.kind ?? "-", 11), InertText.line(d.title)].joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}

struct DefectsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Fold new findings and list unique defects (most findings first).")

    @Option(help: "Only defects with findings from this campaign (an id, or latest).")
    var campaign: String?
    @Option(help: "table or json.")
    var format: OutputFormat = .table
    @OptionGroup var context: DefectsContext

    func run() throws {
        let triage = try context.triage()
        let folded = try triage.fold()
        let campaignID = try campaign.map { try triage.queries.campaignID($0) }
        var defects = try triage.queries.list(campaign: campaignID)
        if format == .json {
            for i in defects.indices { defects[i].reducedGraphJSON = nil }
            struct Listing: Encodable { var folded: DefectFolder.Result; var defects: [DefectRecord] }
            print(InertText.json(try DefectsOutput.json(Listing(folded: folded, defects: defects))))
            return
        }
        if folded.folded > 0 { print("folded \(folded.folded) new finding(s): \(folded.created) new defect(s), \(folded.updated) updated") }
        print(DefectsOutput.table(defects))
    }
}

struct DefectsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one defect: signature, counts, representative, reduction, reproducer.")

    @Argument(help: "Defect id (see `defectlab defects list`).")
    var id: String
    @Option(help: "table or json.")
    var format: OutputFormat = .table
    @OptionGroup var context: DefectsContext

    func run() throws {
        let triage = try context.triage()
        try triage.fold()
        let d = try triage.queries.defect(try context.id(id))
        if format == .json { print(InertText.json(try DefectsOutput.json(d))); return }
        var lines = ["D\(d.id): \(d.title)",
                     "subtype \(d.subtype), symptom \(d.symptom)\(d.stage.map { " at \($0)" } ?? ""), frameworks \(d.frameworks)",
                     "op \(d.op)\(d.keyAttributes.isEmpty ? "" : " (\(d.keyAttributes))")"]
        if !d.error.isEmpty { lines.append("error: \(d.error)") }
        lines.append("findings: \(d.findingCount) from campaign(s) \(d.campaigns.map(String.init).joined(separator: ", ")); first seen \(d.firstSeen), last seen \(d.lastSeen)")
        lines.append("representative: campaign \(d.representativeCampaignID.map(String.init) ?? "-") step \(d.representativeStep.map(String.init) ?? "-") (\(d.representativeNodes.map(String.init) ?? "?") nodes)")
        lines.append("reduced: " + (d.reducedNodes.map { "\($0) nodes, \(d.kind ?? "?") defect" }
            ?? d.reductionFailure.map { "tried, and it did not reproduce: \(InertText.line($0)) (`defects repro` writes the unreduced representative)" }
            ?? "not yet (`defectlab defects reduce \(d.id)`)"))
        lines.append("reproducer: " + (d.reproPath ?? "not yet (`defectlab defects repro \(d.id)`)"))
        lines.append("signature: \(d.signature)")
        // A merged shard's store can come from anywhere: every line is drawn inert.
        print(lines.map(InertText.line).joined(separator: "\n"))
    }
}

struct DefectsReduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduce", abstract: "Delta-debug a defect's representative mutant down to a minimal model that still shows it.",
        discussion: "Re-executes candidates on the implicated frameworks beside the float64 reference (and, for a real framework's value or crash defect, the campaign's control frameworks, which must not deviate too), judged by the campaign's oracles; then runs the localized node alone to tell an interface defect from a composition defect.")

    @Argument(help: "Defect id (see `defectlab defects list`).")
    var id: String
    @Option(help: "Most candidates to execute.")
    var maxRuns = 250
    @Option(help: "table or json.")
    var format: OutputFormat = .table
    @OptionGroup var context: DefectsContext

    func validate() throws {
        guard maxRuns >= 1 else { throw ValidationError("--max-runs must be at least 1") }
    }

    func run() throws {
        let pools = WorkerPools()
        defer { pools.shutdown() }
        var triage = try context.triage(pools: pools)
        triage.maxRuns = maxRuns
        try triage.fold()
        let (d, r, _) = try triage.reduce(try context.id(id))
        if format == .json {
            struct Out: Encodable { var id: Int64; var original_nodes: Int; var reduced_nodes: Int; var kind: String; var runs: Int; var steps: [String]; var graph: String }
            print(InertText.json(try DefectsOutput.json(Out(id: d.id, original_nodes: r.originalNodes, reduced_nodes: r.candidate.nodeCount, kind: r.kind, runs: r.runs, steps: r.steps, graph: r.graphJSON))))
            return
        }
        print("D\(d.id): \(r.originalNodes) -> \(r.candidate.nodeCount) nodes in \(r.runs) runs; \(r.kind) defect")
        for s in r.steps { print("  \(s)") }
        print("nodes: " + r.candidate.model.graph.nodes.map { "\($0.name) (\($0.op.rawValue))" }.joined(separator: ", "))
    }
}

struct DefectsRepro: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repro", abstract: "Reduce a defect and write its self-contained reproducer folder.",
        discussion: "Writes DIR (default Reports/defects/D<id>/): model/graph.json, model/weights.safetensors (model/model.onnx when ONNX Runtime is implicated or a control), input_*.npy, expected_*.npy (float64 reference), repro_<framework>.py per implicated framework (numpy-only for the simulated 'faulty' framework), control_<framework>.py for PyTorch and, with the framework venv, ONNX Runtime where they are not implicated (the same model where it should pass) and bug-report.md. Nothing is written outside DIR.")

    @Argument(help: "Defect id (see `defectlab defects list`); omit with --all.")
    var id: String?
    @Flag(help: "Every defect (of --campaign when given), each under --out/D<id>.")
    var all = false
    @Option(help: "With --all: only this campaign's defects (an id, or latest).")
    var campaign: String?
    @Option(help: "Output folder (one defect), or the base folder with --all (default Reports/defects).")
    var out: String?
    @OptionGroup var context: DefectsContext

    func validate() throws {
        guard all != (id != nil) else { throw ValidationError("name one defect id, or --all") }
        guard campaign == nil || all else { throw ValidationError("--campaign selects defects for --all; one defect id needs none") }
        if let out, out.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--out is empty: name a folder, or leave it out for Reports/defects") }
    }

    func run() throws {
        let pools = WorkerPools()
        defer { pools.shutdown() }
        let triage = try context.triage(pools: pools)
        try triage.fold()
        if all {
            let campaignID = try campaign.map { try triage.queries.campaignID($0) }
            var failed = 0
            let progress: (Int64, Int, Int) -> Void = { id, k, n in FileHandle.standardError.write(Data("[\(k)/\(n)] reducing D\(id) and writing its reproducer\n".utf8)) }
            let results = try triage.reproduceAll(campaign: campaignID, base: out ?? "Reports/defects", progress: progress)
            if results.isEmpty { print(campaign.map { "No defects in campaign \($0); nothing written" } ?? "No defects (run a campaign: defectlab fuzz); nothing written") }
            for (id, result) in results {
                switch result {
                case .success(let f): print("D\(id): \(f.path) (\(f.scripts.values.sorted().joined(separator: ", ")))")
                case .failure(let e): failed += 1; print("D\(id): failed: \(e)")
                }
            }
            if failed > 0 { throw ExitCode(1) }
            return
        }
        let f = try triage.reproduce(try context.id(id!), out: out)
        print("wrote \(f.path): " + f.files.joined(separator: ", "))
    }
}
