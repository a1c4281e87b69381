import Foundation
import Fuzz
import ModelIR

/// Rebuilds a recorded mutant as the campaign made it: the zoo seed built from the campaign seed, then every
/// record of its lineage applied in order (records carry their own seeds, so the weights come out the same).
/// Seeds are cached: folding a campaign replays many mutants of the same few seeds.
public final class MutantReplayer: @unchecked Sendable {
    private var seeds: [String: FuzzModel] = [:]
    private let lock = NSLock()

    public init() {}

    public func replay(seedModel: String, campaignSeed: UInt64, lineageJSON: String) throws(TriageError) -> FuzzModel {
        let lineage: [MutationRecord]
        do { lineage = try JSONDecoder().decode([MutationRecord].self, from: Data(lineageJSON.utf8)) } catch {
            throw TriageError(.replayFailed, "unreadable lineage: \(error)")
        }
        return try replay(seedModel: seedModel, campaignSeed: campaignSeed, lineage: lineage)
    }

    public func replay(seedModel: String, campaignSeed: UInt64, lineage: [MutationRecord]) throws(TriageError) -> FuzzModel {
        var model = try seed(seedModel, campaignSeed)
        for record in lineage {
            guard let op = OperatorCatalog.named(record.op) else { throw TriageError(.replayFailed, "unknown operator '\(record.op)' in the lineage") }
            do { model = try op.apply(record, to: model) } catch { throw TriageError(.replayFailed, "replaying \(record): \(error)") }
        }
        return model
    }

    private func seed(_ name: String, _ seed: UInt64) throws(TriageError) -> FuzzModel {
        let key = "\(name)#\(seed)"
        lock.lock(); defer { lock.unlock() }
        if let m = seeds[key] { return m }
        do {
            let m = try FuzzModel.seed(named: name, seed: seed)
            seeds[key] = m
            return m
        } catch {
            throw TriageError(.replayFailed, "seed model \(name): \(error)")
        }
    }
}
