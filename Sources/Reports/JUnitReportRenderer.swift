import Foundation

/// The campaign report as JUnit XML (the Jenkins/Ant layout CI systems read), so a campaign shows in CI as a
/// test run: one `<testsuite>` per taxonomy subtype with a failing `<testcase>` per unique defect
/// (`<failure type="SUBTYPE">`), a suite of still-unfolded raw finding groups (also failing: a finding is a
/// finding until triage says otherwise), and a summary suite whose passing test case carries the mutant counts.
/// Every attribute and text goes through `Escape.xml`.
public enum JUnitReportRenderer {
    public static func render(_ s: CampaignSnapshot) -> String {
        let c = s.campaign
        let prefix = "defectlab.\(s.stem)"
        var suites: [String] = []
        var totalTests = 0, totalFailures = 0

        let seconds = s.stepSeconds
        let props: [(String, String)] = [
            ("campaigns", s.campaignIDs.map(String.init).joined(separator: ",")), ("kind", c.kind), ("seed", c.seedText), ("shard", c.shardText),
            ("seed_models", c.seeds.joined(separator: ",")), ("frameworks", c.frameworks.joined(separator: ",")),
            ("started_at", c.startedAt), ("finished_at", c.finishedAt ?? ""),
        ]
        var summary = "  <testsuite name=\"\(x(prefix)).summary\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"\(time(seconds))\">\n"
        summary += "    <properties>\n" + props.map { "      <property name=\"\(x($0.0))\" value=\"\(x($0.1))\"/>\n" }.joined() + "    </properties>\n"
        summary += "    <testcase classname=\"\(x(prefix))\" name=\"mutants made and judged\" time=\"\(time(seconds))\">\n"
        let counts = s.orderedStatuses.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        summary += "      <system-out>\(x("\(s.mutants) mutants (\(counts)); legal rate \(s.legalRate.map { String(format: "%.3f", $0) } ?? "n/a (no mutant judged)"); \(s.rawFindings) raw findings; \(s.uniqueDefects) unique defects" + (s.frameworkRunsText.isEmpty ? "" : "; runs per framework: \(s.frameworkRunsText)")))</system-out>\n"
        summary += "    </testcase>\n  </testsuite>\n"
        suites.append(summary)
        totalTests += 1

        var bySubtype: [String: [DefectEntry]] = [:]
        var order: [String] = []
        for d in s.defects {
            if bySubtype[d.subtype] == nil { order.append(d.subtype) }
            bySubtype[d.subtype, default: []].append(d)
        }
        for subtype in order {
            let defects = bySubtype[subtype]!
            var suite = "  <testsuite name=\"\(x("\(subtype) \(defects[0].subtypeName)"))\" tests=\"\(defects.count)\" failures=\"\(defects.count)\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
            for d in defects {
                let body = ["signature: \(d.signature)", "frameworks: \(d.frameworks.joined(separator: ","))",
                            "findings: \(d.campaignFindings) in this campaign, \(d.findingCount) in all",
                            "first seen: \(d.firstSeen)", "last seen: \(d.lastSeen)",
                            "reproducer: \(d.reproducer?.path ?? "none yet")"] + (d.error.isEmpty ? [] : ["error: \(d.error)"])
                    + (d.sampleDetail.isEmpty ? [] : ["detail: \(d.sampleDetail)"])
                suite += "    <testcase classname=\"\(x("\(prefix).\(subtype)"))\" name=\"\(x("defect \(d.id): \(d.title)"))\" time=\"0\">\n"
                suite += "      <failure message=\"\(x(d.title))\" type=\"\(x(subtype))\">\(x(body.joined(separator: "\n")))</failure>\n"
                suite += "    </testcase>\n"
            }
            suite += "  </testsuite>\n"
            suites.append(suite)
            totalTests += defects.count
            totalFailures += defects.count
        }

        if !s.unfolded.isEmpty {
            var suite = "  <testsuite name=\"\(x(prefix)).unfolded\" tests=\"\(s.unfolded.count)\" failures=\"\(s.unfolded.count)\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
            for g in s.unfolded {
                suite += "    <testcase classname=\"\(x("\(prefix).unfolded.\(g.subtype)"))\" name=\"\(x("\(g.framework) \(g.symptom) in \(g.op)"))\" time=\"0\">\n"
                suite += "      <failure message=\"\(x("\(g.count) raw finding(s) not folded into a defect yet"))\" type=\"\(x(g.subtype))\">\(x("signature: \(g.signature)\nfirst step: \(g.firstStep)\ndetail: \(g.detail)"))</failure>\n"
                suite += "    </testcase>\n"
            }
            suite += "  </testsuite>\n"
            suites.append(suite)
            totalTests += s.unfolded.count
            totalFailures += s.unfolded.count
        }

        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"\(x(prefix))\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\" errors=\"0\" time=\"\(time(seconds))\">\n"
            + suites.joined() + "</testsuites>\n"
    }

    static func x(_ s: String) -> String { Escape.xml(s) }

    static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds.isFinite ? max(0, seconds) : 0) }
}
