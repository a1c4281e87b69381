import Foundation
import Yams

/// Loads and validates `hp-taxonomy.yaml`.
public enum TaxonomyLoader {
    /// The subtype IDs the study fixed. An edited taxonomy may rename and redescribe them and may add new
    /// subtypes, but must keep these: stored labels refer to them.
    public static let fixedSubtypeIDs: [String] = [
        "A1", "A2", "A3", "A4", "B1", "B2", "B3", "C1", "C2", "D1", "D2",
        "E1", "E2", "E3", "F1", "F2", "G1", "G2", "G3", "G4", "G5",
    ]

    /// Loads a taxonomy file; throws `TaxonomyError` (unreadable, malformed) or `TaxonomyErrors` (invalid).
    public static func load(path: String) throws -> HPTaxonomy {
        var file = try YAMLFile(path: path)
        let taxonomy = parse(&file)
        if !file.problems.isEmpty { throw TaxonomyErrors(file.problems) }
        return taxonomy
    }

    /// Parses YAML text (used by tests and by `taxonomy check`).
    public static func load(text: String, path: String = "<text>") throws -> HPTaxonomy {
        var file = try YAMLFile(path: path, text: text)
        let taxonomy = parse(&file)
        if !file.problems.isEmpty { throw TaxonomyErrors(file.problems) }
        return taxonomy
    }

    static let studyKappaKeys = ["overall", "mindspore", "pytorch", "tensorflow"]

    static func parse(_ file: inout YAMLFile) -> HPTaxonomy {
        let root = file.root
        var majors: [MajorType] = []
        var seen: [String: Int] = [:]  // ID -> line first defined
        file.unknownKeys(root, known: ["version", "majors", "study_shares", "study_kappa"], in: "the taxonomy")
        file.version(of: root)
        for entry in file.mapping(root.value("study_kappa"), "'study_kappa'") {
            // The study's figures: overall and its three frameworks (a misspelt `pytroch:` was taken).
            if !Self.studyKappaKeys.contains(entry.key) {
                file.problem("unknown key '\(entry.key)' in 'study_kappa' (known: \(Self.studyKappaKeys.joined(separator: ", ")))", at: entry.keyNode)
            }
            if !(entry.value.float.map { $0 >= -1 && $0 <= 1 } ?? false) {
                file.problem("study kappa '\(entry.key)' must be a number from -1 to 1", at: entry.value)
            }
        }
        for majorNode in file.sequence(root.value("majors"), "'majors'", at: root) {
            file.unknownKeys(majorNode, known: ["id", "name", "description", "keywords", "subtypes"], in: "a major type")
            let id = file.string(majorNode.value("id"), "major 'id'", in: majorNode) ?? ""
            if !id.isEmpty {
                if id.count != 1 || !id.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                    file.problem("major id '\(id)' must be one capital letter", at: majorNode.value("id"))
                }
                noteDuplicate(id, node: majorNode.value("id"), seen: &seen, file: &file)
            }
            let name = file.string(majorNode.value("name"), "name of major \(id)", in: majorNode) ?? ""
            let description = file.string(majorNode.value("description"), "description of major \(id)",
                                          in: majorNode, required: false) ?? ""
            let keywords = file.strings(majorNode.value("keywords"), "keywords of major \(id)", in: majorNode)
            var subtypes: [Subtype] = []
            let subtypeNodes = file.sequence(majorNode.value("subtypes"), "subtypes of major \(id)", at: majorNode)
            if subtypeNodes.isEmpty, majorNode.value("subtypes") != nil {
                file.problem("major \(id) has no subtypes", at: majorNode.value("subtypes"))
            }
            for node in subtypeNodes {
                file.unknownKeys(node, known: ["id", "name", "description", "keywords"], in: "a subtype")
                let sid = file.string(node.value("id"), "subtype 'id'", in: node) ?? ""
                if !sid.isEmpty {
                    // Digits only, no sign and no leading zero: `B01` would be a second spelling of `B1`.
                    let number = sid.dropFirst(id.count)
                    if !sid.hasPrefix(id) || number.isEmpty || !number.allSatisfy(\.isASCII) || !number.allSatisfy(\.isNumber)
                        || number.hasPrefix("0") {
                        file.problem("subtype id '\(sid)' must be its major's letter '\(id)' and a number from 1 (e.g. \(id)1)", at: node.value("id"))
                    }
                    noteDuplicate(sid, node: node.value("id"), seen: &seen, file: &file)
                }
                let sname = file.string(node.value("name"), "name of subtype \(sid)", in: node) ?? ""
                let sdesc = file.string(node.value("description"), "description of subtype \(sid)", in: node) ?? ""
                let skeys = file.strings(node.value("keywords"), "keywords of subtype \(sid)", in: node)
                subtypes.append(Subtype(id: sid, name: sname, description: sdesc, keywords: skeys))
            }
            majors.append(MajorType(id: id, name: name, description: description, keywords: keywords, subtypes: subtypes))
        }
        let known = Set(majors.flatMap { $0.subtypes.map(\.id) })
        if !majors.isEmpty {
            let missing = fixedSubtypeIDs.filter { !known.contains($0) }
            if !missing.isEmpty {
                file.problem("the fixed subtype IDs \(missing.joined(separator: ", ")) are missing", at: root.keyNode("majors"))
            }
        }
        var shares: [StudyShare] = []
        // Each subtype in one share at most: two shares naming it (`E2+E3` and `E3`, or `E2 + E3` written
        // twice) would count its study share twice in every distribution.
        var shareOf: [String: String] = [:]
        for entry in file.mapping(root.value("study_shares"), "'study_shares'") {
            let members = entry.key.split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }
            for member in members where !known.contains(member) {
                file.problem("study share '\(entry.key)' names unknown subtype '\(member)'", at: entry.keyNode)
            }
            for member in members {
                if let first = shareOf[member] {
                    file.problem("study share '\(entry.key)' names subtype '\(member)' again (already in '\(first)')", at: entry.keyNode)
                }
                shareOf[member] = shareOf[member] ?? entry.key
            }
            guard let percent = entry.value.float, percent >= 0, percent <= 100 else {
                file.problem("study share '\(entry.key)' must be a percentage between 0 and 100", at: entry.value)
                continue
            }
            shares.append(StudyShare(subtypes: members, percent: percent))
        }
        return HPTaxonomy(majors: majors, studyShares: shares)
    }

    private static func noteDuplicate(_ id: String, node: Node?, seen: inout [String: Int], file: inout YAMLFile) {
        if let first = seen[id] {
            file.problem("duplicate ID '\(id)' (first defined on line \(first))", at: node)
        } else {
            seen[id] = node?.mark?.line ?? 0
        }
    }
}
