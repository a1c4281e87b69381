/// Parses `tracker-sim` arguments (kept dependency-free: the simulator is a small tool).
public enum SimCommandLine {
    public static let usage = """
        usage: tracker-sim [--port N] [--seed S] [--github OWNER/REPO=N ...] [--gitee OWNER/REPO=N ...]
                           [--faults SPEC] [--churn R] [--labels N] [--max-per-page N] [--ignore-label-filter] [--quota N] [--anonymous-quota N] [--tokens T1,T2]
                           [--reset-seconds N] [--retry-after N] [--slow-ms N] [--http2]
                           [--tls-cert CERT.pem --tls-key KEY.pem]
          Serves GitHub (with and without /api/v3) and Gitee (/api/v5) issue APIs on 127.0.0.1 from a corpus
          generated from the seed; prints "listening on http://127.0.0.1:PORT" first.
          --faults primary|secondary|secondary-bare|429|5xx|reset|truncate|slow|301|410|all=RATE,...
                   also 403 (permission error), 301-away (redirect to another host), not-issues (an array of
                   non-issues), bad-link (a next-page link with a space), link-loop (a next-page link to the page itself)
                   and hostile-url (html_url naming another page): not in all
          --churn R       probability per issue-list request that one issue changes
          --labels N      N more labels per repository, on no issue (a label list that spans pages)
          --max-per-page N  at most N items a page, whatever per_page asks (default 100)
          --ignore-label-filter  issue lists ignore labels= (as Gitee's may)
          --tokens        only these tokens are valid (default: every token)
          --http2         speak HTTP/2 instead of HTTP/1.1 (in clear text: prior knowledge; over TLS: ALPN h2)
          --tls-cert/--tls-key  serve HTTPS with this certificate and key (prints https://...)
          /_sim/stats, /_sim/truth?repo=OWNER/REPO, /_sim/churn?repo=OWNER/REPO&n=N,
          /_sim/comment?repo=OWNER/REPO&number=N&n=K (append K comments to issue N),
          /_sim/touch?repo=OWNER/REPO&n=K&gap=S (edit K issues at one instant, S s after the latest change),
          /_sim/label?repo=OWNER/REPO&index=K (rename the K-th label),
          /_sim/unlabel?repo=OWNER/REPO&number=N&label=NAME (take a label off an issue),
          /_sim/delete?repo=OWNER/REPO&number=N[&after=K] (delete an issue, after K more issue-list requests)
        """

    public static func parse(_ args: [String]) throws -> SimOptions {
        var o = SimOptions()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw SimError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func repo(_ s: String) throws -> (String, Int) {
            let kv = s.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, kv[0].split(separator: "/").count == 2, let n = Int(kv[1]), n >= 0 else {
                throw SimError("'\(s)' must be OWNER/REPO=N")
            }
            return (kv[0], n)
        }
        func int(_ s: String) throws -> Int {
            guard let v = Int(s), v >= 0 else { throw SimError("'\(s)' is not a count") }
            return v
        }
        while i < args.count {
            switch args[i] {
            case "--port": o.port = try int(value())
            case "--seed": guard let s = UInt64(try value()) else { throw SimError("--seed needs a number") }; o.seed = s
            case "--github": o.github.append(try repo(value()))
            case "--gitee": o.gitee.append(try repo(value()))
            case "--faults": o.faults = try FaultPlan(spec: value())
            case "--labels": guard let n = Int(try value()), n >= 0 else { throw SimError("--labels needs a count") }; o.extraLabels = n
            case "--max-per-page": guard let n = Int(try value()), n >= 1 else { throw SimError("--max-per-page needs a count ≥ 1") }; o.maxPerPage = n
            case "--ignore-label-filter": o.ignoreLabelFilter = true
            case "--churn": guard let r = Double(try value()), (0...1).contains(r) else { throw SimError("--churn needs 0...1") }; o.churn = r
            case "--quota": o.quota = try int(value())
            case "--anonymous-quota": o.anonymousQuota = try int(value())
            case "--tokens": o.validTokens = Set(try value().split(separator: ",").map(String.init))
            case "--reset-seconds": o.resetSeconds = try int(value())
            case "--retry-after": o.retryAfterSeconds = try int(value())
            case "--slow-ms": o.slowMilliseconds = try int(value())
            case "--http2": o.http2 = true
            case "--tls-cert": o.tlsCertificate = try value()
            case "--tls-key": o.tlsKey = try value()
            case "-h", "--help": throw SimError(usage)
            default: throw SimError("unknown argument '\(args[i])'\n\(usage)")
            }
            i += 1
        }
        guard (o.tlsCertificate == nil) == (o.tlsKey == nil) else { throw SimError("--tls-cert and --tls-key go together") }
        return o
    }
}
