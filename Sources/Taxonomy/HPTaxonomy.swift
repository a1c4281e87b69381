/// The high-priority (HP) defect taxonomy: 7 major types (A–G), 21 subtypes with fixed IDs.
///
/// The taxonomy is data (`Taxonomy/hp-taxonomy.yaml`); this type is its validated, in-memory form.
/// Labels stored anywhere in DefectLab are subtype IDs (`"B1"`) or, at the major level, major IDs (`"B"`).
public struct HPTaxonomy: Sendable, Equatable, Codable {
    public var majors: [MajorType]
    /// Shares reported by the study, in percent, keyed by the group of subtypes they were reported for
    /// (most groups hold one subtype; the study reported `E2+E3`, `G1+G3` and `G4+G5` together).
    public var studyShares: [StudyShare]

    public init(majors: [MajorType], studyShares: [StudyShare] = []) {
        self.majors = majors
        self.studyShares = studyShares
    }

    /// Every subtype, in taxonomy order (A1 … G5).
    public var subtypes: [Subtype] { majors.flatMap(\.subtypes) }

    /// Subtype IDs in taxonomy order.
    public var subtypeIDs: [String] { subtypes.map(\.id) }

    /// Major IDs in taxonomy order.
    public var majorIDs: [String] { majors.map(\.id) }

    public func subtype(_ id: String) -> Subtype? { subtypes.first { $0.id == id } }

    public func major(_ id: String) -> MajorType? { majors.first { $0.id == id } }

    /// The major type a subtype belongs to (`"B1"` → B).
    public func major(ofSubtype id: String) -> MajorType? {
        majors.first { $0.subtypes.contains { $0.id == id } }
    }

    /// The label a user typed, normalized to a known ID at the given level, or nil when it is not one.
    /// Accepts any case and surrounding spaces (`" b1 "` → `"B1"`); at the major level a subtype ID is
    /// mapped to its major (`"B1"` → `"B"`).
    public func normalizedLabel(_ raw: String, level: LabelLevel) -> String? {
        let label = raw.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        switch level {
        case .subtype:
            return subtype(label) == nil ? nil : label
        case .major:
            if major(label) != nil { return label }
            return major(ofSubtype: label)?.id
        }
    }

    /// The categories at a level, in taxonomy order.
    public func categories(at level: LabelLevel) -> [String] {
        level == .subtype ? subtypeIDs : majorIDs
    }

    /// The study's share (percent) for one subtype; for a subtype reported only in a group, the group's
    /// share and the group's members are returned.
    public func studyShare(ofSubtype id: String) -> StudyShare? {
        studyShares.first { $0.subtypes.contains(id) }
    }
}

/// One of the seven major types.
public struct MajorType: Sendable, Equatable, Codable, Identifiable {
    public var id: String
    public var name: String
    public var description: String
    public var keywords: [String]
    public var subtypes: [Subtype]

    public init(id: String, name: String, description: String, keywords: [String], subtypes: [Subtype]) {
        self.id = id
        self.name = name
        self.description = description
        self.keywords = keywords
        self.subtypes = subtypes
    }
}

/// One of the 21 subtypes (symptoms).
public struct Subtype: Sendable, Equatable, Codable, Identifiable {
    public var id: String
    public var name: String
    public var description: String
    /// Keyword cues in English and Chinese, shown and highlighted to annotators.
    public var keywords: [String]

    public init(id: String, name: String, description: String, keywords: [String]) {
        self.id = id
        self.name = name
        self.description = description
        self.keywords = keywords
    }
}

/// A share the study reported for one subtype or a group of subtypes.
public struct StudyShare: Sendable, Equatable, Codable {
    public var subtypes: [String]
    public var percent: Double

    public init(subtypes: [String], percent: Double) {
        self.subtypes = subtypes
        self.percent = percent
    }

    /// The key as written in the YAML file (`"E2+E3"`).
    public var key: String { subtypes.joined(separator: "+") }
}

/// The level a label is given at.
public enum LabelLevel: String, Sendable, Codable, CaseIterable {
    case subtype
    case major
}
