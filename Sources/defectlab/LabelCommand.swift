import Annotation
import ArgumentParser
import Foundation
import TerminalUI

struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Label your assigned items in a terminal screen (two keys per item; every label saved at once).",
        discussion: """
            Keys: a–g major type, then the subtype digit (b 1 → B1); Esc cancels; u undo; n note; ! unsure;
            ? guidelines; / search the body; : jump to an item; ← → previous/next; j k space scroll; q quit.
            A new start resumes at your first unlabelled item. You never see other annotators' labels.
            NO_COLOR (or --monochrome) draws without colour.
            """)

    @Option(help: "Your annotator name.") var annotator: String
    @Option(help: "Only this sample's items (default: everything assigned to you).") var sample: String?
    @Flag(help: "Draw without colour (also when NO_COLOR is set).") var monochrome = false
    @Option(help: ArgumentHelp("Feed keys from FILE through the same session instead of a screen (batch input: each character is a key as on the screen, <enter> <esc> <bs> <up> <down> <left> <right> name the others; newlines are ignored).",
                               valueName: "file"))
    var script: String?
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomyOptions: TaxonomyOptions

    func run() throws {
        let taxonomy = try taxonomyOptions.catalog().loadTaxonomy()
        let store = try database.open(mode: .mustExist)
        let session = try LabellingSession(store: store, taxonomy: taxonomy, annotator: annotator, sample: sample,
                                           source: script == nil ? "tui" : "script")
        if let script {
            let text = try String(contentsOfFile: script, encoding: .utf8)
            let n = try LabelApp.runScript(try Key.parseScript(text), session: session)
            print("\(annotator): \(n) labels given, \(session.done)/\(session.total) done")
            return
        }
        try LabelApp.run(session: session, monochrome: monochrome)
        print("\(annotator): \(session.done)/\(session.total) labelled (\(session.labelledThisSession) this session)")
    }
}

/// `make bench` runs this: keystroke-to-redraw times of the labelling screen (hidden from help).
struct LabelBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-label", abstract: "Time keystroke-to-redraw of the labelling screen on 64 KB bodies.",
        shouldDisplay: false)

    @Option(help: "Rounds of browse keys per body size.") var rounds = 60
    @OptionGroup var taxonomyOptions: TaxonomyOptions

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let figures = try LabelBench.run(taxonomy: try taxonomyOptions.catalog().loadTaxonomy(), folder: folder, rounds: rounds)
        print(LabelBench.report(figures))
    }
}
