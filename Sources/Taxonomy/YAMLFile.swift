import JSONText
import Foundation
import Yams

/// A parsed YAML file that remembers where each node came from, so validation errors can name lines.
///
/// Yams' `compose` keeps libyaml's marks on every node; decoding with `Codable` would lose them.
struct YAMLFile {
    let path: String
    let root: Node
    private(set) var problems: [TaxonomyError] = []

    /// Reads and parses `path`. Throws `TaxonomyError` with code `.unreadable` or `.malformedYAML`.
    init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw TaxonomyError(code: .unreadable, file: path, message: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let at = UTF8Position.firstInvalid(data)
            throw TaxonomyError(code: .unreadable, file: path, line: at?.line, column: at?.column,
                                message: "the file is not UTF-8 text" + (UTF8Position.encodingHint(data).map { ": \($0)" } ?? ""))
        }
        try self.init(path: path, text: text)
    }

    init(path: String, text: String) throws {
        self.path = path
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw TaxonomyError(code: .malformedYAML, file: path, line: 1, message: "the file is empty")
            }
            root = node
        } catch let error as TaxonomyError {
            throw error
        } catch let error as YamlError {
            throw Self.describe(error, path: path, text: text)
        } catch {
            throw TaxonomyError(code: .malformedYAML, file: path, message: "not valid YAML: \(error)")
        }
    }

    private static func describe(_ error: YamlError, path: String, text: String) -> TaxonomyError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
            return TaxonomyError(code: .malformedYAML, file: path, line: mark.line, column: mark.column,
                                 message: "not valid YAML: \(what)")
        case let .composer(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
            return TaxonomyError(code: .malformedYAML, file: path, line: mark.line, column: mark.column,
                                 message: "not valid YAML: \(what)")
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams marks the first occurrence; the one to remove is the later one: the next line after it at the
            // same indentation that starts with the same key.
            let key = duplicates.first ?? "?"
            let lines = text.components(separatedBy: "\n")
            let indent = String(repeating: " ", count: max(0, context.mark.column - 1))
            let again = lines.indices.first { index in
                index + 1 > context.mark.line && lines[index].hasPrefix(indent)
                    && [key, "'\(key)'", "\"\(key)\""].contains { lines[index].dropFirst(indent.count).hasPrefix($0 + ":") }
            }
            let line = again.map { $0 + 1 } ?? context.mark.line
            return TaxonomyError(code: .malformedYAML, file: path, line: line, column: context.mark.column,
                                 message: "duplicate key '\(key)' in a mapping" + (again != nil ? " (first on line \(context.mark.line))" : ""))
        default:
            return TaxonomyError(code: .malformedYAML, file: path, message: "not valid YAML: \(error)")
        }
    }

    /// Records a problem at a node's position.
    mutating func problem(_ message: String, at node: Node?) {
        problems.append(TaxonomyError(code: .invalid, file: path, line: node?.mark?.line ?? root.mark?.line,
                                      column: node?.mark?.column, message: message))
    }

    /// The mapping entries of a node, in file order, or a problem when it is not a mapping.
    mutating func mapping(_ node: Node?, _ what: String) -> [(key: String, keyNode: Node, value: Node)] {
        guard let node else { return [] }
        guard case let .mapping(mapping) = node else {
            problem("\(what) must be a mapping", at: node)
            return []
        }
        return mapping.map { (key: $0.key.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    /// A problem for each key of `node` (a mapping) that is not in `known`: a misspelt key (`keyword:` for
    /// `keywords:`, `repo:` for `repos:`) was ignored, and what it held silently lost, with `taxonomy check` saying ok.
    mutating func unknownKeys(_ node: Node?, known: [String], in what: String) {
        guard let node, case .mapping = node else { return }
        for entry in mapping(node, what) where !known.contains(entry.key) {
            problem("unknown key '\(entry.key)' in \(what) (known: \(known.joined(separator: ", ")))", at: entry.keyNode)
        }
    }

    /// A `version:` that is 1, the only one there is.
    mutating func version(of root: Node) {
        guard let node = root.value("version") else { return }
        if node.int != 1 || node.string?.contains(".") == true { problem("version must be 1", at: node) }
    }

    /// Whether a scalar is YAML's null (`~`, `null`, or nothing), written plain: such a value is no text.
    static func isNull(_ node: Node) -> Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The items of a sequence node, or a problem when it is not a sequence.
    mutating func sequence(_ node: Node?, _ what: String, required: Bool = true, at parent: Node? = nil) -> [Node] {
        guard let node else {
            if required { problem("missing \(what)", at: parent) }
            return []
        }
        guard case let .sequence(items) = node else {
            problem("\(what) must be a list", at: node)
            return []
        }
        return Array(items)
    }

    /// A non-empty string scalar, or a problem.
    mutating func string(_ node: Node?, _ what: String, in parent: Node, required: Bool = true) -> String? {
        guard let node else {
            if required { problem("missing \(what)", at: parent) }
            return nil
        }
        guard case .scalar = node, let value = node.string, !Self.isNull(node) else {
            problem("\(what) must be text", at: node)
            return nil
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            problem("empty \(what)", at: node)
            return nil
        }
        // These files are shared ("copy one, edit it") and their names and ids are printed: an escape sequence
        // in one would reach the terminal of whoever lists issues with the preset.
        if trimmed.unicodeScalars.contains(where: { v in v.value < 0x20 && v != "\n" && v != "\t" || (0x7F...0x9F).contains(v.value)
            || (0x202A...0x202E).contains(v.value) || (0x2066...0x2069).contains(v.value) }) {
            problem("\(what) holds a control character", at: node)
            return nil
        }
        return trimmed
    }

    /// A list of strings (a flow or block sequence of scalars).
    mutating func strings(_ node: Node?, _ what: String, in parent: Node, required: Bool = false) -> [String] {
        sequence(node, what, required: required, at: parent).compactMap { string($0, "an entry of \(what)", in: parent) }
    }
}

extension Node {
    /// The value under a key of a mapping node.
    func value(_ key: String) -> Node? {
        guard case let .mapping(mapping) = self else { return nil }
        return mapping.first { $0.key.string == key }?.value
    }

    /// The node of a key itself (for pointing errors at the key's line).
    func keyNode(_ key: String) -> Node? {
        guard case let .mapping(mapping) = self else { return nil }
        return mapping.first { $0.key.string == key }?.key
    }
}
