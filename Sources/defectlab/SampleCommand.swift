import Foundation
import JSONText
import Annotation
import ArgumentParser
import TerminalUI

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw a seeded, stratified sample of HP candidates (per framework), or list one.",
        discussion: """
            Candidates are crawled issues an HP preset selected (--preset: only that preset's; --all: every
            crawled issue) plus items imported without an issue (ratings import). Each framework's candidates
            are ordered by key and shuffled with the seed, and the first N are taken: the same data and seed
            give the same sample.
            """,
        subcommands: [SampleDrawCommand.self, SampleShowCommand.self],
        defaultSubcommand: SampleDrawCommand.self)
}

struct SampleDrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "draw", abstract: "Draw a sample (the default).")

    @Option(help: "The sample's name.") var name: String
    @Option(help: "Items per framework (the study: 1000).") var perFramework: Int
    @Option(help: "Random seed (recorded with the sample).") var seed: UInt64
    @Option(help: "Only issues selected by this HP preset.") var preset: String?
    @Flag(help: "Every crawled issue, not only HP candidates.") var all = false
    @Flag(help: "Leave out items imported without a crawled issue.") var noImported = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomy: TaxonomyOptions

    func validate() throws {
        // --all draws from every crawled issue: a preset would be recorded with the sample but select nothing.
        guard preset == nil || !all else { throw ValidationError("--preset and --all exclude each other: --all takes every crawled issue") }
        guard perFramework >= 1 else { throw ValidationError("--per-framework must be at least 1") }
    }

    func run() throws {
        let store = try database.open()
        var request = SampleRequest(name: name, perFramework: perFramework, seed: seed, preset: preset, allIssues: all, includeBareItems: !noImported)
        request.shippedPresets = try? taxonomy.catalog().presetNames()
        let summary = try SampleDraw.draw(request, in: store)
        print("sample \(summary.name): \(summary.total) items, seed \(summary.seed)")
        // A stratum is a framework name a ratings file may have written: drawn inert.
        for s in summary.strata { print("  \(InertText.line(s.framework)): \(s.drawn) of \(s.candidates) candidates") }
        // A stratified design with short strata is unbalanced: said once, with the strata that came up short.
        let short = summary.strata.filter { $0.drawn < perFramework }
        if !short.isEmpty {
            let list = short.map { "\(InertText.line($0.framework)) \($0.drawn)" }.joined(separator: ", ")
            FileHandle.standardError.write(Data("note: \(short.count) of \(summary.strata.count) framework(s) have fewer candidates than the \(perFramework) asked for (\(list)): the sample is not balanced across frameworks\n".utf8))
        }
    }
}

struct SampleShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "List a sample's items in order.")

    @Argument(help: "The sample's name (omit to list samples).") var name: String?
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let store = try database.open(mode: .mustExist)
        guard let name else {
            for n in try SampleListing.names(in: store) { print(InertText.line(n)) }
            return
        }
        let listing = try SampleListing.load(name: name, in: store)
        print("sample \(InertText.line(listing.name)): \(listing.entries.count) items, seed \(listing.seed)"
              + (listing.perFramework.map { ", \($0) per framework" } ?? "") + (listing.preset.map { ", preset \($0)" } ?? ""))
        for e in listing.entries {
            // Keys and titles come from trackers and ratings files: drawn inert.
            print("\(e.position + 1)\t\(InertText.line(e.framework))\t\(InertText.line(e.key))\t\(InertText.line(e.title))")
        }
    }
}

struct AnnotatorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotators", abstract: "Add or list annotators.",
        subcommands: [AnnotatorsAdd.self, AnnotatorsList.self], defaultSubcommand: AnnotatorsList.self)
}

struct AnnotatorsAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add annotators (known names are left as they are).")
    @Argument(help: "Names.") var names: [String]
    @OptionGroup var database: DatabaseOptions

    /// Names are checked before the store is opened: a refused name left a new store behind (a mistyped --db).
    func validate() throws {
        for name in names where !AnnotatorRegistry.isValid(name) {
            throw ValidationError("annotator name \(name.debugDescription) must be letters, digits, '.', '_' or '-', not starting with '-' (no commas or spaces)")
        }
    }

    func run() throws {
        let added = try AnnotatorRegistry.add(names, in: try database.open())
        print(added.isEmpty ? "no new annotators" : "added \(added.joined(separator: ", "))")
    }
}

struct AnnotatorsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List annotators (the default).")
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        for name in try AnnotatorRegistry.list(in: try database.open(mode: .mustExist)) { print(name) }
    }
}

struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assign a sample's items to annotators with a balanced design; print load and pair overlap.",
        discussion: """
            Designs: all (every item to everyone), pairs (all pairs, equal shares), triples (BIBD(6,3,2) for six
            annotators, all triples otherwise), core:N (N items to everyone, the rest once each). Each queue is in
            its own seeded random order.
            """)

    @Option(help: "The sample to assign.") var sample: String
    @Option(help: "Comma-separated annotator names.") var annotators: String
    @Option(help: "all, pairs, triples or core:N.") var design: String
    @Option(help: "Random seed.") var seed: UInt64
    @Flag(help: "Redo an existing assignment that has no labels yet.") var replace = false
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard AssignmentDesign(parsing: design) != nil else { throw ValidationError("--design must be all, pairs, triples or core:N") }
    }

    func run() throws {
        let names = annotators.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // The sample must be in the store: a missing one is said without leaving a new, empty store behind.
        let report = try AssignmentPlanner.assign(sample: sample, annotators: names, design: AssignmentDesign(parsing: design)!,
                                                  seed: seed, replace: replace, in: try database.open(mode: .mustExist))
        print(report.table())
    }
}
