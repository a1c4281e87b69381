import Foundation

/// What an item column says: an issue URL (GitHub or Gitee), or a bare identifier from a published study.
///
/// URLs are normalized (https, no `www.`, no query, fragment or trailing slash) so that the same issue
/// written two ways is one item; the framework follows from the repository.
public struct RatedItemReference: Sendable, Equatable {
    /// The item's key in the store: the normalized URL, or the identifier as written.
    public var key: String
    /// `github` or `gitee` for a tracker URL.
    public var tracker: String?
    public var owner: String?
    public var repository: String?
    /// The issue number (text: Gitee numbers look like `I65G7B`).
    public var number: String?

    /// Frameworks known by their repository owner or name.
    public static let knownFrameworks = ["pytorch", "tensorflow", "mindspore", "onnx"]

    public init(_ raw: String) {
        let text = raw.trimmed
        key = text
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", var host = components.host?.lowercased() else { return }
        if host.hasPrefix("www.") { host.removeFirst(4) }
        components.scheme = "https"
        components.host = host
        components.query = nil
        components.fragment = nil
        while components.path.hasSuffix("/") { components.path.removeLast() }
        key = components.string ?? text
        let parts = components.path.split(separator: "/").map(String.init)
        guard host == "github.com" || host == "gitee.com", parts.count >= 2 else { return }
        tracker = host == "github.com" ? "github" : "gitee"
        owner = parts[0]
        repository = parts[1]
        if parts.count >= 4, ["issues", "pull", "pulls"].contains(parts[2]) {
            var given = parts[3]
            if tracker == "github", given.allSatisfy({ $0.isASCII && $0.isNumber }), given.contains(where: { $0 != "0" }) {
                // GitHub reads /issues/007 as #7: one issue, one key.
                given = String(given.drop { $0 == "0" })
                if given != parts[3] {
                    var path = parts
                    path[3] = given
                    components.path = "/" + path.joined(separator: "/")
                    key = components.string ?? text
                }
            }
            number = given
        }
    }

    /// Why this is not an issue of its tracker, or nil: a GitHub issue number is a positive decimal, a Gitee one
    /// letters and digits (`I65G7B`). Such a URL would otherwise be an item of its own beside the real issue.
    public var problem: String? {
        // A NUL ends the text where SQLite and C read it: `k\0a` and `k\0b` became one item `k`, one rating
        // silently replacing the other.
        if key.unicodeScalars.contains("\u{0}") { return "holds a NUL character (items are text)" }
        guard let tracker, let number else { return nil }
        let fine = tracker == "github"
            ? number.allSatisfy { $0.isASCII && $0.isNumber } && number.contains { $0 != "0" } && number.count <= 12
            : !number.isEmpty && number.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } && number.count <= 32
        return fine ? nil : "'\(number.count > 40 ? String(number.prefix(40)) + "…" : number)' is not a \(tracker == "github" ? "GitHub issue number (a positive decimal)" : "Gitee issue number (letters and digits)")"
    }

    /// What two references to one item share: the key, with a tracker URL's path folded to lower case, since
    /// GitHub and Gitee read owner and repository names without case (`PyTorch/pytorch` is `pytorch/pytorch`) —
    /// except a Gitee issue number, which is case-sensitive (`I65G7B` and `i65g7b` are two issues). The store
    /// keeps the key as first written and finds it again by this (candidates by `lower(key)`, then this).
    public var identity: String {
        guard tracker != nil else { return key }
        guard tracker == "gitee", let number, let range = key.range(of: "/" + number, options: .backwards) else {
            return key.lowercased()
        }
        return key[..<range.lowerBound].lowercased() + "/" + number + key[range.upperBound...].lowercased()
    }

    /// The identity of an item key as stored (see `identity`).
    public static func identity(of key: String) -> String { RatedItemReference(key).identity }

    /// The framework the repository's owner or name tells (github.com/pytorch/pytorch → pytorch).
    public var frameworkFromURL: String? { Self.framework(owner: owner, repository: repository) }

    /// The framework a repository's owner or name tells: its name first (mindspore-ai/mindspore), then either
    /// containing a known name (tensorflow/tflite-support).
    public static func framework(owner: String?, repository: String?) -> String? {
        for candidate in [repository, owner].compactMap({ $0?.lowercased() }) {
            if let known = Self.knownFrameworks.first(where: { candidate == $0 }) { return known }
        }
        for candidate in [owner, repository].compactMap({ $0?.lowercased() }) {
            if let known = Self.knownFrameworks.first(where: { candidate.contains($0) }) { return known }
        }
        return nil
    }
}
