import ArgumentParser
import Foundation
import JSONText
import Taxonomy

struct TaxonomyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taxonomy",
        abstract: "Print the HP taxonomy, or check an edited taxonomy, preset or mapping file.",
        subcommands: [TaxonomyShow.self, TaxonomyCheck.self],
        defaultSubcommand: TaxonomyShow.self
    )
}

struct TaxonomyShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the 7 major types and 21 subtypes (the default).")

    @Option(help: "table, json or yaml.")
    var format: DocumentFormat = .table

    @Option(help: "A taxonomy file to print instead of Taxonomy/hp-taxonomy.yaml.")
    var file: String?

    @OptionGroup var taxonomyOptions: TaxonomyOptions

    func run() throws {
        let taxonomy = try file.map { try TaxonomyLoader.load(path: $0) } ?? taxonomyOptions.catalog().loadTaxonomy()
        switch format {
        case .table: print(TaxonomyPrinter.table(taxonomy))
        case .json: print(InertText.json(try TaxonomyPrinter.json(taxonomy)))
        case .yaml: print(try TaxonomyPrinter.yaml(taxonomy), terminator: "")
        }
    }
}

struct TaxonomyCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a taxonomy, preset or fuzz-mapping file; print each problem as FILE:LINE:COL: message.",
        discussion: "The kind of file is told by its keys: 'majors' (taxonomy), 'tracker' (preset), 'rules' (mapping).")

    @Argument(help: "The YAML file to check.")
    var path: String

    @OptionGroup var taxonomyOptions: TaxonomyOptions

    func run() throws {
        // A mapping is checked against the installed taxonomy; a broken one is reported, not fatal here.
        let taxonomy = try? taxonomyOptions.catalog().loadTaxonomy()
        let (kind, problems) = try TaxonomyFileChecker.check(path: path, taxonomy: taxonomy)
        if problems.isEmpty {
            print("\(path): ok (\(kind.rawValue))")
            return
        }
        for problem in problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
        FileHandle.standardError.write(Data("\(path): \(problems.count) problem(s) in this \(kind == .unrecognised ? "" : kind.rawValue + " ")file\n".utf8))
        throw ExitCode(1)
    }
}
