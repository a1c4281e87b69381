import Annotation
import ArgumentParser
import Foundation
import JSONText
import Doctor
import Reports
import Triage

/// `defectlab report`: campaign reports (the default subcommand) and mined-vs-fuzzed coverage.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write campaign reports (HTML, Markdown, JSON, JUnit XML) or compare mined and fuzzed subtypes.",
        discussion: """
            defectlab report --campaign ID|ID,ID,...|latest|all [--out DIR] [--format html,md,json,junit]   (campaign is the default subcommand)
            defectlab report coverage [--format table|json|md]
            """,
        subcommands: [ReportCampaignCommand.self, ReportCoverageCommand.self],
        defaultSubcommand: ReportCampaignCommand.self)
}

struct ReportCampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Write a campaign's report into a folder (default Reports/campaign-<id>).",
        discussion: "html: one self-contained file with SVG charts (no external resources); md: GitHub-flavoured Markdown; "
            + "json: the same content with stable keys; junit: JUnit XML, one failing test case per unique defect.")

    @Option(help: "Campaign id, a comma list of ids (reported as one, e.g. merged shards), latest, or all.")
    var campaign = "latest"
    @Option(help: "Output folder (created when missing; default Reports/campaign-<id>).")
    var out: String?
    @Option(help: "Comma list of html, md, json, junit (or all).")
    var format = "html,md,json,junit"
    @Option(name: .customLong("round-size"), help: "Steps per round in the over-time charts (default: 10, more for long campaigns).")
    var roundSize: Int?
    @Flag(inversion: .prefixedNo, help: "Fold raw findings into unique defects first (as `defectlab defects list` does); --no-fold reports the store as it is.")
    var fold = true
    @Flag(help: "Fold, then reduce every reported defect and write its reproducer first (see `defectlab defects repro`).")
    var repro = false
    @Option(name: .customLong("repro-dir"), help: "With --repro: where the reproducer folders go (D<id> each).")
    var reproDir = "Reports/defects"
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomy: TaxonomyOptions

    func validate() throws {
        // An empty folder name wrote the report files into the working directory.
        if let out, out.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--out is empty: name a folder, or leave it out for Reports/campaign-<id>") }
        if reproDir.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--repro-dir is empty: name a folder, or leave it out for Reports/defects") }
        // A usage error like every other output path's (it exited 1, as if the report had failed).
        var isFolder: ObjCBool = false
        if let out, FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), !isFolder.boolValue {
            throw ValidationError("--out \(out) is an existing file; name a folder (it is created when missing)")
        }
    }

    func run() throws {
        let formats = try ReportFormat.parseList(format)
        let selector = try CampaignSelector(parsing: campaign)
        if let roundSize, roundSize < 1 { throw ValidationError("--round-size must be ≥ 1") }
        let store = try database.open(mode: .mustExist)
        let writer = CampaignReportWriter(store: store, taxonomy: try taxonomy.catalog().loadTaxonomy())
        try writer.checkOutput(campaign: selector, out: out, formats: formats)
        // Raw findings become unique defects first (global and idempotent: merged shards dedupe too).
        if fold || repro { try DefectFolder.fold(store: store) }
        if repro {
            // Reduce and write every reported defect's reproducer, so the report inlines them.
            let pools = WorkerPools()
            defer { pools.shutdown() }
            let python = try? PythonEnvironment.locate().interpreter
            // Subtype names for the bug reports, as `defects repro` writes them.
            let names = Dictionary((try? taxonomy.catalog().loadTaxonomy().subtypes.map { ($0.id, $0.name) }) ?? [], uniquingKeysWith: { a, _ in a })
            let triage = DefectTriage.standard(store: store, mapping: try taxonomy.catalog().loadMapping(), python: python,
                                               pool: python.map { pools.pool($0) }, pools: { pools.pool($0) }, subtypeNames: names)
            for id in try CampaignSnapshotLoader(store: store, taxonomy: try taxonomy.catalog().loadTaxonomy()).resolve(selector) {
                for (defect, result) in try triage.reproduceAll(campaign: id, base: reproDir) {
                    if case .failure(let e) = result { FileHandle.standardError.write(Data("D\(defect): no reproducer: \(e)\n".utf8)) }
                }
            }
        }
        let result = try writer.write(campaign: selector, out: out, formats: formats, roundSize: roundSize)
        let s = result.snapshot
        print("\(s.title): \(s.mutants) mutants, \(s.rawFindings) raw findings, \(s.uniqueDefects) unique defects"
              + (s.unfoldedFindings > 0 ? " (\(s.unfoldedFindings) findings not folded yet)" : ""))
        for file in result.files { print("wrote \(file.path)") }
    }
}

struct ReportCoverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "HP subtypes of labelled issues beside those of the fuzzer's unique defects: which it reaches, which never.",
        discussion: "Mined side: the adjudicated subtype label, else the annotators' most frequent label (ties left out). "
            + "Fuzzed side: unique defects per subtype, with raw findings beside them; reached = any finding in the subtype.")

    enum Format: String, ExpressibleByArgument { case table, json, md }

    @Option(help: "table, json or md.")
    var format: Format = .table
    @Flag(inversion: .prefixedNo, help: "Fold raw findings into unique defects first; --no-fold counts the defects as stored.")
    var fold = true
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomy: TaxonomyOptions

    func run() throws {
        let store = try database.open(mode: .mustExist)
        if fold { try DefectFolder.fold(store: store) }
        let catalog = try taxonomy.catalog().loadTaxonomy()
        let ratings = try StoredRatings.load(from: store, level: .subtype, taxonomy: catalog)
        let report = try CoverageReport.load(store: store, taxonomy: catalog,
                                             items: ratings.items.map { CoverageReport.LabelledItem(final: $0.final, labels: Array($0.labels.values)) })
        switch format {
        case .table: print(report.table())
        case .json: print(InertText.json(try report.json()))
        case .md: print(report.markdown(), terminator: "")
        }
    }
}
