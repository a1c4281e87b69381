import Agreement
import Foundation
import Taxonomy

/// Everything `defectlab agreement` reports, per group ("all", then each framework with `--by framework`).
///
/// Built from `StoredRatings` (or any items with rater → label maps); the statistics come from the pure
/// `Agreement` module. Undefined values (NaN) encode as JSON null. `notes` say what was done about
/// unequal rater counts, missing cells and single ratings.
public struct AgreementReport: Sendable, Encodable {
    public struct Options: Sendable {
        public var byFramework = false
        /// Only these annotators (all when nil), in this order.
        public var raters: [String]?
        public var bootstrapReplicates = 1_000
        public var seed: UInt64 = 1
        /// How many most-confused pairs to list.
        public var confusedPairs = 10
        public init() {}
    }

    public struct Fleiss: Sendable, Encodable {
        public var kappa, pBar, peBar, se0, z, p: Double?
        public var ci: [Double?]
        public var ciLevel: Double
        public var band: String?
        public var method: String
        enum CodingKeys: String, CodingKey {
            case kappa, pBar = "p_bar", peBar = "pe_bar", se0, z, p, ci, ciLevel = "ci_level", band, method
        }

        // Written out so that undefined values appear as null rather than vanish.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kappa, forKey: .kappa)
            try c.encode(pBar, forKey: .pBar)
            try c.encode(peBar, forKey: .peBar)
            try c.encode(se0, forKey: .se0)
            try c.encode(z, forKey: .z)
            try c.encode(p, forKey: .p)
            try c.encode(ci, forKey: .ci)
            try c.encode(ciLevel, forKey: .ciLevel)
            try c.encode(band, forKey: .band)
            try c.encode(method, forKey: .method)
        }
    }

    public struct CohenPair: Sendable, Encodable {
        public var a, b: String
        public var kappa: Double?
        public var items: Int

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(a, forKey: .a)
            try c.encode(b, forKey: .b)
            try c.encode(kappa, forKey: .kappa)
            try c.encode(items, forKey: .items)
        }
        enum CodingKeys: String, CodingKey { case a, b, kappa, items }
    }

    public struct Confusion: Sendable, Encodable {
        public var a, b: String
        /// Disagreeing rater pairs.
        public var count: Int
        public var items: Int
    }

    public struct Group: Sendable, Encodable {
        public var name: String
        public var items: Int
        public var raters: Int
        public var raterNames: [String]
        public var fleiss: Fleiss
        /// Category → κ_j, in taxonomy order (encoded as an object).
        public var perCategory: [(String, Double?)]
        public var randolph: Double?
        public var krippendorffAlpha: Double?
        public var gwetAC1: Double?
        public var cohenPairs: [CohenPair]
        public var mostConfused: [Confusion]
        public var notes: [String]

        enum CodingKeys: String, CodingKey {
            case name, items, raters, raterNames = "rater_names", fleiss, perCategory = "per_category", randolph
            case krippendorffAlpha = "krippendorff_alpha", gwetAC1 = "gwet_ac1", cohenPairs = "cohen_pairs"
            case mostConfused = "most_confused", notes
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(items, forKey: .items)
            try c.encode(raters, forKey: .raters)
            try c.encode(raterNames, forKey: .raterNames)
            try c.encode(fleiss, forKey: .fleiss)
            try c.encode(OrderedValues(pairs: perCategory), forKey: .perCategory)
            try c.encode(randolph, forKey: .randolph)
            try c.encode(krippendorffAlpha, forKey: .krippendorffAlpha)
            try c.encode(gwetAC1, forKey: .gwetAC1)
            try c.encode(cohenPairs, forKey: .cohenPairs)
            try c.encode(mostConfused, forKey: .mostConfused)
            try c.encode(notes, forKey: .notes)
        }
    }

    public var level: String
    public var schemeSize: Int
    public var bootstrap: [String: UInt64]
    public var groups: [Group]

    enum CodingKeys: String, CodingKey { case level, schemeSize = "scheme_size", bootstrap, groups }

    public static func build(_ ratings: StoredRatings, taxonomy: HPTaxonomy, options: Options) throws -> AgreementReport {
        let categories = taxonomy.categories(at: ratings.level)
        let raters = options.raters ?? ratings.raters
        if let chosen = options.raters {
            // One annotator named twice would be two identical raters: agreement with themselves.
            if let twice = chosen.enumerated().first(where: { chosen[..<$0.offset].contains($0.element) })?.element {
                throw RatingsError(code: .invalidValue, message: "annotator '\(twice)' is named twice in --raters")
            }
            let known = Set(ratings.raters)
            if let unknown = chosen.first(where: { !known.contains($0) }) {
                throw RatingsError(code: .noData, message: "no \(ratings.level.rawValue) labels by '\(unknown)' (annotators with \(ratings.level.rawValue) labels: \(ratings.raters.isEmpty ? "none" : ratings.raters.joined(separator: ", ")))")
            }
        }
        guard raters.count >= 2 else {
            throw RatingsError(code: .noData, message: "agreement needs labels from at least two annotators at the \(ratings.level.rawValue) level (found \(raters.count))")
        }
        var groups = [("all", ratings.items)]
        if options.byFramework {
            let names = Set(ratings.items.map { $0.framework ?? "unknown" }).sorted()
            groups += names.map { name in (name, ratings.items.filter { ($0.framework ?? "unknown") == name }) }
        }
        return AgreementReport(
            level: ratings.level.rawValue, schemeSize: categories.count,
            bootstrap: ["replicates": UInt64(options.bootstrapReplicates), "seed": options.seed],
            groups: try groups.map { try group(name: $0.0, items: $0.1, raters: raters, categories: categories,
                                               level: ratings.level.rawValue, majorOnlyLabels: ratings.majorOnlyLabels, options: options) })
    }

    static func group(name: String, items: [StoredRatings.Item], raters: [String], categories: [String],
                      level: String = "subtype", majorOnlyLabels: [String: Int] = [:], options: Options) throws -> Group {
        let index = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, Int32($0)) })
        var codes: [Int32] = []
        var rated = 0
        // In item-key order, not the order the store holds them in: the bootstrap resamples rows by position, so
        // the same ratings imported in another order must give the same interval for a seed.
        for item in items.sorted(by: { $0.key < $1.key }) {
            let row = raters.map { item.labels[$0].flatMap { index[$0] } ?? RatingMatrix.missing }
            guard row.contains(where: { $0 >= 0 }) else { continue }
            codes += row
            rated += 1
        }
        let matrix = try RatingMatrix(items: rated, raters: raters.count, categories: categories.count, codes: codes)
        let table = matrix.countTable()
        let fleiss = FleissKappa(table)
        if name == "all", rated > 0, fleiss.pairedItems == 0 {
            throw RatingsError(code: .noData, message: "no item has labels from two annotators at the \(level) level "
                               + "(\(rated) item(s) with one label each): agreement needs items labelled twice or more")
        }
        var notes: [String] = []
        var ci: [Double?] = [nil, nil]
        // A framework's group where no item has two labels (one annotator, or none with these --raters): no
        // agreement to compute, said as such rather than as a method's note.
        let undefined = fleiss.pairedItems == 0
        if undefined {
            notes.append(rated == 0
                ? "no labelled items in this group at the \(level) level\(options.raters == nil ? "" : " from these annotators")"
                : "no item in this group has labels from two annotators at the \(level) level (\(rated) item(s) with one label each): agreement is undefined here")
        }
        if rated > 0 && options.bootstrapReplicates > 0 && !undefined {
            let interval = try BootstrapInterval(fleissKappaOf: table, replicates: options.bootstrapReplicates, seed: options.seed)
            ci = [finite(interval.lower), finite(interval.upper)]
            notes.append("CI: 95% percentile bootstrap over items, B=\(interval.replicates), seed=\(interval.seed)"
                         + (interval.undefinedReplicates > 0 ? " (\(interval.undefinedReplicates) replicates with undefined kappa left out)" : ""))
        }
        switch fleiss.method {
        case _ where undefined: break
        case .fleiss:
            notes.append("every item has \(fleiss.minRaters) labels: Fleiss (1971) with SE0 from Fleiss, Nee & Landis (1979)")
        case .generalized:
            notes.append("labels per item vary (\(fleiss.minRaters)–\(fleiss.maxRaters)) or cells are missing: Gwet's generalized Fleiss kappa; SE0, z and p are undefined (null)")
        }
        let majorOnly = name == "all" ? majorOnlyLabels.values.reduce(0, +) : majorOnlyLabels[name] ?? 0
        if majorOnly > 0 {
            notes.append("\(majorOnly) major-only label(s) left out at the subtype level (no subtype given, or a newer major label replaced it)")
        }
        if fleiss.ratedItems > fleiss.pairedItems && !undefined {
            notes.append("\(fleiss.ratedItems - fleiss.pairedItems) item(s) with one label count toward category shares only")
        }
        let activeRaters = (0..<raters.count).filter { r in (0..<matrix.items).contains { matrix[item: $0, rater: r] >= 0 } }
        let pairs = CohenKappa.pairs(matrix).filter { activeRaters.contains($0.raterA) && activeRaters.contains($0.raterB) }
        return Group(
            name: name, items: rated, raters: activeRaters.count, raterNames: activeRaters.map { raters[$0] },
            fleiss: Fleiss(kappa: finite(fleiss.kappa), pBar: finite(fleiss.pBar), peBar: undefined ? nil : finite(fleiss.peBar),
                           se0: finite(fleiss.se0), z: finite(fleiss.z), p: finite(fleiss.p), ci: ci, ciLevel: 0.95,
                           band: fleiss.band?.rawValue, method: undefined ? "none" : fleiss.method.rawValue),
            perCategory: zip(categories, fleiss.perCategory).map { ($0, finite($1)) },
            randolph: finite(ChanceCorrectedAgreement.randolph(table, schemeSize: categories.count)),
            krippendorffAlpha: finite(ChanceCorrectedAgreement.krippendorffAlphaNominal(table)),
            gwetAC1: finite(ChanceCorrectedAgreement.gwetAC1(table)),
            cohenPairs: pairs.map { CohenPair(a: raters[$0.raterA], b: raters[$0.raterB], kappa: finite($0.kappa.kappa), items: $0.kappa.items) },
            mostConfused: ConfusedPair.mostConfused(table, limit: options.confusedPairs).map {
                Confusion(a: categories[$0.a], b: categories[$0.b], count: $0.count, items: $0.items)
            },
            notes: notes)
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// nil for NaN and infinities (JSON has no NaN).
func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
