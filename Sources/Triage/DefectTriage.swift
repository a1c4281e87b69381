import Foundation
import Fuzz
import Oracles
import ModelIR
import Store
import Taxonomy
import Workers

/// The triage entry points the CLI and the report command call: fold, reduce one defect, write its
/// reproducer, or do all of that for every defect of a campaign.
public struct DefectTriage: Sendable {
    public let store: DefectLabStore
    public var oracles: MutantOracles
    /// Executor for a worker framework by name and the interpreter the defect's campaign ran it from
    /// (`--framework NAME=PYTHON`; nil for the venv's), which the CLI backs with workers; nil when it cannot run
    /// here. `faulty` and `reference` are built here.
    public var makeExecutor: @Sendable (_ name: String, _ interpreter: String?) throws -> (any MutantExecutor)?
    public var writer: ReproducerWriter
    public var replayer = MutantReplayer()
    public var maxRuns = 250

    public init(store: DefectLabStore, oracles: MutantOracles, writer: ReproducerWriter = ReproducerWriter(),
                makeExecutor: @escaping @Sendable (_ name: String, _ interpreter: String?) throws -> (any MutantExecutor)? = { _, _ in nil }) {
        self.store = store
        self.oracles = oracles
        self.writer = writer
        self.makeExecutor = makeExecutor
    }

    public var queries: DefectQueries { DefectQueries(store: store) }

    @discardableResult
    public func fold() throws -> DefectFolder.Result { try DefectFolder(replayer: replayer).fold(store: store) }

    /// Reduces defect `id` from its representative and records the reduced graph, node count and kind.
    public func reduce(_ id: Int64) throws -> (DefectRecord, Reduction, [String]) {
        let defect = try queries.defect(id)
        let rep = try queries.representative(of: defect)
        let model = try replayer.replay(seedModel: rep.seedModel, campaignSeed: rep.campaignSeed, lineageJSON: rep.lineageJSON)
        let planted = rep.planted.compactMap { try? PlantedDefect(parsing: $0) }
        // Each framework from the interpreter its campaign ran it from: `pytorch@old` is another release, and
        // the venv's PyTorch never shows its defect.
        let interpreters = Self.interpreters(ofCampaign: rep.configJSON)
        var executors: [any MutantExecutor] = []
        for name in defect.frameworkList where name != "reference" {
            if name == "faulty" {
                guard !planted.isEmpty else { throw TriageError(.noExecutor, "defect \(id) implicates 'faulty' but its campaign planted no defects") }
                executors.append(FaultInjectionExecutor(defects: planted))
            } else if let e = try makeExecutor(name, interpreters[name]) {
                executors.append(e)
            } else {
                throw TriageError(.noExecutor, "defect \(id) implicates '\(name)', which cannot run here (set up the venv: `make setup`, or set DEFECTLAB_PYTHON)")
            }
        }
        // The campaign's other frameworks that get a control script run beside them (not for a timing defect, whose
        // judgement rests on the seed's costs): a reduced model on which a control deviates too is another
        // signature, so the reduction never hands the controls a model they fail on.
        if ReproducerWriter.performance(defect) == nil, defect.frameworkList.contains(where: { $0 != "faulty" }) {
            let ran = Set(Self.frameworks(ofCampaign: rep.configJSON))
            for name in writer.controls where ran.contains(name) && !defect.frameworkList.contains(name) {
                if let e = try? makeExecutor(name, interpreters[name]) { executors.append(e) }
            }
        }
        let signature = DefectSignature(symptom: defect.symptom, stage: defect.stage ?? "", subtype: defect.subtype, frameworks: defect.frameworkList,
                                        op: defect.op, keyAttributes: defect.keyAttributes, error: defect.error)
        guard signature.text == defect.signature else {
            throw TriageError(.replayFailed, "defect \(id): stored signature does not parse back (\(defect.signature))")
        }
        // Judged as the campaign judged it: its own thresholds when it ran with `--oracles FILE`.
        let thresholds = Self.thresholds(ofCampaign: rep.configJSON)
        let judge = thresholds.map { MutantOracles(mapping: oracles.mapping, thresholds: $0) } ?? oracles
        var reducer = DefectReducer(signature: signature, oracles: judge, executors: executors)
        reducer.maxRuns = maxRuns
        reducer.seed = UInt64(id)
        reducer.node = rep.node
        let outcome = Result<Reduction, TriageError> { () throws(TriageError) -> Reduction in try reducer.reduce(model) }
        if case .failure(let error) = outcome, error.code == .doesNotReproduce {
            try queries.recordReductionFailure(id, reason: error.detail)
        }
        let reduction = try outcome.get()
        try queries.recordReduction(id, graphJSON: reduction.graphJSON, nodes: reduction.candidate.nodeCount, kind: reduction.kind)
        return (try queries.defect(id), reduction, rep.planted)
    }

    /// Reduces (again: the reduced inputs are captured values, rebuilt by the same deterministic reduction)
    /// and writes the reproducer folder; records its path. A defect that does not show again on re-execution
    /// (timing findings, which need every framework's run to compare; flaky ones) gets a reproducer of its
    /// unreduced representative, and its bug report says so.
    public func reproduce(_ id: Int64, out: String? = nil) throws -> ReproducerFolder {
        try reproduce(id, folder: out ?? ReproducerWriter.folder(for: id), confinedTo: out == nil ? "Reports/defects" : nil)
    }

