import Annotation
import ArgumentParser
import Foundation
import Taxonomy
import TerminalUI

struct AdjudicateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adjudicate",
        abstract: "Settle items whose raw labels disagree (screen), or settle strict majorities (--auto majority).",
        discussion: "Adjudications are stored apart from raw labels, with who decided, how and why, per level.")

    @Option(help: "Who decides (recorded with each adjudication).") var adjudicator: String?
    @Option(name: .customLong("level"), help: "subtype or major.") var levelName = "subtype"
    var level: LabelLevel { LabelLevel(rawValue: levelName) ?? .subtype }
    @Option(help: "Only this sample's items.") var sample: String?
    @Option(help: "majority: settle strict majorities without the screen; ties are left.") var auto: String?
    @Flag(help: "Draw without colour (also when NO_COLOR is set).") var monochrome = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var taxonomyOptions: TaxonomyOptions

    func validate() throws {
        // A String option (not a conformance on LabelLevel) so other commands can parse levels their own way.
        guard LabelLevel(rawValue: levelName) != nil else { throw ValidationError("--level must be subtype or major") }
        if let auto, auto != "majority" { throw ValidationError("--auto takes 'majority'") }
        if auto == nil, adjudicator == nil { throw ValidationError("--adjudicator NAME is required for the screen") }
    }

    func run() throws {
        let taxonomy = try taxonomyOptions.catalog().loadTaxonomy()
        let store = try database.open(mode: .mustExist)
        if let note = try StoredRatings.load(from: store, level: level, taxonomy: taxonomy).unknownLabelsNote {
            FileHandle.standardError.write(Data("note: \(note)\n".utf8))
        }
        if auto != nil {
            let result = try AdjudicationQueue.settleByMajority(level: level, sample: sample, adjudicator: adjudicator ?? "majority",
                                                                taxonomy: taxonomy, in: store)
            print("\(level.rawValue): settled \(result.unanimous + result.majority) (\(result.unanimous) unanimous, \(result.majority) by majority); "
                  + "\(result.withoutMajority) without a strict majority left for an adjudicator (\(result.ties) of them tied); "
                  + "\(result.alreadySettled) already settled"
                  + (result.replaced > 0 ? "; \(result.replaced) earlier majority decision(s) replaced: annotators changed labels since" : "")
                  + (result.overturned > 0 ? "; \(result.overturned) earlier majority decision(s) no longer hold (no strict majority now): the adjudication screen lists them" : "")
                  + (result.awaitingLabels > 0 ? "; \(result.awaitingLabels) still awaiting labels from their annotators (run it again when they are done)" : ""))
            return
        }
        let queue = try AdjudicationQueue.open(level: level, sample: sample, taxonomy: taxonomy, in: store)
        let controller = AdjudicationController(store: store, taxonomy: taxonomy, adjudicator: adjudicator!, level: level, queue: queue)
        try AdjudicationScreen.run(controller: controller, monochrome: monochrome)
        print("\(controller.settled) of \(queue.count) disagreements settled")
        if controller.unsavedDrafts > 0 {
            print("\(controller.unsavedDrafts) rationale draft\(controller.unsavedDrafts == 1 ? "" : "s") on unsettled items not saved (a rationale is saved with its decision)")
        }
    }
}
