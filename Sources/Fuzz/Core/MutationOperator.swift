import Seeding
import ModelIR

/// Where an operator comes from: the study's 14, the peers' (LEMON, COMET), or the developer-like ones the
/// study recommends.
public enum OperatorOrigin: String, Codable, Sendable, CaseIterable {
    case study, peer, developer
}

/// The operator families of the study (structure, input, parameter, weight) plus the ones the peers and
/// developers add.
public enum OperatorFamily: String, Codable, Sendable, CaseIterable {
    case structure, activation, input, parameter, weight, precision, special, normalization, training
}

/// One mutation operator. Applicability and constraints live in `targets` and `parameters` (an operator only
/// proposes edits it knows to be legal, generating and testing against the IR's rules where the effect is not
/// local); `apply` is the edit, a pure function of the model and the record, so every mutant replays.
public protocol MutationOperator: Sendable {
    /// Short name, as the study writes it (LA, GF, ...).
    var name: String { get }
    var family: OperatorFamily { get }
    var origin: OperatorOrigin { get }
    var summary: String { get }
    /// Whether the operator means to put NaN/Inf into the model (the numeric guard lets those through).
    var injectsSpecialValues: Bool { get }
    /// Nodes the operator may edit.
    func targets(in model: FuzzModel) -> [String]
    /// Parameters for editing `target`, drawn from `rng`; nil when no legal edit of that node exists.
    func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]?
    /// The edit itself.
    func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel
}

extension MutationOperator {
    public var injectsSpecialValues: Bool { false }

    /// A record for one legal edit at `position`, or nil: targets are tried in a random order until one has
    /// legal parameters.
    public func propose(_ model: FuzzModel, position: Position, rng: inout SplitMix64) -> MutationRecord? {
        var candidates = targets(in: model).filter { name in
            model.node(name).map { position.admits($0.role) } ?? false
        }
        while !candidates.isEmpty {
            let i = rng.index(candidates.count)
            let target = candidates.remove(at: i)
            if let params = parameters(for: target, in: model, rng: &rng) {
                return MutationRecord(op: name, targets: [target], parameters: params, seed: rng.next())
            }
        }
        return nil
    }

    /// Replays `record`: the edit, then the lineage grows by it.
    public func apply(_ record: MutationRecord, to model: FuzzModel) throws(MutationError) -> FuzzModel {
        for t in record.targets where model.node(t) == nil {
            throw MutationError(.unknownTarget, "\(record.op): no node '\(t)' in \(model.graph.name)")
        }
        var result = try edit(model, record)
        result.lineage = model.lineage + [record]
        return result
    }

    /// Whether `params` would make a legal mutant of `target` (generate and test against the IR's rules).
    func legal(_ model: FuzzModel, _ target: String, _ params: [String: AttributeValue]) -> Bool {
        var probe = model
        probe.checkingOnly = true
        return (try? edit(probe, MutationRecord(op: name, targets: [target], parameters: params, seed: 0))) != nil
    }
}

/// An operator whose edit removes its target node (its consumers take the node's input instead) and which
/// needs no parameters: only `targets` says which nodes it may remove.
public protocol LayerRemovingOperator: MutationOperator {}

extension LayerRemovingOperator {
    public func parameters(for target: String, in model: FuzzModel, rng: inout SplitMix64) -> [String: AttributeValue]? { [:] }

    public func edit(_ model: FuzzModel, _ record: MutationRecord) throws(MutationError) -> FuzzModel {
        var m = model
        m.remove(record.targets[0])
        try m.reinfer(seed: record.seed)
        return m
    }
}

extension SplitMix64 {
    /// Uniform index below `count` (> 0).
    public mutating func index(_ count: Int) -> Int { Int(next() % UInt64(Swift.max(count, 1))) }

    public mutating func pick<T>(_ items: [T]) -> T { items[index(items.count)] }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }
}
