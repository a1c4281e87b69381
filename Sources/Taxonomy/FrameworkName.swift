import JSONText

/// A framework name becomes a group heading in agreement and statistics tables, a label in an SVG chart and a
/// stratum of samples: a name, not free text. One rule for `--framework`, ratings files and presets.
public enum FrameworkName {
    /// Why `name` is no framework name, or nil when it is one.
    public static func problem(_ name: String) -> String? {
        let fine = !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
        return fine ? nil : "framework '\(InertText.escaped(name, limit: 80))' must be letters, digits, '.', '_' or '-' (at most 64)"
    }
}
