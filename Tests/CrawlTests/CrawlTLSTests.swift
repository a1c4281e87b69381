import Crawl
import Foundation
import Testing

/// HTTPS as the real trackers serve it: the simulator over TLS (NIOSSL) with a self-signed certificate that the
/// crawler trusts through `--ca-file` (as for a GitHub Enterprise behind a private authority), the HTTP version
/// chosen by ALPN — HTTP/2 where offered, the crawler's default — and verification never switched off.
@Suite(.serialized)
struct CrawlTLSTests {
    @Test func crawlOverTLSNegotiatesHTTP2AndStoresExactlyTheTruth() throws {
        let tls = try selfSignedCertificate()
        let sim = try Simulator(["--seed", "11", "--github", "pytorch/pytorch=150", "--faults", "all=0.05", "--slow-ms", "1300",
                                 "--retry-after", "0", "--http2", "--tls-cert", tls.certificate, "--tls-key", tls.key])
        #expect(sim.url.hasPrefix("https://"))
        let db = temporaryDatabase()
        let r = try sim.crawl("github", "pytorch/pytorch", db: db,
                              ["--ca-file", tls.certificate, "--comments", "--timeout", "1", "--wait-scale", "0.002", "--max-attempts", "12", "--verbose"])
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        #expect(r.stderr.contains("HTTP/2"), "\(r.stderr.suffix(2000))")
        #expect(!r.stderr.contains("HTTP/1.1"))
        let diffs = try differences(db: db, sim: sim, repo: "pytorch/pytorch", comments: true)
        #expect(diffs == [], "\(diffs.prefix(10))")
    }

    @Test func overTLSWithoutHTTP2TheCrawlUsesHTTP11() throws {
        let tls = try selfSignedCertificate()
        let sim = try Simulator(["--seed", "14", "--gitee", "mindspore/mindspore=150", "--tls-cert", tls.certificate, "--tls-key", tls.key])
        let db = temporaryDatabase()
        let r = try sim.crawl("gitee", "mindspore/mindspore", db: db, ["--ca-file", tls.certificate, "--verbose"])
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        #expect(r.stderr.contains("HTTP/1.1") && !r.stderr.contains("HTTP/2"), "\(r.stderr.suffix(2000))")
        #expect(try differences(db: db, sim: sim, repo: "mindspore/mindspore", comments: false) == [])
    }

    @Test func anUntrustedCertificateStopsAtOnceAndSaysWhatToDo() throws {
        let tls = try selfSignedCertificate()
        let sim = try Simulator(["--seed", "2", "--github", "pytorch/pytorch=30", "--http2", "--tls-cert", tls.certificate, "--tls-key", tls.key])
        let r = try sim.crawl("github", "pytorch/pytorch", db: temporaryDatabase(), ["--verbose"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("needs --ca-file"), "\(r.stderr)")
        // Not retried: one attempt, and no HTTP request ever reached the simulator.
        #expect(r.stderr.components(separatedBy: "→ untrusted").count == 2, "\(r.stderr)")
        let stats = try sim.stats()
        #expect(stats.requests <= 1, "\(stats)")   // at most this very stats request
    }

    @Test func unreadableCAFileAndUnknownHTTPVersionAreRefused() throws {
        let missing = try runCommand(Binaries.defectlab, ["crawl", "github", "pytorch/pytorch", "--ca-file", "/nonexistent/ca.pem",
                                                          "--db", temporaryDatabase()])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--ca-file /nonexistent/ca.pem: cannot read the file"), "\(missing.stderr)")
        let version = try runCommand(Binaries.defectlab, ["crawl", "github", "pytorch/pytorch", "--http", "3", "--db", temporaryDatabase()])
        #expect(version.status != 0)
        #expect(version.stderr.contains("--http must be auto, 1.1 or 2"), "\(version.stderr)")
    }
}
