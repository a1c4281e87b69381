import Foundation
import JSONText
import Yams

/// A tag-filter preset: which tracker issues count as high-priority (HP) defect candidates.
///
/// An issue is a candidate when any rule matches; within a rule every given condition must hold.
/// Presets live in `Taxonomy/presets/` as YAML a user can copy and edit.
public struct FilterPreset: Sendable, Equatable, Codable {
    public var name: String
    public var framework: String
    /// `github` or `gitee`.
    public var tracker: String
    public var repos: [String]
    public var rules: [FilterRule]

    /// The first rule that selects an issue, or nil.
    public func firstMatch(_ issue: FilterSubject) -> FilterRule? {
        rules.first { $0.matches(issue) }
    }
}

/// What a filter rule looks at in an issue.
public struct FilterSubject: Sendable {
    public var labels: [String]
    public var priority: Int?
    public var issueType: String?
    public var state: String?

    public init(labels: [String], priority: Int? = nil, issueType: String? = nil, state: String? = nil) {
        self.labels = labels
        self.priority = priority
        self.issueType = issueType
        self.state = state
    }
}

/// One selection rule. Label comparisons ignore case.
public struct FilterRule: Sendable, Equatable, Codable {
    public var id: String
    /// `study` (the study's own selection) or `present-day` (today's equivalent of a retired label).
    public var basis: String
    public var description: String
    public var labelsAny: [String] = []
    public var labelsAll: [String] = []
    public var labelsNone: [String] = []
    public var labelsPrefixAny: [String] = []
    public var priorityIn: [Int] = []
    public var issueTypeIn: [String] = []
    public var stateIn: [String] = []

    public func matches(_ issue: FilterSubject) -> Bool {
        let labels = Set(issue.labels.map { $0.lowercased() })
        if !labelsAny.isEmpty, !labelsAny.contains(where: { labels.contains($0.lowercased()) }) { return false }
        if !labelsAll.allSatisfy({ labels.contains($0.lowercased()) }) { return false }
        if labelsNone.contains(where: { labels.contains($0.lowercased()) }) { return false }
        if !labelsPrefixAny.isEmpty,
           !labelsPrefixAny.contains(where: { prefix in labels.contains { $0.hasPrefix(prefix.lowercased()) } }) {
            return false
        }
        if !priorityIn.isEmpty, !priorityIn.contains(issue.priority ?? -1) { return false }
        if !issueTypeIn.isEmpty, !issueTypeIn.contains(issue.issueType ?? "") { return false }
        if !stateIn.isEmpty, !stateIn.contains(issue.state ?? "") { return false }
        return true
    }
}

public enum FilterPresetLoader {
    static let conditionKeys = ["labels_any", "labels_all", "labels_none", "labels_prefix_any", "priority_in",
                                "issue_type_in", "state_in"]

    public static func load(path: String) throws -> FilterPreset {
        var file = try YAMLFile(path: path)
        let preset = parse(&file)
        if !file.problems.isEmpty { throw TaxonomyErrors(file.problems) }
        return preset
    }

    static func parse(_ file: inout YAMLFile) -> FilterPreset {
        let root = file.root
        file.unknownKeys(root, known: ["version", "name", "framework", "tracker", "repos", "rules"], in: "the preset")
        file.version(of: root)
        let name = file.string(root.value("name"), "preset 'name'", in: root) ?? ""
        // Lower-cased as `--framework` is: `PyTorch` was a stratum of its own beside `pytorch`, with no note.
        let framework = (file.string(root.value("framework"), "'framework'", in: root) ?? "").lowercased()
        // The framework is a stratum of samples and a group of agreement tables: a name, as `--framework` takes.
        if !framework.isEmpty, let problem = FrameworkName.problem(framework) { file.problem(problem, at: root.value("framework")) }
        let tracker = file.string(root.value("tracker"), "'tracker'", in: root) ?? ""
        if !tracker.isEmpty, !["github", "gitee"].contains(tracker) {
            file.problem("tracker '\(tracker)' must be github or gitee", at: root.value("tracker"))
        }
        let repos = file.strings(root.value("repos"), "'repos'", in: root)
        for (index, repo) in repos.enumerated() where repo.split(separator: "/").count != 2 {
            file.problem("repo '\(repo)' must be OWNER/REPO", at: file.sequence(root.value("repos"), "'repos'")[index])
        }
        var rules: [FilterRule] = []
        var ids: [String: Int] = [:]
        let ruleNodes = file.sequence(root.value("rules"), "'rules'", at: root)
        if ruleNodes.isEmpty, root.value("rules") != nil { file.problem("the preset has no rules", at: root.value("rules")) }
        for node in ruleNodes {
            let id = file.string(node.value("id"), "rule 'id'", in: node) ?? ""
            if let first = ids[id] {
                file.problem("duplicate rule id '\(id)' (first defined on line \(first))", at: node.value("id"))
            } else if !id.isEmpty { ids[id] = node.mark?.line ?? 0 }
            let basis = file.string(node.value("basis"), "'basis' of rule \(id)", in: node, required: false) ?? "present-day"
            if !["study", "present-day"].contains(basis) {
                file.problem("basis '\(basis)' of rule \(id) must be study or present-day", at: node.value("basis"))
            }
            for entry in file.mapping(node, "rule \(id)")
            where !(["id", "basis", "description"] + conditionKeys).contains(entry.key) {
                file.problem("rule \(id) has unknown condition '\(entry.key)'", at: entry.keyNode)
            }
            var rule = FilterRule(id: id, basis: basis,
                                  description: file.string(node.value("description"), "description", in: node, required: false) ?? "")
            rule.labelsAny = file.strings(node.value("labels_any"), "labels_any", in: node)
            rule.labelsAll = file.strings(node.value("labels_all"), "labels_all", in: node)
            rule.labelsNone = file.strings(node.value("labels_none"), "labels_none", in: node)
            rule.labelsPrefixAny = file.strings(node.value("labels_prefix_any"), "labels_prefix_any", in: node)
            rule.issueTypeIn = file.strings(node.value("issue_type_in"), "issue_type_in", in: node)
            rule.stateIn = file.strings(node.value("state_in"), "state_in", in: node)
            for value in file.sequence(node.value("priority_in"), "priority_in", required: false) {
                if case let .scalar(scalar) = value, scalar.style != .plain {
                    file.problem("priority \"\(InertText.escaped(scalar.string, limit: 40))\" is quoted text; write the number 0–4 unquoted (3 main/主要, 4 serious/严重)", at: value)
                } else if let p = value.int, (0...4).contains(p) { rule.priorityIn.append(p) } else {
                    file.problem("priority must be 0–4 (3 main/主要, 4 serious/严重)", at: value)
                }
            }
            // An empty list is no condition: a rule whose conditions are all empty lists (`labels_any: []`) matched
            // every issue while the keys' presence passed this check. Beside a real condition an empty list is harmless.
            let given = conditionKeys.compactMap { key in node.value(key).map { (key, $0) } }
            let nonEmpty = given.filter { _, value in if case let .sequence(items) = value { !items.isEmpty } else { true } }
            if given.isEmpty {
                file.problem("rule \(id) has no condition and would select every issue", at: node)
            } else if nonEmpty.isEmpty {
                file.problem("rule \(id): \(given.map { "'\($0.0)'" }.joined(separator: ", ")) \(given.count == 1 ? "is an empty list" : "are empty lists") and would select every issue; give values", at: given[0].1)
            }
            rules.append(rule)
        }
        return FilterPreset(name: name, framework: framework, tracker: tracker, repos: repos, rules: rules)
    }
}
