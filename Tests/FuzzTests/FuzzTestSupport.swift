import Foundation
@testable import Fuzz
import ModelIR
import Store
import Taxonomy

enum FuzzTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func mapping() throws -> FuzzMapping {
        try TaxonomyCatalog(directory: packageRoot.appendingPathComponent("Taxonomy")).loadMapping()
    }

    static func oracles() throws -> MutantOracles { MutantOracles(mapping: try mapping()) }

    static func temporaryStore() throws -> (CampaignStore, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("defectlab-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try DefectLabStore.open(path: dir.appendingPathComponent("f.sqlite").path)
        return (CampaignStore(store: store), dir)
    }

    static func config(seeds: [String] = ["lenet5"], guidance: GuidanceKind = .random, ops: [any MutationOperator] = OperatorCatalog.all,
                       frameworks: [String] = ["reference"], seed: UInt64 = 5, budget: Int = 30, shard: ShardSpec = ShardSpec(),
                       planted: [String] = []) -> CampaignConfig {
        CampaignConfig(seeds: seeds, frameworks: frameworks, guidance: guidance, operators: ops.map(\.name), maxOrder: 3, position: .any, seed: seed,
                       shard: shard, planted: planted, budget: .mutants(budget))
    }

    static func engine(_ config: CampaignConfig, ops: [any MutationOperator] = OperatorCatalog.all, executors: [any MutantExecutor] = [ReferenceExecutor()],
                       store: CampaignStore? = nil) throws -> CampaignEngine {
        CampaignEngine(config: config, operators: ops, executors: executors, oracles: try oracles(), store: store)
    }
}
