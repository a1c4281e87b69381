import Annotation
import ArgumentParser
import Foundation
import JSONText
import Taxonomy

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Label statistics.", subcommands: [StatsDistribution.self])
}

extension DistributionReport.Source: ExpressibleByArgument {}

struct StatsDistribution: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distribution",
        abstract: "Counts and shares per category, beside the study's reported shares; a bar chart, or an SVG file.")

    enum Grouping: String, ExpressibleByArgument, CaseIterable { case framework }
    enum Format: String, ExpressibleByArgument { case table, json, csv }

    @Option(help: "subtype or major.")
    var level: LabelLevel = .subtype

    @Option(help: "Also report each framework.")
    var by: Grouping?

    @Option(help: "final (adjudicated), majority (strict plurality of raw labels) or rater:NAME.")
    var source: DistributionReport.Source = .final

    @Option(help: "table, json or csv.")
    var format: Format = .table

    @Option(help: "Also write an SVG bar chart to this file.")
    var svg: String?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomyOptions: TaxonomyOptions

    func validate() throws { if let svg { try OutputFile.validate(svg) } }

    func run() throws {
        let taxonomy = try taxonomyOptions.catalog().loadTaxonomy()
        let store = try database.open(mode: .mustExist)
        let ratings = try StoredRatings.load(from: store, level: level, taxonomy: taxonomy)
        let report: DistributionReport
        do { report = try DistributionReport.build(ratings, taxonomy: taxonomy, source: source, byFramework: by == .framework) } catch let error as RatingsError {
            let named: [String]? = if case .rater(let name) = source { [name] } else { nil }
            let source = source, byFramework = by == .framework
            throw error.pointingToOtherLevel(store, level: level, taxonomy: taxonomy, raters: named) { there in
                (try? DistributionReport.build(there, taxonomy: taxonomy, source: source, byFramework: byFramework)) != nil
            }
        }
        if let note = ratings.unknownLabelsNote { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        switch format {
        case .table: print(report.table())
        case .json: print(InertText.json(try report.json()))
        case .csv: print(report.csv(), terminator: "")
        }
        if let svg {
            try OutputFile.write(DistributionChartSVG.render(report), to: svg)
        }
    }
}
