import ArgumentParser
import Foundation
import JSONText
import Fuzz

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study", abstract: "The study's RQ3 mutation experiments: operators (Table 4), order (Fig. 8), position (Fig. 9).",
        subcommands: [StudyOperators.self, StudyOrder.self, StudyPosition.self])
}

enum StudyFormat: String, ExpressibleByArgument, CaseIterable { case table, json, svg }

struct StudyOptions: ParsableArguments {
    @Option(help: "Seed models (comma list).")
    var seeds = "lenet5,alexnet,vgg16,resnet50,mobilenetv2"
    @Option(help: "Mutation rounds per operator and seed (round k mutates round k-1's mutant).")
    var rounds = 20
    @Option(help: "table, json or svg.")
    var format: StudyFormat = .table
    @Option(help: "Also write the report to this file.")
    var output: String?
    @OptionGroup var target: FuzzTargetOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        try target.validateNames(seeds: seeds)
        if let output { try OutputFile.validate(output, store: database.resolvedPath) }
        // Each round's mutant stores its whole lineage: a chain grows with the square of the rounds (99999999999
        // was taken; ten minutes made a 6 GB store).
        guard rounds >= 1, rounds <= Self.mostRounds else { throw ValidationError("--rounds must be from 1 to \(Self.mostRounds)") }
    }

    static let mostRounds = 1000

    /// The study defaults to the reference alone (thousands of mutants); `--frameworks all` adds the workers.
    func study(pools: WorkerPools) throws -> OperatorStudy {
        guard rounds >= 1 else { throw ValidationError("--rounds must be ≥ 1") }
        var study = OperatorStudy(seeds: try target.seedModels(seeds), rounds: rounds, seed: target.seed,
                                  operators: try target.operators(), executors: try target.executors(pools: pools, defaultFrameworks: "reference"),
                                  oracles: try target.oracleSuite(),
                                  store: CampaignStore(store: try database.open()))
        study.onProgress = { FileHandle.standardError.write(Data(("study: " + $0 + "\n").utf8)) }
        study.planted = try target.planted().map(\.description)
        // Ctrl-C or a scheduler's SIGTERM stops the study between rounds with what it did stored and its campaign
        // paused (it was killed outright, left `running`, and a rerun stored every step a second time).
        let interrupted = InterruptFlag.install(what: "the study")
        study.shouldStop = { interrupted.isSet }
        return study
    }

    /// Runs one of the studies; a stopped one exits 3, as a paused fuzz campaign does.
    func running(_ body: () throws -> StudyReport) throws {
        do {
            try emit(try body())
        } catch let error as CampaignError where error.code == .interrupted {
            FileHandle.standardError.write(Data("defectlab: \(error.detail) (exit status 3)\n".utf8))
            throw ExitCode(3)
        }
    }

    func emit(_ report: StudyReport) throws {
        let text = switch format {
        case .json: StudyRenderer.json(report)
        case .svg: StudyRenderer.svg(report)
        case .table: StudyRenderer.table(report)
        }
        print(InertText.neutralize(text))
        if let output { try OutputFile.write(text, to: output) }
    }
}

struct StudyOperators: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "operators", abstract: "Per operator: illegal rate beside the study's, time, inconsistency per framework pair.")
    @OptionGroup var options: StudyOptions
    func run() throws {
        let pools = WorkerPools()
        defer { pools.shutdown() }
        try options.running { try options.study(pools: pools).operatorsAndOrder(study: "operators") }
    }
}

struct StudyOrder: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "order", abstract: "Output change, inconsistency and NaN against mutation round, single operators and mixed.")
    @OptionGroup var options: StudyOptions
    func run() throws {
        let pools = WorkerPools()
        defer { pools.shutdown() }
        try options.running { try options.study(pools: pools).operatorsAndOrder(study: "order") }
    }
}

struct StudyPosition: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "position", abstract: "Mutating the backbone against the task head.")
    @OptionGroup var options: StudyOptions
    func run() throws {
        let pools = WorkerPools()
        defer { pools.shutdown() }
        try options.running { try options.study(pools: pools).position() }
    }
}
