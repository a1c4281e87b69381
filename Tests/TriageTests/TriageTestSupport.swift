import Foundation
import Fuzz
import GRDB
import ModelIR
import Oracles
import Store
import Taxonomy
@testable import Triage

enum TriageTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Five planted defects of five kinds on ops the operators below put into lenet5 mutants. None of these ops
    /// varies in its key attributes here (a Pad would: shape mutation draws constant, edge and reflect modes,
    /// which the signature keeps apart as separate code paths).
    static let planted = [PlantedDefect(op: .layerNorm, kind: .crash), PlantedDefect(op: .batchNorm, kind: .wrong), PlantedDefect(op: .gelu, kind: .nan),
                          PlantedDefect(op: .dropout, kind: .load), PlantedDefect(op: .groupNorm, kind: .error)]
    static let operators: [any MutationOperator] = [ShapeMutation(), NormalizationInsertion(), ModernActivation(), LayerAddition()]

    /// The campaign's oracles with the timing oracles switched off: timing findings on a shared machine are
    /// noise, and these tests are about the planted kinds.
    static func oracles() throws -> MutantOracles {
        var thresholds = OracleThresholds()
        thresholds.slowdownFactor = 1e12
        thresholds.slowdownFloorMs = 1e15
        thresholds.memoryFactor = 1e12
        return MutantOracles(mapping: try TaxonomyCatalog(directory: packageRoot.appendingPathComponent("Taxonomy")).loadMapping(),
                             thresholds: thresholds)
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-triage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func config(seed: UInt64 = 2, budget: Int = 120, shard: ShardSpec = ShardSpec()) -> CampaignConfig {
        CampaignConfig(seeds: ["lenet5"], frameworks: ["reference", "faulty"], guidance: .random, operators: operators.map(\.name), maxOrder: 3,
                       position: .any, seed: seed, shard: shard, planted: planted.map(\.description), budget: .mutants(budget))
    }

    /// Runs the planted campaign into `store`.
    @discardableResult
    static func campaign(_ store: DefectLabStore, seed: UInt64 = 2, budget: Int = 120, shard: ShardSpec = ShardSpec()) throws -> CampaignSummary {
        let executors: [any MutantExecutor] = [ReferenceExecutor(), FaultInjectionExecutor(defects: planted)]
        return try CampaignEngine(config: config(seed: seed, budget: budget, shard: shard), operators: operators, executors: executors,
                                  oracles: try oracles(), store: CampaignStore(store: store)).run()
    }

    static func count(_ store: DefectLabStore, _ sql: String) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    /// The planted defect a defect row stands for, if any.
    static func plantedMatch(_ d: DefectRecord) -> PlantedDefect? {
        planted.first { $0.op.rawValue == d.op && $0.kind.expectedSubtype == d.subtype && d.frameworks == "faulty" }
    }
}
