@testable import Crawl
import Foundation
import Testing

/// HTTP/2, the framing GitHub and Gitee negotiate over TLS: the simulator speaks it in clear text
/// (`tracker-sim --http2`) and the crawler asks for it with prior knowledge (`--http 2`), so the same libcurl
/// transfer code runs over HTTP/2 streams — lower-case header names, no reason phrase, one multiplexed
/// connection (where the linked libcurl can reuse it), a stream reset instead of a dropped connection.
@Suite(.serialized)
struct CrawlHTTP2Tests {
    @Test func clientSpeaksHTTP2AndReadsItsHeaders() throws {
        let sim = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=30", "--http2"])
        let client = try HTTPClient()
        client.versionPreference = .http2PriorKnowledge
        let first = try client.get(sim.url + "/repos/pytorch/pytorch/issues?per_page=5&state=all")
        #expect(first.status == 200)
        #expect(first.httpVersion == "2")
        #expect(first.header("Link")?.contains("rel=\"next\"") == true)
        #expect(first.header("X-RateLimit-Remaining") != nil)
        let second = try client.get(sim.url + "/rate_limit")
        #expect(second.status == 200 && second.httpVersion == "2")
        #expect(first.newConnections == 1)
        // One connection for both, except where libcurl cannot reuse a prior-knowledge one (before 8.0).
        #expect(second.newConnections == (HTTPClient.priorKnowledgeReuseBroken ? 1 : 0))
    }

    @Test func crawlOverHTTP2WithFaultsStoresExactlyTheTruth() throws {
        let sim = try Simulator(["--seed", "11", "--github", "pytorch/pytorch=150", "--gitee", "mindspore/mindspore=300",
                                 "--faults", "all=0.05", "--slow-ms", "1300", "--retry-after", "0", "--http2"])
        let db = temporaryDatabase()
        let options = ["--http", "2", "--timeout", "1", "--wait-scale", "0.002", "--max-attempts", "12"]
        let gh = try sim.crawl("github", "pytorch/pytorch", db: db, options + ["--comments", "--verbose"])
        #expect(gh.status == 0, "\(gh.stderr)")
        #expect(gh.stderr.contains("HTTP/2"), "\(gh.stderr.suffix(2000))")
        #expect(!gh.stderr.contains("HTTP/1.1"))
        let ge = try sim.crawl("gitee", "mindspore/mindspore", db: db, options)
        #expect(ge.status == 0, "\(ge.stderr)")
        #expect(try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: true) == [])
        #expect(try differences(db: db, sim: sim, repo: "mindspore/mindspore", comments: false) == [])
        let faults = try sim.stats().faults
        #expect((faults["truncate"] ?? 0) + (faults["reset"] ?? 0) > 0, "\(faults)")
    }
}
