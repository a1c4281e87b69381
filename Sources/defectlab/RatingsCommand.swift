import Annotation
import ArgumentParser
import Foundation
import JSONText
import Taxonomy

struct RatingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ratings", abstract: "Import or export multi-annotator ratings (wide CSV, long CSV, JSONL).",
        subcommands: [RatingsImport.self, RatingsExport.self])
}

extension RatingsFileFormat: ExpressibleByArgument {}
extension LabelLevel: ExpressibleByArgument {}

struct RatingsImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import ratings files in one transaction; any bad row rejects everything (FILE:LINE: reason).",
        discussion: """
            wide: item,rater1,rater2,...[,final]  (adjudicated column: final, final_label or gold; a 'framework' column is read too)
            long: item,rater,label[,level][,time][,framework]  (rater 'final' marks an adjudicated label)
            jsonl: one object per line with the long fields. Empty cells are missing ratings.
            """)

    @Argument(help: "Ratings files.")
    var files: [String]

    @Option(help: "wide, long or jsonl (default: .jsonl files are JSONL; CSVs with rater and label columns are long, others wide).")
    var format: RatingsFileFormat?

    @Option(help: "Framework of items whose URL does not tell it.")
    var framework: String?

    @Option(name: .customLong("final-column"), help: "Header of the adjudicated column of a wide file.")
    var finalColumn: String?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomyOptions: TaxonomyOptions

    func validate() throws {
        // The same rule as a file's framework column: the name becomes a group heading and a stratum.
        if let framework, let problem = RatingsFile.frameworkProblem(framework.lowercased()) { throw ValidationError("--framework: \(problem)") }
    }

    func run() throws {
        let taxonomy = try taxonomyOptions.catalog().loadTaxonomy()
        // A large import takes seconds per step with nothing to show: each step is said as it starts, so a user
        // can tell it from a hang (on a terminal, or for files past a few MB).
        let size = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        let say: (String) -> Void = isatty(2) == 1 || size > 4 << 20
            ? { FileHandle.standardError.write(Data("ratings import: \($0)\n".utf8)) } : { _ in }
        let started = Date()
        var parsed: [RatingsFile] = []
        for path in files {
            if size > 1 << 20 { say("reading \(InertText.line(path))") }
            parsed.append(try RatingsFile.read(path: path, format: format, finalColumn: finalColumn, taxonomy: taxonomy))
        }
        let store = try database.open()
        // The names items are filed under after the import that the store did not know before it (a name given
        // but not taken, for items whose URL tells their framework, is no new stratum).
        let before = try NewFrameworkNote.known(in: store)
        if size > 1 << 20 {
            say("read \(parsed.reduce(0) { $0 + $1.ratings.count }) rating(s) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; writing them in one transaction")
        }
        let summary = try RatingsImporter(store: store, framework: framework).importFiles(parsed)
        print(summary.line)
        for note in NewFrameworkNote.notes(for: Array(try NewFrameworkNote.known(in: store)), known: before) {
            FileHandle.standardError.write(Data((note + "\n").utf8))
        }
        if let note = summary.frameworkNote { FileHandle.standardError.write(Data((note + "\n").utf8)) }
    }
}

struct RatingsExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the current ratings (who, what, when; notes, unsure flags, who settled what and why) to stdout or a file.")

    @Option(help: "wide, long or jsonl.")
    var format: RatingsFileFormat = .long

    @Option(help: "Level of a wide export: subtype or major.")
    var level: LabelLevel = .subtype

    @Option(name: .shortAndLong, help: "Write to this file instead of stdout.")
    var output: String?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomyOptions: TaxonomyOptions

    func validate() throws { if let output { try OutputFile.validate(output) } }

    func run() throws {
        // Only a wide export reads the taxonomy (subtypes as major types); long and JSONL write what is stored.
        let taxonomy = format == .wide ? try taxonomyOptions.catalog().loadTaxonomy() : nil
        let store = try database.open(mode: .mustExist)
        let text: String
        if format == .wide, let taxonomy {
            let ratings = try StoredRatings.load(from: store, level: level, taxonomy: taxonomy)
            if let note = ratings.unknownLabelsNote { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            text = RatingsExporter.wide(ratings)
            // What the table cannot hold, as `StoredRatings` read it: labels from the other level, and provenance.
            if ratings.otherLevelLabels + ratings.otherLevelFinals > 0 {
                let what = level == .subtype ? "are not in it (no subtype to write)" : "are written as their major types"
                FileHandle.standardError.write(Data(("note: a wide export holds one \(level.rawValue) label per annotator and item: "
                    + "\(ratings.otherLevelLabels) annotator label(s) and \(ratings.otherLevelFinals) adjudicated label(s) given at the "
                    + "\(level == .subtype ? "major" : "subtype") level \(what); --format long or jsonl keeps every level\n").utf8))
            }
            let written = Set(ratings.items.filter { $0.final != nil }.map(\.id))
            let provenance = try RatingsExporter.wideProvenanceOmissions(from: store, level: level, written: written)
            if provenance.remarks + provenance.settled > 0 {
                FileHandle.standardError.write(Data(("note: a wide export has no columns for \(provenance.remarks) annotator note(s) or unsure flag(s) "
                    + "and for who settled \(provenance.settled) final label(s), how and why; --format long or jsonl keeps them\n").utf8))
            }
        } else {
            text = try RatingsExporter.export(from: store, format: format, level: level, taxonomy: taxonomy)
        }
        if let output {
            try OutputFile.write(text, to: output)
        } else {
            // Through print like every other command's output: FileHandle's write traps on EPIPE (SIGPIPE is
            // ignored), so `ratings export | head` crashed with a backtrace once the export passed the pipe buffer.
            print(text, terminator: "")
        }
    }
}