    /// `reproduce(_:out:)` into `folder`; a folder this tool named under `base` may not lead out of it.
    func reproduce(_ id: Int64, folder path: String, confinedTo base: String?) throws -> ReproducerFolder {
        let defect: DefectRecord, candidate: ReductionCandidate, reduction: Reduction?, planted: [String]
        do {
            let (d, r, p) = try reduce(id)
            (defect, candidate, reduction, planted) = (d, r.candidate, r, p)
        } catch let e as TriageError where e.code == .doesNotReproduce {
            try queries.clearReduction(id)
            defect = try queries.defect(id)
            let rep = try queries.representative(of: defect)
            let model = try replayer.replay(seedModel: rep.seedModel, campaignSeed: rep.campaignSeed, lineageJSON: rep.lineageJSON)
            (candidate, reduction, planted) = (ReductionCandidate(model: model, inputs: model.inputs()), nil, rep.planted)
        }
        let rep = try queries.representative(of: defect)
        let thresholds = Self.thresholds(ofCampaign: rep.configJSON)
        // A performance defect is growth from the seed: its scripts measure the campaign's seed model too.
        let seed = ReproducerWriter.performance(defect) == nil ? nil
            : (try? replayer.replay(seedModel: rep.seedModel, campaignSeed: rep.campaignSeed, lineage: [])).map { ReductionCandidate(model: $0, inputs: $0.inputs()) }
        let folder = try writer.write(defect: defect, candidate: candidate, reduction: reduction, planted: planted,
                                      to: path, tolerance: thresholds?.relativeDistance, thresholds: thresholds,
                                      seed: seed, observed: rep.observed, confinedTo: base, interpreters: Self.interpreters(ofCampaign: rep.configJSON))
        try queries.recordRepro(id, path: folder.path)
        return folder
    }

    /// The frameworks a campaign ran on.
    static func frameworks(ofCampaign configJSON: String) -> [String] {
        struct CampaignFrameworks: Decodable { var frameworks: [String]? }
        return (try? JSONDecoder().decode(CampaignFrameworks.self, from: Data(configJSON.utf8)))?.frameworks ?? []
    }

    /// The interpreters a campaign ran frameworks from (`--framework NAME=PYTHON`), by framework name.
    static func interpreters(ofCampaign configJSON: String) -> [String: String] {
        struct CampaignInterpreters: Decodable { var interpreters: [String: String]? }
        return (try? JSONDecoder().decode(CampaignInterpreters.self, from: Data(configJSON.utf8)))?.interpreters ?? [:]
    }

    /// The thresholds a campaign ran with (`--oracles FILE`), nil for the defaults.
    static func thresholds(ofCampaign configJSON: String) -> OracleThresholds? {
        struct CampaignOracles: Decodable { var oracles: OracleThresholds? }
        return (try? JSONDecoder().decode(CampaignOracles.self, from: Data(configJSON.utf8)))?.oracles
    }

    /// Folds, then reduces and writes a reproducer for every defect of `campaign` (all defects when nil)
    /// under `base/D<id>`. A defect that fails is reported, not fatal: one bad case must not sink a report.
    /// `progress` hears of each defect before its reduction starts (index from 1, total): a reduction takes
    /// up to `maxRuns` executions.
    public func reproduceAll(campaign: Int64? = nil, base: String = "Reports/defects",
                             progress: ((_ id: Int64, _ index: Int, _ total: Int) -> Void)? = nil) throws -> [(id: Int64, result: Result<ReproducerFolder, Error>)] {
        try fold()
        let defects = try queries.list(campaign: campaign)
        return defects.enumerated().map { i, d in
            progress?(d.id, i + 1, defects.count)
            return (id: d.id, result: Result<ReproducerFolder, Error> {
                try reproduce(d.id, folder: ReproducerWriter.folder(for: d.id, base: base), confinedTo: base)
            })
        }
    }
}

extension DefectTriage {
    /// The triage a command sets up: the campaign's oracles over `mapping`, worker frameworks from `python`
    /// (through `pool`, which the caller shuts down), a campaign's other interpreters through `pools` (their pool
    /// by interpreter), ONNX export and controls when `python` is set, subtype names for the bug reports.
    /// `defectlab report` calls this, then `reproduceAll(campaign:base:)`.
    public static func standard(store: DefectLabStore, mapping: FuzzMapping, python: String?, pool: WorkerPool?,
                                pools: (@Sendable (String) -> WorkerPool)? = nil, subtypeNames: [String: String] = [:]) -> DefectTriage {
        let writer = ReproducerWriter(exporter: python.map(OnnxExporter.init(interpreter:)), subtypeNames: subtypeNames,
                                      controls: python == nil ? ["pytorch"] : ["onnxruntime", "pytorch"],
                                      versions: python.map(FrameworkVersions.init(interpreter:)), interpreter: python)
        let known = Set(FrameworkKind.all + FrameworkKind.variants.keys)
        return DefectTriage(store: store, oracles: MutantOracles(mapping: mapping), writer: writer) { name, interpreter in
            // `pytorch@2.1`-style names run the base framework's worker.
            let base = String(name.split(separator: "@").first ?? "")
            guard known.contains(base) else { return nil }
            if let interpreter, interpreter != python {
                guard FileManager.default.isExecutableFile(atPath: interpreter) else {
                    throw TriageError(.noExecutor, "its campaign ran '\(name)' from \(interpreter), which is not an executable interpreter here (any more)")
                }
                guard let pools else { return nil }
                return WorkerExecutor(name: name, framework: base, pool: pools(interpreter))
            }
            guard let pool else { return nil }
            return WorkerExecutor(name: name, framework: base, pool: pool)
        }
    }
}
