import Foundation
import JSONText

/// The campaign report as JSON: the snapshot itself, with snake_case keys sorted, so scripts and diffs see
/// the same layout every time (the `--format json` style of the other commands).
public enum JSONReportRenderer {
    public static func render(_ s: CampaignSnapshot) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // DEL and C1 controls escaped as well (the encoder leaves them raw): the file is read with cat and jq.
        return InertText.json(String(decoding: try encoder.encode(s), as: UTF8.self)) + "\n"
    }
}
