import Foundation

/// Turns a framework's error message into the part that names the bug: two crashes of one defect differ in
/// addresses, sizes, paths, line numbers and object ids, never in the words or the innermost frames.
public enum ErrorNormalizer {
    /// How many innermost traceback frames take part in a signature.
    public static let topFrames = 3

    /// The normalized message, plus ` @ f1 < f2 < f3` (innermost first) when the message has a traceback.
    public static func normalize(_ message: String) -> String {
        let frames = self.frames(message)
        let body = message.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("File \"") && !$0.hasPrefix("Traceback") && !$0.hasPrefix("  ") }
        // The exception line is the last line of a Python traceback; otherwise the first line says it.
        let line = (frames.isEmpty ? body.first : body.last) ?? ""
        var text = scrub(line)
        if text.count > 160 { text = String(text.prefix(160)) }
        return frames.isEmpty ? text : text + " @ " + frames.prefix(topFrames).joined(separator: " < ")
    }

    /// Function names of `File "...", line N, in NAME` frames, innermost first.
    static func frames(_ message: String) -> [String] {
        var result: [String] = []
        for line in message.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("File \""), let r = t.range(of: ", in ", options: .backwards) else { continue }
            result.append(String(t[r.upperBound...]))
        }
        return result.reversed()
    }

    /// Strips what varies between two reports of one bug: paths, hex addresses and ids, numbers, quotes'
    /// contents that look like generated names, repeated blanks.
    static func scrub(_ text: String) -> String {
        var s = text
        let rules: [(String, String)] = [
            (#"(/[\w.\-+@]+)+/?"#, "<path>"),
            (#"0x[0-9a-fA-F]+"#, "<addr>"),
            (#"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"#, "<id>"),
            (#"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b"#, "<id>"),
            (#"(?<![A-Za-z_0-9.])\d+(\.\d+)?([eE][-+]?\d+)?"#, "<n>"),
            (#"\s+"#, " "),
        ]
        for (pattern, replacement) in rules {
            s = s.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return s.trimmingCharacters(in: .whitespaces)
    }
}
