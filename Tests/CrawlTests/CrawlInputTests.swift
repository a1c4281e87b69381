import Crawl
import Store
import Foundation
import Testing

/// What a user gets wrong on the command line, and what two crawls of one repository written two ways do.
@Suite(.serialized)
struct CrawlInputTests {
    func taxonomyDirectory() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Taxonomy").path
    }

    /// Refused before any request, with what is wrong: a malformed URL used to be retried for two minutes, a bad
    /// state crawled nothing and said done, a token file of comments ran anonymously.
    /// The simulator's help is an answer (stdout, exit 0), not a usage error (stderr, 64), and lists --labels.
    @Test func simulatorHelpIsAnAnswer() throws {
        let r = try runCommand(Binaries.trackerSim, ["--help"])
        #expect(r.status == 0 && r.stdout.hasPrefix("usage: tracker-sim") && r.stdout.contains("[--labels N]") && r.stderr.isEmpty, "\(r.status) \(r.stderr)")
    }

    @Test func badArgumentsAreRefusedUpFront() throws {
        let db = temporaryDatabase()
        let tokens = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString).txt")
        try "# my token below\n\n".write(to: tokens, atomically: true, encoding: .utf8)
        let bigTokens = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString).txt")
        try Data(repeating: UInt8(ascii: "A"), count: 200_000).write(to: bigTokens)
        let latinTokens = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString).txt")
        try Data(Array("# token\ncaf".utf8) + [0xE9, 0x0A]).write(to: latinTokens)   // Latin-1 "café" on line 2
        defer { for f in [tokens, bigTokens, latinTokens] { try? FileManager.default.removeItem(at: f) } }
        for (args, message) in [(["--api-url", "htp//api.github.com"], "--api-url 'htp//api.github.com' must be an http(s) URL"),
                                (["--api-url", "ftp://example.org/api"], "must be an http(s) URL"),
                                (["--api-url", "http://127.0.0.1:9", "--state", "bogus"], "--state must be one of"),
                                (["--api-url", "http://127.0.0.1:9", "--since", "garbage"], "--since 'garbage' is not an ISO 8601 time"),
                                (["--api-url", "http://127.0.0.1:9", "--token-file", tokens.path], "no token in the file"),
                                (["--api-url", "http://127.0.0.1:99999"], "a port from 1 to 65535"),
                                // NaN and 1e19 trapped converting to milliseconds; 0.0001 s rounded to "no timeout".
                                (["--api-url", "http://127.0.0.1:9", "--timeout", "nan"], "--timeout must be between"),
                                (["--api-url", "http://127.0.0.1:9", "--timeout", "1e19"], "--timeout must be between"),
                                (["--api-url", "http://127.0.0.1:9", "--timeout", "0.0001"], "--timeout must be between"),
                                (["--api-url", "http://127.0.0.1:9", "--label", ""], "--label must name a label"),
                                // A CR LF in a token would add a header of the environment's choosing.
                                (["--api-url", "http://127.0.0.1:9", "--token-env", "DL_CRLF"], "--token-env DL_CRLF: the token holds whitespace"),
                                // A query was stored with the tracker (an access_token= in it), and glued before every path.
                                (["--api-url", "http://127.0.0.1:9/api/v3?access_token=ghp_SECRETquery"], "no query or fragment"),
                                (["--api-url", "http://127.0.0.1:9/api/v3#frag"], "no query or fragment"),
                                (["--api-url", "http://127.0.0.1:9/a b"], "holds a space, a control character"),
                                (["--api-url", "https://x-access-token:ghp_SECRETuser@127.0.0.1:9"], "no user:password"),
                                (["--api-url", "http://127.0.0.1:9", "--token-file", bigTokens.path], "longer than 64 KiB"),
                                (["--api-url", "http://127.0.0.1:9", "--token-file", latinTokens.path], "line 2: not UTF-8 text")] {
            let started = Date()
            let r = try runCommand(Binaries.defectlab, ["crawl", "github", "pytorch/pytorch", "--db", db, "--no-progress"] + args,
                                   environment: ["DL_CRLF": "abcd\r\nX-Injected: yes"])
            #expect(r.status == 64 && r.stderr.contains(message), "\(args): \(r.status) \(r.stderr)")
            #expect(!r.stderr.contains("SECRET"), "a secret in the message: \(r.stderr)")
            #expect(Date().timeIntervalSince(started) < 10)
        }
    }

    /// GitHub reads owner and name without case: `PyTorch/PyTorch` is the stored `pytorch/pytorch`, not a second
    /// copy of every issue (which doubled the HP counts). One number in two repositories is asked, not guessed.
    @Test func oneRepositoryWrittenTwoWaysIsStoredOnce() throws {
        let sim = try Simulator(["--seed", "33", "--github", "pytorch/pytorch=150", "--github", "tensorflow/tensorflow=60"])
        let db = temporaryDatabase()
        for repo in ["pytorch/pytorch", "PyTorch/PyTorch", "tensorflow/tensorflow"] {
            let r = try sim.crawl("github", repo, db: db)
            #expect(r.status == 0, "\(repo): \(r.stderr)")
        }
        #expect(try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: false) == [])
        let list = try runCommand(Binaries.defectlab, ["issues", "list", "--repo", "PYTORCH/pytorch", "--db", db, "--format", "json"])
        let listed = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["issues"] as? [Any]
        let truth = try sim.json("/_sim/truth?repo=pytorch/pytorch")
        let issues = (truth["issues"] as? [[String: Any]] ?? []).filter { $0["pull_request"] == nil }
        #expect(listed?.count == issues.count && !issues.isEmpty, "\(list.stderr) \(list.stdout.prefix(200))")
        let ambiguous = try runCommand(Binaries.defectlab, ["issues", "show", "10", "--db", db])
        #expect(ambiguous.status != 0 && ambiguous.stderr.contains("pass --repo OWNER/REPO")
                && ambiguous.stderr.contains("pytorch/pytorch") && ambiguous.stderr.contains("tensorflow/tensorflow"), "\(ambiguous.stderr)")
        let one = try runCommand(Binaries.defectlab, ["issues", "show", "10", "--repo", "tensorflow/tensorflow", "--db", db])
        #expect(one.status == 0, "\(one.stderr)")
        // A --repo nothing was crawled for is said, not "0 of 0 issues selected".
        let filter = try runCommand(Binaries.defectlab, ["filter", "--preset", "pytorch", "--repo", "nosuch/repo", "--db", db,
                                                         "--taxonomy-dir", taxonomyDirectory()])
        #expect(filter.status != 0 && filter.stderr.contains("no such repository") && filter.stderr.contains("pytorch/pytorch"), "\(filter.stderr)")
        let misspelt = try runCommand(Binaries.defectlab, ["issues", "list", "--repo", "nosuch/repo", "--db", db])
        #expect(misspelt.status != 0 && misspelt.stderr.contains("no such repository"), "\(misspelt.stderr)")
        // Crawled but not filtered: the advice names the missing step.
        let sample = try runCommand(Binaries.defectlab, ["sample", "--name", "s", "--per-framework", "5", "--seed", "1", "--db", db])
        #expect(sample.status != 0 && sample.stderr.contains("defectlab filter"), "\(sample.stderr)")
        // Filter values nothing can match are refused (they listed "0 issues", as an empty store does).
        for args in [["--state", "bogus"], ["--hp", "nosuch"]] {
            let r = try runCommand(Binaries.defectlab, ["issues", "list", "--db", db] + args)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
        }
        // A preset on the wrong repository first: the framework it recorded stays, and the right preset says so
        // (samples stratify by it); a Gitee preset on a GitHub repository says why nothing was examined.
        let wrong = try runCommand(Binaries.defectlab, ["filter", "--preset", "tensorflow", "--repo", "pytorch/pytorch", "--db", db,
                                                        "--taxonomy-dir", taxonomyDirectory()])
        #expect(wrong.status == 0, "\(wrong.stderr)")
        let right = try runCommand(Binaries.defectlab, ["filter", "--preset", "pytorch", "--db", db, "--taxonomy-dir", taxonomyDirectory()])
        #expect(right.stdout.contains("pytorch/pytorch keeps framework 'tensorflow'"), "\(right.stdout)")
        let gitee = try runCommand(Binaries.defectlab, ["filter", "--preset", "mindspore", "--repo", "pytorch/pytorch", "--db", db,
                                                        "--taxonomy-dir", taxonomyDirectory()])
        #expect(gitee.stdout.contains("is a github repository"), "\(gitee.stdout)")
    }

    /// Adding --comments on a later run fetches comments only for issues changed since the last pass: said, and a
    /// --since the series no longer uses is said too (both were silent).
    @Test func whatAnIncrementalPassLeavesOutIsSaid() throws {
        let sim = try Simulator(["--seed", "12", "--github", "pytorch/pytorch=300"])
        let db = temporaryDatabase()
        #expect(try sim.crawl("github", "pytorch/pytorch", db: db).status == 0)
        let again = try sim.crawl("github", "pytorch/pytorch", db: db, ["--comments", "--since", "2020-01-01T00:00:00Z"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("stored by a run without --comments"), "\(again.stderr)")
        #expect(again.stderr.contains("--since 2020-01-01T00:00:00Z is not used"), "\(again.stderr)")
    }

    /// `labels_any: []` is no condition: it selected every issue while `taxonomy check` said ok.
    @Test func anEmptyConditionListIsAProblem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("preset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("empty.yaml")
        try """
            name: emptyrule
            framework: pytorch
            tracker: github
            repos: [pytorch/pytorch]
            rules:
              - {id: r1, basis: study, description: x, labels_any: []}

            """.write(to: file, atomically: true, encoding: .utf8)
        let r = try runCommand(Binaries.defectlab, ["taxonomy", "check", file.path, "--taxonomy-dir", taxonomyDirectory()])
        #expect(r.status != 0 && (r.stderr + r.stdout).contains("'labels_any' is an empty list"), "\(r.stdout) \(r.stderr)")
        // Beside a real condition an empty list selects nothing more: no problem.
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "labels_any: []", with: "labels_any: [bug], labels_none: []")
            .write(to: file, atomically: true, encoding: .utf8)
        let fine = try runCommand(Binaries.defectlab, ["taxonomy", "check", file.path, "--taxonomy-dir", taxonomyDirectory()])
        #expect(fine.status == 0, "\(fine.stdout) \(fine.stderr)")
    }

    /// A store written before repositories were matched without case may hold one in two spellings: --repo as
    /// written picks its row (it was an error that --repo could not clear).
    @Test func anOlderStoresTwoSpellingsAreResolvedByRepo() throws {
        let db = temporaryDatabase()
        let store = try DefectLabStore.open(path: db)
        try store.write { db in
            try db.execute(sql: "INSERT INTO tracker (id, kind, api_url) VALUES (1, 'github', 'https://api.github.com')")
            for (id, owner) in [(1, "PyTorch"), (2, "pytorch")] {
                try db.execute(sql: "INSERT INTO repository (id, tracker_id, owner, name) VALUES (?, 1, ?, 'pytorch')", arguments: [id, owner])
                try db.execute(sql: """
                    INSERT INTO issue (repository_id, number, title, url, raw_json, fetched_at)
                    VALUES (?, '5', ?, '', '{}', '2024-01-01T00:00:00Z')
                    """, arguments: [id, "title in \(owner)"])
            }
        }
        let exact = try runCommand(Binaries.defectlab, ["issues", "show", "5", "--repo", "pytorch/pytorch", "--db", db])
        #expect(exact.status == 0 && exact.stdout.contains("title in pytorch"), "\(exact.stdout) \(exact.stderr)")
        let bare = try runCommand(Binaries.defectlab, ["issues", "show", "5", "--db", db])
        #expect(bare.status != 0 && bare.stderr.contains("pass --repo"), "\(bare.stderr)")
        // A --repo matching both spellings and neither exactly is as ambiguous.
        let neither = try runCommand(Binaries.defectlab, ["issues", "show", "5", "--repo", "PYTORCH/PYTORCH", "--db", db])
        #expect(neither.status != 0 && neither.stderr.contains("2 repositories"), "\(neither.stdout) \(neither.stderr)")
    }
}
