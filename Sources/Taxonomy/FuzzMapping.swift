import Foundation
import Yams

/// What a fuzzing oracle observed.
public enum FindingSymptom: String, Sendable, Codable, CaseIterable {
    case crash, error
    case nanInf = "nan_inf"
    case inconsistency, slowdown
    case memoryFailure = "memory_failure"
    case memoryGrowth = "memory_growth"
    case hang
    case abnormalLoss = "abnormal_loss"
    case metricDrop = "metric_drop"
    case cpuUnderuse = "cpu_underuse"
}

/// Where in a model's life a finding happened.
public enum FindingStage: String, Sendable, Codable, CaseIterable {
    case build, compile, load, export, convert, execute, train, interface
}

/// How widely a finding shows across frameworks.
public enum FindingScope: String, Sendable, Codable, CaseIterable {
    case some, all
    case singleInterface = "single_interface"
}

/// The fuzzer's symptom × stage → subtype rules (`Taxonomy/fuzz-mapping.yaml`).
public struct FuzzMapping: Sendable, Equatable, Codable {
    public struct Rule: Sendable, Equatable, Codable {
        public var symptom: FindingSymptom
        /// Empty means any stage.
        public var stages: [FindingStage]
        public var scope: FindingScope?
        public var subtype: String
        public var why: String

        public func matches(symptom: FindingSymptom, stage: FindingStage?, scope: FindingScope?) -> Bool {
            guard symptom == self.symptom else { return false }
            if !stages.isEmpty {
                guard let stage, stages.contains(stage) else { return false }
            }
            if let want = self.scope, want != scope { return false }
            return true
        }
    }

    public var rules: [Rule]

    /// The first matching rule; nil when no rule covers the observation.
    public func rule(symptom: FindingSymptom, stage: FindingStage?, scope: FindingScope? = nil) -> Rule? {
        rules.first { $0.matches(symptom: symptom, stage: stage, scope: scope) }
    }
}

public enum FuzzMappingLoader {
    /// Loads a mapping and checks every rule's subtype against `taxonomy`.
    public static func load(path: String, taxonomy: HPTaxonomy) throws -> FuzzMapping {
        var file = try YAMLFile(path: path)
        let mapping = parse(&file, taxonomy: taxonomy)
        if !file.problems.isEmpty { throw TaxonomyErrors(file.problems) }
        return mapping
    }

    static let ruleKeys = ["symptom", "stages", "scope", "subtype", "why"]

    static func parse(_ file: inout YAMLFile, taxonomy: HPTaxonomy) -> FuzzMapping {
        let root = file.root
        for entry in file.mapping(root, "the mapping") where !["version", "rules"].contains(entry.key) {
            file.problem("unknown key '\(entry.key)' (known: version, rules)", at: entry.keyNode)
        }
        var rules: [FuzzMapping.Rule] = []
        let nodes = file.sequence(root.value("rules"), "'rules'", at: root)
        if nodes.isEmpty, root.value("rules") != nil { file.problem("the mapping has no rules", at: root.value("rules")) }
        for node in nodes {
            // A misspelt key (`stage:` for `stages:`) used to be ignored: the rule then matched every stage and
            // filed findings under another subtype, with `taxonomy check` saying ok.
            for entry in file.mapping(node, "a rule") where !Self.ruleKeys.contains(entry.key) {
                file.problem("unknown key '\(entry.key)' in a rule (known: \(Self.ruleKeys.joined(separator: ", ")))", at: entry.keyNode)
            }
            let symptomText = file.string(node.value("symptom"), "rule 'symptom'", in: node) ?? ""
            let symptom = FindingSymptom(rawValue: symptomText)
            if symptom == nil, !symptomText.isEmpty {
                file.problem("unknown symptom '\(symptomText)' (known: \(FindingSymptom.allCases.map(\.rawValue).joined(separator: ", ")))",
                             at: node.value("symptom"))
            }
            var stages: [FindingStage] = []
            for stageNode in file.sequence(node.value("stages"), "'stages'", required: false) {
                if let text = stageNode.string, let stage = FindingStage(rawValue: text) { stages.append(stage) } else {
                    file.problem("unknown stage '\(stageNode.string ?? "?")' (known: \(FindingStage.allCases.map(\.rawValue).joined(separator: ", ")))",
                                 at: stageNode)
                }
            }
            var scope: FindingScope?
            if let text = file.string(node.value("scope"), "'scope'", in: node, required: false) {
                scope = FindingScope(rawValue: text)
                if scope == nil { file.problem("unknown scope '\(text)' (known: some, all, single_interface)", at: node.value("scope")) }
            }
            let subtype = file.string(node.value("subtype"), "rule 'subtype'", in: node) ?? ""
            if !subtype.isEmpty, taxonomy.subtype(subtype) == nil {
                file.problem("rule names unknown subtype '\(subtype)'", at: node.value("subtype"))
            }
            let why = file.string(node.value("why"), "'why'", in: node, required: false) ?? ""
            if let symptom {
                rules.append(.init(symptom: symptom, stages: stages, scope: scope, subtype: subtype, why: why))
            }
        }
        return FuzzMapping(rules: rules)
    }
}
