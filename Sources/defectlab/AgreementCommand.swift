import Annotation
import ArgumentParser
import Foundation
import JSONText
import Taxonomy

struct AgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Inter-annotator agreement: Fleiss (with bootstrap CI), per-category, Randolph, Krippendorff, Gwet AC1, Cohen pairs.")

    enum Grouping: String, ExpressibleByArgument, CaseIterable { case framework }
    enum Format: String, ExpressibleByArgument { case table, json }

    @Option(help: "subtype or major.")
    var level: LabelLevel = .subtype

    @Option(help: "Also report each framework.")
    var by: Grouping?

    @Option(help: "Only these annotators, comma-separated.")
    var raters: String?

    @Option(help: "Bootstrap replicates for the confidence interval (0: none).")
    var bootstrap = 1_000

    @Option(help: "Bootstrap seed.")
    var seed: UInt64 = 1

    @Option(help: "table or json.")
    var format: Format = .table

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomyOptions: TaxonomyOptions

    func validate() throws {
        guard bootstrap >= 0 else { throw ValidationError("--bootstrap must be 0 or more") }
        if let raters, raters.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--raters names no annotator: give a comma list of names (`defectlab annotators list`), or leave it out for all")
        }
        // Each replicate keeps one number per group: 10^11 of them asked for 800 GB up front and trapped.
        guard bootstrap <= 1_000_000 else { throw ValidationError("--bootstrap must be at most 1000000 (10000 already gives a stable 95% interval)") }
    }

    func run() throws {
        let taxonomy = try taxonomyOptions.catalog().loadTaxonomy()
        let store = try database.open(mode: .mustExist)
        let ratings = try StoredRatings.load(from: store, level: level, taxonomy: taxonomy)
        var options = AgreementReport.Options()
        options.byFramework = by == .framework
        options.raters = raters.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        options.bootstrapReplicates = bootstrap
        options.seed = seed
        if bootstrap > 0 && bootstrap < 1_000 {
            // The percentile interval of a few replicates is rough; the reference asks for B ≥ 1000.
            FileHandle.standardError.write(Data("note: \(bootstrap) bootstrap replicates give a rough interval; 1000 or more are advised (the default)\n".utf8))
        }
        let report: AgreementReport
        do { report = try AgreementReport.build(ratings, taxonomy: taxonomy, options: options) } catch let error as RatingsError {
            // Pointed to the other level only when some item there has two labels from the chosen annotators
            // (each level sent a user whose annotators never share an item to the other).
            let chosen = options.raters.map(Set.init)
            throw error.pointingToOtherLevel(store, level: level, taxonomy: taxonomy, raters: options.raters, needed: 2) { there in
                there.items.contains { item in item.labels.keys.filter { chosen?.contains($0) ?? true }.count >= 2 }
            }
        }
        if let note = ratings.unknownLabelsNote { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print(format == .json ? InertText.json(try report.json()) : AgreementReportPrinter.table(report))
    }
}
