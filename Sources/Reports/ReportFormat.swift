/// The files `defectlab report` can write. Each lands in the output folder under a fixed name, so nothing
/// read from the store ever becomes part of a path.
public enum ReportFormat: String, Sendable, CaseIterable, Codable {
    case html, md, json, junit

    /// `html,md,json,junit` (any order, repeats ignored); `all` is every format.
    public static func parseList(_ text: String) throws(ReportError) -> [ReportFormat] {
        var out: [ReportFormat] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !part.isEmpty {
            if part == "all" { return allCases }
            let alias = ["markdown": "md", "xml": "junit"][part] ?? part
            guard let format = ReportFormat(rawValue: alias) else {
                throw ReportError(.badArgument, "--format: unknown format '\(part)' (html, md, json, junit)")
            }
            if !out.contains(format) { out.append(format) }
        }
        guard !out.isEmpty else { throw ReportError(.badArgument, "--format: name at least one of html, md, json, junit") }
        return out
    }

    /// The file name in this format for a report whose stem is `stem` (`campaign-3`).
    public func fileName(stem: String) -> String {
        switch self {
        case .html: "\(stem).html"
        case .md: "\(stem).md"
        case .json: "\(stem).json"
        case .junit: "\(stem)-junit.xml"
        }
    }
}

import Foundation
