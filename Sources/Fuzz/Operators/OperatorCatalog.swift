/// Every operator the fuzzer knows, in a fixed order (the order guidance and reports use), with lookup by name.
public enum OperatorCatalog {
    public static let study: [any MutationOperator] = [
        LayerAddition(), LayerRemoval(), LayerCopy(), LayerSwitch(), ActivationRemoval(), ActivationReplacement(),
        ShapeMutation(), DimensionMutation(), ParameterMutation(),
    ] + WeightMutation.Kind.allCases.map { WeightMutation($0) }

    public static let peers: [any MutationOperator] = [MultiLayerAddition(), DtypeCast(), SpecialValueInsertion(), LayerMerge(), NewEdge()]

    public static let developer: [any MutationOperator] = [
        MixedPrecisionBlock(), BatchSizeChange(), InputResolutionChange(), NormalizationInsertion(), NormalizationRemoval(),
        ResidualConnection(), ModernActivation(), ConvBatchNormFusion(fuse: true), ConvBatchNormFusion(fuse: false), PoolingSwap(),
        QuantizeDequantize(), PoolOptionToggle.ceilMode, PoolOptionToggle.countIncludePad, PaddingModeChange(),
        TrainingMode(),
    ]

    public static let all: [any MutationOperator] = study + peers + developer

    public static func named(_ name: String) -> (any MutationOperator)? {
        all.first { $0.name.lowercased() == name.lowercased() }
    }

    /// Parses `--ops`: names, or the groups `study`, `peers`, `developer`, `all`.
    public static func parse(_ list: String) throws(MutationError) -> [any MutationOperator] {
        var result: [any MutationOperator] = []
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            switch item.lowercased() {
            case "all": result += all
            case "study": result += study
            case "peers", "peer": result += peers
            case "developer", "dev": result += developer
            default:
                guard let op = named(item) else {
                    throw MutationError(.unknownOperator, "unknown operator '\(item)'; known: \(all.map(\.name).joined(separator: ", ")) or study, peers, developer, all")
                }
                result.append(op)
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0.name).inserted }
    }

    /// The study's reported illegal-mutant rates (Table 4), for reports beside the measured ones.
    public static let studyIllegalRates: [String: Double] = [
        "LA": 0.242, "LR": 0.159, "LC": 0.175, "LS": 0.159, "AFRm": 0.178, "AFRp": 0.159, "SM": 0.159, "DM": 0.267,
        "PM": 0.363, "WS": 0.182, "NS": 0.182, "GF": 0.309, "NAI": 0.182, "NEB": 0.182, "mixed": 0.272,
    ]
}

import Foundation
