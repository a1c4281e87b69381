import Foundation
import Yams

/// Renders a taxonomy for `defectlab taxonomy` as a table, JSON or YAML.
public enum TaxonomyPrinter {
    /// The JSON/YAML document: `{"majors":[{"id","name","description","keywords","subtypes":[...]}],
    /// "study_shares":{"A1":2.6,...}}`.
    struct Document: Encodable {
        struct Major: Encodable {
            var id, name, description: String
            var keywords: [String]
            var subtypes: [Sub]
        }
        struct Sub: Encodable {
            var id, name, description: String
            var keywords: [String]
            var studyShare: Double?
            enum CodingKeys: String, CodingKey { case id, name, description, keywords, studyShare = "study_share" }
        }
        var majors: [Major]
        /// In the taxonomy file's order.
        var studyShares: OrderedValues<Double>
        enum CodingKeys: String, CodingKey { case majors, studyShares = "study_shares" }
    }

    static func document(_ taxonomy: HPTaxonomy) -> Document {
        Document(
            majors: taxonomy.majors.map { major in
                Document.Major(id: major.id, name: major.name, description: major.description, keywords: major.keywords,
                               subtypes: major.subtypes.map { sub in
                                   let share = taxonomy.studyShare(ofSubtype: sub.id)
                                   return Document.Sub(id: sub.id, name: sub.name, description: sub.description,
                                                       keywords: sub.keywords,
                                                       studyShare: share?.subtypes.count == 1 ? share?.percent : nil)
                               })
            },
            studyShares: OrderedValues(pairs: taxonomy.studyShares.map { ($0.key, $0.percent) }))
    }

    public static func json(_ taxonomy: HPTaxonomy) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document(taxonomy)), as: UTF8.self)
    }

    public static func yaml(_ taxonomy: HPTaxonomy) throws -> String {
        // Unicode as is: the Chinese keyword cues of Gitee presets were written as \u escapes.
        let encoder = YAMLEncoder()
        encoder.options.allowUnicode = true
        return try encoder.encode(document(taxonomy))
    }

    public static func table(_ taxonomy: HPTaxonomy) -> String {
        var lines: [String] = []
        for major in taxonomy.majors {
            lines.append("\(major.id)  \(major.name)")
            for sub in major.subtypes {
                let share = taxonomy.studyShare(ofSubtype: sub.id)
                let shareText: String
                if let share {
                    shareText = share.subtypes.count == 1 ? String(format: "%5.2f%%", share.percent)
                        : String(format: "%5.2f%% (%@)", share.percent, share.key)
                } else { shareText = "" }
                lines.append("  \(sub.id.padding(toLength: 4, withPad: " ", startingAt: 0))\(sub.name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(shareText)")
            }
        }
        lines.append("\(taxonomy.majors.count) major types, \(taxonomy.subtypes.count) subtypes; shares as reported by the study")
        return lines.joined(separator: "\n")
    }
}
