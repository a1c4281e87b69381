/// Group testing for capability probes: most probes pass, so sending a whole batch as one request
/// (`ProbeGroup`) and splitting only what fails finds the failures in far fewer requests than one per probe.
/// A failing group is halved and each half tested again, down to single probes, which are sent alone so
/// their results carry the framework's own reason. A crash restarts the worker, so the cost in restarts is
/// paid only on the path down to a crashing probe.
///
/// Where failures turn out dense (a framework without bf16 kernels fails most of a dtype batch), halving
/// costs more requests than probes, each larger than a single probe; once the failures found make up
/// `denseFailureShare` of what the batch has settled, the probes of a failing or untested group are sent one
/// at a time.
struct ProbeBisection<E: Error> {
    let send: ([CapabilityProbe]) throws(E) -> ExecutionResult
    private(set) var failures: [(CapabilityProbe, ExecutionResult)] = []
    /// Probes whose outcome is known (passed inside a group, or sent alone).
    private var settled = 0

    /// Above this share of failures among the settled probes, individual testing beats halving (the
    /// group-testing threshold is about 0.38 for independent failures; a group known to fail is denser).
    static var denseFailureShare: Double { 0.3 }

    /// Sends `probes` in groups through `send` and returns each probe whose own request (sent alone) did not
    /// succeed, with that result, in suite order; every other probe ran successfully inside some group.
    /// When a group fails and its first half then succeeds, its second half is known to fail and is split
    /// without being sent (one request fewer, and one restart fewer when the failure was a crash). A failure
    /// that only shows in a large group (two probes interfering) ends in parts that all pass: those probes
    /// count as supported, as they are alone.
    static func failures(_ probes: [CapabilityProbe],
                         send: @escaping ([CapabilityProbe]) throws(E) -> ExecutionResult) throws(E) -> [(CapabilityProbe, ExecutionResult)] {
        var search = ProbeBisection(send: send)
        try search.search(probes[...], knownToFail: false)
        return search.failures
    }

    /// Whether the failures found so far are dense enough to test probe by probe: at least
    /// `denseFailureShare` of the settled probes, with at least `denseEvidence` settled (one early failure
    /// found first is no density).
    private var dense: Bool {
        settled >= Self.denseEvidence && Double(failures.count) / Double(settled) >= Self.denseFailureShare
    }

    static var denseEvidence: Int { 8 }

    private mutating func search(_ probes: ArraySlice<CapabilityProbe>, knownToFail: Bool) throws(E) {
        guard !probes.isEmpty else { return }
        if probes.count == 1 || !(knownToFail || dense) {
            let result = try send(Array(probes))
            if result.status == .ok {
                settled += probes.count
                return
            }
            if probes.count == 1 {
                settled += 1
                failures.append((probes[probes.startIndex], result))
                return
            }
        }
        if dense {
            for i in probes.indices { try search(probes[i...i], knownToFail: false) }
            return
        }
        let middle = probes.startIndex + probes.count / 2
        let failuresBefore = failures.count
        try search(probes[..<middle], knownToFail: false)
        // The parent failed; if the first half did not, the second half holds the failure.
        try search(probes[middle...], knownToFail: failures.count == failuresBefore)
    }
}
