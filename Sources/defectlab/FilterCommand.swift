import ArgumentParser
import Crawl
import Foundation
import JSONText
import TerminalUI
import Taxonomy

struct FilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Mark crawled issues as HP candidates with a tag-filter preset; prints counts per repo and rule.")

    @Option(help: "A preset name from Taxonomy/presets (pytorch, tensorflow, onnx, mindspore).")
    var preset: String?

    @Option(help: "A preset YAML file.")
    var file: String?

    @Option(help: "Only this OWNER/REPO (default: the preset's repos).")
    var repo: String?

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomy: TaxonomyOptions

    func validate() throws {
        guard (preset == nil) != (file == nil) else { throw ValidationError("give exactly one of --preset NAME or --file PATH") }
        // A preset name is a name the taxonomy folder has: a usage error like any unknown name (it exited 1).
        if let preset, let names = try? taxonomy.catalog().presetNames(), !names.isEmpty, !names.contains(preset) {
            throw ValidationError("no preset '\(preset)' (known: \(names.joined(separator: ", ")); or --file PATH for a preset of your own)")
        }
    }

    func run() throws {
        let p = try file.map { try FilterPresetLoader.load(path: $0) } ?? taxonomy.catalog().loadPreset(named: preset!)
        let store = try database.open(mode: .mustExist)
        // Said before the preset records its framework on the repositories (then the store knows it).
        let notes = try NewFrameworkNote.notes(for: [p.framework], in: store)
        let result = try HPFilter.apply(p, store: store, repo: repo)
        for note in notes { FileHandle.standardError.write(Data((note + "\n").utf8)) }
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(InertText.json(String(decoding: try encoder.encode(result), as: UTF8.self)))
            return
        }
        print("preset \(result.preset): \(result.selected) of \(result.examined) issues selected")
        let width = max(4, result.counts.map(\.repo.count).max() ?? 0)
        for c in result.counts {
            print("  \(c.repo.padding(toLength: width, withPad: " ", startingAt: 0))  \(c.rule)  \(c.issues)")
        }
        for note in result.notes { print("note: \(InertText.line(note))") }
    }
}
