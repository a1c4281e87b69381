import ArgumentParser
import Foundation
import Fuzz

/// Folds shard databases (`fuzz --shard i/N --db shard-i.sqlite`) into one store.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Fold shard databases' fuzzing campaigns, mutants and findings into --db.")

    @Argument(help: "Shard database files.")
    var shards: [String]
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        guard !shards.isEmpty else { throw ValidationError("name at least one shard database") }
        // Merging a database into itself only locked it ("SQLite error 5: database is locked").
        let target = URL(fileURLWithPath: database.resolvedPath).resolvingSymlinksInPath().standardizedFileURL.path
        for shard in shards where URL(fileURLWithPath: shard).resolvingSymlinksInPath().standardizedFileURL.path == target {
            throw ValidationError("\(shard) is the --db database itself; name the shard databases to fold into it")
        }
        // Every shard is read before --db is opened: a mistyped one left a store half merged (and named --db).
        for shard in shards where !FileManager.default.fileExists(atPath: shard) {
            throw ValidationError("shard database \(shard): no such file (nothing was merged)")
        }
        let sources = try CampaignMerge.Sources(shards)
        let r = try CampaignMerge.merge(sources, into: try database.open())
        print("merged \(r.campaigns) campaign(s), \(r.mutants) mutants, \(r.findings) findings into \(database.resolvedPath)"
              + (r.extended > 0 ? "; \(r.extended) campaign(s) already there gained steps" : "")
              + (r.settled > 0 ? "; \(r.settled) campaign(s) already there stopped running since (status updated)" : "")
              + (r.skipped > 0 ? "; \(r.skipped) campaign(s) already there" : ""))
        if r.runs.count > 1 {
            // Said, not refused: a store may hold several runs; but `report --campaign all` reports its campaigns as
            // the shards of one run.
            FileHandle.standardError.write(Data("note: the store now holds \(r.runs.count) different runs (\(r.runs.values.sorted().joined(separator: "; "))), not the shards of one: report them by campaign id (`report --campaign ID`), not as one with --campaign all\n".utf8))
        }
    }
}
