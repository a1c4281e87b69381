import Annotation
import ArgumentParser
import Crawl
import Foundation
import JSONText
import TerminalUI
import GRDB

struct CrawlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crawl",
        abstract: "Crawl a GitHub or Gitee issue tracker into the store (resumable, incremental).",
        discussion: """
            Exit status: 0 done; 3 stopped by --max-requests (run the same command again to continue); 1 failed.
            Tokens are read from environment variables (--token-env) or a file (--token-file, one per line) and
            never appear in output, errors or the database.
            """,
        subcommands: [CrawlGitHub.self, CrawlGitee.self])
}

struct CrawlGitHub: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "github", abstract: "Crawl a GitHub repository's issues (pull requests skipped).")
    @OptionGroup var crawl: CrawlArguments
    func run() throws { try crawl.run(kind: .github) }
}

struct CrawlGitee: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gitee", abstract: "Crawl a Gitee repository's issues.")
    @OptionGroup var crawl: CrawlArguments
    func run() throws { try crawl.run(kind: .gitee) }
}

struct CrawlArguments: ParsableArguments {
    @Argument(help: "OWNER/REPO")
    var repository: String

    @Option(name: .customLong("label"), help: "Only issues with this label (repeatable: one request series per label, union stored).")
    var labels: [String] = []

    @Option(help: "all, open or closed (Gitee also progressing, rejected).")
    var state: String = "all"

    @Option(help: "ISO 8601 floor for the first pass (later runs start from the stored high-water mark).")
    var since: String?

    @Option(name: .customLong("api-url"), help: "API root: GitHub Enterprise (https://HOST/api/v3), a Gitee mirror, or tracker-sim.")
    var apiURL: String?

    @Option(name: .customLong("token-env"), help: "Environment variable holding a token (repeatable: rotated by remaining quota).")
    var tokenEnv: [String] = []

    @Option(name: .customLong("token-file"), help: "File with one token per line.")
    var tokenFile: String?

    @Flag(help: "Also fetch each issue's comments.")
    var comments = false

    @Option(name: .customLong("max-requests"), help: "Stop after this many HTTP requests (exit status 3; resumable).")
    var maxRequests: Int?

    @Option(name: .customLong("max-attempts"), help: "Tries per request on network faults and 5xx before the crawl gives up (resumable); rate limits (429, secondary, primary) get 4 more waits.")
    var maxAttempts = 8

    @Option(help: "Seconds before one request times out.")
    var timeout: Double = 30

    @Option(name: .customLong("http"), help: ArgumentHelp("HTTP version: auto (HTTP/2 over TLS where the server offers it, else 1.1), 1.1, or 2 (HTTP/2 in clear text with prior knowledge, e.g. tracker-sim --http2).", valueName: "version"))
    var http = "auto"

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of certificate authorities to trust instead of the system's (a tracker behind a private CA).", valueName: "pem"))
    var caFile: String?

    @Option(help: ArgumentHelp("The DL framework this tracker belongs to, which `sample --per-framework` stratifies by (default: what `filter` records from its preset, e.g. pytorch for pytorch/pytorch).", valueName: "name"))
    var framework: String?

    @Flag(help: "Log every request (URL without credentials, status, quota) and every wait.")
    var verbose = false

    @Flag(name: .customLong("no-progress"), help: "No progress line.")
    var noProgress = false

