import Foundation

/// Which faults the simulator injects, and how often: `--faults primary=0.05,reset=0.05` or `--faults all=0.05`.
public struct FaultPlan: Sendable, Equatable {
    public enum Fault: String, CaseIterable, Sendable {
        /// 403 with `x-ratelimit-remaining: 0`; the key stays blocked until the (short) reset.
        case primary
        /// 403 "secondary rate limit" with `retry-after`.
        case secondary
        /// 403 "secondary rate limit" with quota left and no `retry-after`.
        case secondaryBare = "secondary-bare"
        /// 429 with `retry-after`.
        case tooMany = "429"
        /// A burst of 502/503 answers (1–3 requests in a row).
        case serverError = "5xx"
        /// The connection is closed without an answer.
        case reset
        /// Headers promise the whole body; half of it arrives, then the connection closes.
        case truncate
        /// The answer comes late (`--slow-ms`).
        case slow
        /// A moved repository: `/repos/OWNER/REPO/...` answers 301 to `/repositories/ID/...`.
        case moved = "301"
        /// The issue behind a per-issue route is deleted and answers 410 from then on.
        case gone = "410"
        /// A permission error: 403 with quota left, no `retry-after` and no rate-limit wording. A crawler must
        /// stop rather than retry it, so it is not part of `all`.
        case forbidden = "403"
        /// A 301 to another origin (`localhost` for `127.0.0.1`): a crawler must not follow it with its token,
        /// so it is not part of `all`.
        case movedAway = "301-away"
        /// An issue list answered 200 with a well-formed array of things that are not issues: a crawler must say
        /// so and stop, not take it for an empty last page, so it is not part of `all`.
        case notIssues = "not-issues"
        /// A GitHub issue list whose `link` to the next page holds a space (not a URL; the server cannot send
        /// control characters in a header, which a real one might): a crawler must
        /// refuse it without storing it as where the series resumes, so it is not part of `all`.
        case badLink = "bad-link"
        /// An issue list whose issues' `html_url` names another repository's page with an escape sequence in
        /// it: a crawler must not take it as the issue's address. Not part of `all` (it changes what is stored).
        case hostileURL = "hostile-url"
        /// A GitHub issue list whose `link` to the next page is the page itself: a crawler must end the list
        /// rather than ask for it without end. Not part of `all`.
        case linkLoop = "link-loop"

        /// Whether `all=RATE` includes this fault: only those a correct crawler survives.
        public var inAll: Bool { ![.forbidden, .movedAway, .notIssues, .badLink, .hostileURL, .linkLoop].contains(self) }
    }

    public var rates: [Fault: Double] = [:]

    public init() {}

    public init(spec: String) throws {
        for part in spec.split(separator: ",") where !part.isEmpty {
            let kv = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let rate = Double(kv[1]), (0...1).contains(rate) else {
                throw SimError("fault '\(part)' must be NAME=RATE with RATE in 0...1")
            }
            if kv[0] == "all" {
                for f in Fault.allCases where f.inAll { rates[f] = rate }
            } else if let f = Fault(rawValue: kv[0]) {
                rates[f] = rate
            } else {
                throw SimError("unknown fault '\(kv[0])' (known: all, \(Fault.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
    }
}

public struct SimError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ message: String) { description = message }
}