    @Option(name: .customLong("wait-scale"), help: .hidden)
    var waitScale: Double = 1

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let framework, framework.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--framework needs a name (e.g. pytorch)") }
        if let framework, let problem = RatingsFile.frameworkProblem(framework.trimmingCharacters(in: .whitespaces).lowercased()) {
            throw ValidationError("--framework: \(problem)")
        }
        guard repository.split(separator: "/").count == 2 else { throw ValidationError("repository must be OWNER/REPO") }
        if let m = maxRequests, m < 1 { throw ValidationError("--max-requests must be at least 1") }
        // NaN, inf and 1e19 trapped converting to libcurl's milliseconds; below 1 ms rounded to 0, which
        // libcurl reads as "no timeout".
        if !(timeout >= 0.001 && timeout <= 86_400) { throw ValidationError("--timeout must be between 0.001 and 86400 seconds") }
        if labels.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--label must name a label (an empty one matches no issue)")
        }
        if maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file \(caFile): cannot read the file") }
        if httpVersion == nil { throw ValidationError("--http must be auto, 1.1 or 2, not '\(http)'") }
        // Checked here, not at the first request: a bad URL was retried with back-off for two minutes, a bad state
        // crawled nothing and said done, a bad --since passed unnoticed once a high-water mark existed.
        if let apiURL {
            // Shown without what could be a secret: the user:password part, the query and the fragment.
            let shown = Self.shownAPIURL(apiURL)
            guard apiURL.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw ValidationError("--api-url '\(shown)' holds a space, a control character or a non-ASCII character; write the URL percent-encoded")
            }
            guard let c = URLComponents(string: apiURL), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  let host = c.host, !host.isEmpty, (c.port ?? 443) >= 1 && (c.port ?? 443) <= 65535, c.user == nil, c.password == nil else {
                throw ValidationError("--api-url '\(shown)' must be an http(s) URL with a host (and a port from 1 to 65535, no user:password), e.g. https://github.example.com/api/v3")
            }
            // The API's root: the crawl appends paths to it, so a query or fragment would end up in the middle of every
            // request, and it is stored (an `access_token=` in it was written to the database).
            guard c.percentEncodedQuery == nil, c.percentEncodedFragment == nil, !apiURL.contains("?"), !apiURL.contains("#") else {
                throw ValidationError("--api-url '\(shown)' must be the API's root with no query or fragment (e.g. https://github.example.com/api/v3); a token goes in --token-env or --token-file")
            }
        }
        let states = ["all", "open", "closed", "progressing", "rejected"]
        guard states.contains(state) else { throw ValidationError("--state must be one of \(states.joined(separator: ", ")), not '\(state)'") }
        if let since, TrackerTime.epoch(since) == nil {
            throw ValidationError("--since '\(since)' is not an ISO 8601 time (e.g. 2024-01-01T00:00:00Z)")
        }
    }

    /// The longest token file read.
    static let tokenFileLimit = 64 * 1024

    /// `--api-url` as an error shows it: without a user:password part, query or fragment, and inert.
    static func shownAPIURL(_ url: String) -> String {
        var text = url
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<cut]) + "\(text[cut])[redacted]" }
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].prefix(while: { $0 != "/" }).lastIndex(of: "@") {
            text = String(text[..<scheme.upperBound]) + "[redacted]" + String(text[at...])
        }
        return InertText.escaped(text, limit: 200)
    }

    var httpVersion: HTTPClient.VersionPreference? {
        switch http {
        case "auto": .http2OverTLS
        case "1.1": .http11
        case "2": .http2PriorKnowledge
        default: nil
        }
    }

    func tokens() throws -> [CrawlToken] {
        var out: [CrawlToken] = []
        for name in tokenEnv {
            guard let value = ProcessInfo.processInfo.environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw ValidationError("--token-env \(name): the variable is not set or empty")
            }
            guard Self.isTokenText(value) else {
                throw ValidationError("--token-env \(name): the token holds whitespace, a control character or a non-ASCII character (a token goes into a header as it is)")
            }
            out.append(CrawlToken(label: "$\(name)", value: value))
        }
        if let path = tokenFile {
            // Read bounded: a token file is a few lines (a 100 MB file took 42 s and 523 MB before failing on a
            // request, and a 300 MB one was never done).
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                  let handle = FileHandle(forReadingAtPath: path) else {
                throw ValidationError("--token-file \(path): cannot read the file")
            }
            defer { try? handle.close() }
            guard let bytes = try? handle.read(upToCount: Self.tokenFileLimit + 1) ?? Data() else {
                throw ValidationError("--token-file \(path): cannot read the file")
            }
            if bytes.count > Self.tokenFileLimit {
                throw ValidationError("--token-file \(path): longer than \(Self.tokenFileLimit / 1024) KiB; a token file holds a few tokens, one per line")
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                let line = UTF8Position.firstInvalid(bytes)?.line ?? 1
                throw ValidationError("--token-file \(path) line \(line): not UTF-8 text (a token is ASCII letters, digits and punctuation)")
            }
            // Lines end in LF, CRLF (a file saved on Windows: "\r\n" is one Character, which a split on "\n" does
            // not cut, so two tokens became one) or CR; numbered as an editor numbers them.
            // A byte-order mark (a file saved by Windows Notepad) is no part of the first token.
            let lines = (text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .split(separator: "\n", omittingEmptySubsequences: false)
            for (n, line) in lines.enumerated() {
                let t = line.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !t.isEmpty, !t.hasPrefix("#") else { continue }
                // A token goes into a header: whitespace or a control character inside it is no token.
                guard Self.isTokenText(t) else {
                    throw ValidationError("--token-file \(path) line \(n + 1): a token holds whitespace, a control character or a non-ASCII character (one token per line)")
                }
                out.append(CrawlToken(label: "\(path) line \(n + 1)", value: t))
            }
            // A file of comments only would run the crawl anonymously (60 requests an hour on GitHub), unsaid.
            guard out.contains(where: { $0.label.hasPrefix(path) }) else {
                throw ValidationError("--token-file \(path): no token in the file (one per line; '#' starts a comment)")
            }
        }
        return out
    }

    /// Printable ASCII without spaces: a token goes into a header (GitHub) or a query (Gitee) as it is, and a
    /// CR LF inside one would add headers of its own.
    static func isTokenText(_ token: String) -> Bool {
        token.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
    }

    func run(kind: TrackerKind) throws {
        if kind == .github, !["all", "open", "closed"].contains(state) {
            throw ValidationError("--state \(state) is Gitee's; GitHub's are all, open and closed")
        }
        let parts = repository.split(separator: "/").map(String.init)
        var o = CrawlOptions(kind: kind, owner: parts[0], repo: parts[1])
        o.labels = labels
        o.state = state
        o.since = since
        o.apiURL = apiURL
        o.tokens = try tokens()
        o.comments = comments
        o.maxRequests = maxRequests
        o.timeout = timeout
        o.maxAttempts = maxAttempts
        o.httpVersion = httpVersion ?? .http2OverTLS
        o.caFile = caFile
        o.framework = framework.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        o.verbose = verbose
        o.progress = !noProgress
        o.waitScale = waitScale
        let store = try database.open()
        for note in try NewFrameworkNote.notes(for: o.framework.map { [$0] } ?? [], in: store) {
            FileHandle.standardError.write(Data((note + "\n").utf8))
        }
        // Ctrl-C, SIGTERM or a hang-up stops before the next request, with a summary (exit 130 showed a stale
        // progress line and nothing else); a second one quits at once. Every page is stored whole either way.
        let interrupted = InterruptFlag.install(what: "the crawl")
        o.shouldStop = { interrupted.isSet }
        let report = try Crawler(options: o, store: store).run()
        let summary = "\(kind.rawValue) \(repository): \(report.pages) pages, \(report.issuesStored) issues stored, " +
            "\(report.pullRequestsSkipped) pull requests skipped, " + (report.malformedSkipped > 0 ? "\(report.malformedSkipped) malformed elements left out, " : "")
            + "\(report.requests) requests (\(report.notModified) not modified, \(report.retries) retried) in \(String(format: "%.1f", report.seconds)) s"
        if let moved = report.movedTo {
            FileHandle.standardError.write(Data("note: \(repository) has moved to \(InertText.line(moved)) (the tracker redirects to it): its issues are stored under \(repository); crawling \(InertText.line(moved)) as well would store them twice\n".utf8))
        }
        switch report.outcome {
        case .done:
            print("done: \(summary)")
        case .budgetStopped where report.pages == 0:
            // A page is stored whole, with its comments: a budget spent before the first page is complete (the
            // probe and the label list come first on every run) stops the next run at the same place.
            print("stopped by --max-requests: \(summary)")
            FileHandle.standardError.write(Data("defectlab: error: --max-requests \(maxRequests ?? 0) ran out before one page of issues was complete (each run asks for the token's quota and the label list first, and a page is stored with its comments, so the same budget would stop again there): raise --max-requests\n".utf8))
            throw ExitCode(1)
        case .budgetStopped:
            print("stopped by --max-requests: \(summary); run the same command again to continue")
            throw ExitCode(3)
        case .interrupted:
            print("interrupted: \(summary); run the same command again to continue")
            throw ExitCode(3)
        case .failed(let code, let message):
            FileHandle.standardError.write(Data("defectlab: error: crawl failed (\(code)): \(message)\n".utf8))
            print("failed: \(summary)")
            throw ExitCode(1)
        }
    }
}
