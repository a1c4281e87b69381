import Foundation

/// The campaign report as GitHub-flavoured Markdown: the HTML report's content, with tables where the HTML
/// has charts (GitHub strips inline SVG). Stored text goes through `Escape.markdownCell` or a fence it
/// cannot close.
public enum MarkdownReportRenderer {
    public static func render(_ s: CampaignSnapshot) -> String {
        let c = s.campaign
        var m = "# DefectLab \(s.title) (\(cell(c.kind)))\n\n"
        var header: [(String, String)] = [
            ("seed models", c.seeds.joined(separator: ", ")), ("frameworks", c.frameworks.joined(separator: ", ")),
            ("guidance", c.guidance ?? "—"), ("campaign seed", c.seedText), ("shard", s.campaignIDs.count > 1 ? "\(s.campaignIDs.count) campaigns of \(c.shardCount) shard(s)" : "\(c.shardIndex)/\(c.shardCount)"),
            ("status", c.status), ("started", c.startedAt), ("finished", c.finishedAt ?? "—"),
            ("mutants", "\(s.mutants) (" + s.orderedStatuses.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")"),
            ("legal rate (of judged mutants)", s.legalRate.map { String(format: "%.1f%%", $0 * 100) } ?? "— (no mutant judged)"),
            ("runs per framework", s.frameworkRunsText.isEmpty ? "—" : s.frameworkRunsText), ("raw findings", String(s.rawFindings)),
            ("unique defects", String(s.uniqueDefects) + (s.unfoldedFindings > 0 ? " (\(s.unfoldedFindings) raw findings not folded yet)" : "")),
        ]
        if !c.planted.isEmpty { header.insert(("planted defects", c.planted.joined(separator: ", ")), at: 2) }
        m += table(["", "value"], header.map { [$0.0, $0.1] })
        m += "\n## Per HP taxonomy subtype\n\n" + table(["subtype", "name", "unique defects", "raw findings"],
                                                      s.bySubtype.map { [$0.key, $0.name, String($0.defects), String($0.findings)] })
        m += "\n## Per framework\n\n" + table(["framework", "unique defects", "raw findings"],
                                              s.byFramework.map { [$0.key, String($0.defects), String($0.findings)] })
        m += "\n## Per mutation operator\n\nDefects count under the operator of the first mutant that exposed them.\n\n"
            + table(["operator", "unique defects", "raw findings"], s.byOperator.map { [$0.key, String($0.defects), String($0.findings)] })
        m += "\n## Over rounds of \(s.roundSize) steps\n\n" + table(["round", "steps", "mutants", "legal rate", "mutants/s", "mean pair distance"], s.rounds.map {
            [String($0.index), "\($0.firstStep)–\($0.lastStep)", String($0.mutants), $0.legalRate.map { String(format: "%.3f", $0) } ?? "—",
             $0.throughput.map { String(format: "%.2f", $0) } ?? "—", $0.inconsistency.map { String(format: "%.4g", $0) } ?? "—"]
        })
        m += "\n## Unique defects (\(s.defects.count))\n\n"
        if s.defects.isEmpty {
            m += "No unique defects fold this campaign's findings\(s.rawFindings > 0 ? " yet" : "").\n"
        } else {
            m += table(["#", "subtype", "symptom", "frameworks", "op", "this campaign", "all", "first seen", "last seen", "reduced"], s.defects.map { d in
                [String(d.id), "\(d.subtype) \(d.subtypeName)", d.symptom + (d.stage.map { " at \($0)" } ?? ""), d.frameworks.joined(separator: ", "),
                 d.op, String(d.campaignFindings), String(d.findingCount), d.firstSeen, d.lastSeen, HTMLReportRenderer.reduced(d)]
            })
            for d in s.defects {
                m += "\n### Defect \(d.id): \(cell(d.title))\n\n"
                var facts: [[String]] = [
                    ["signature", d.signature], ["subtype", "\(d.subtype) \(d.subtypeName)"],
                    ["frameworks", d.frameworks.joined(separator: ", ")], ["op", d.op + (d.keyAttributes.isEmpty ? "" : " (\(d.keyAttributes))")],
                    ["findings", "\(d.campaignFindings) in this campaign, \(d.findingCount) in all"],
                    ["first seen", d.firstSeen], ["last seen", d.lastSeen],
                    ["representative", HTMLReportRenderer.representative(d)], ["reduced", HTMLReportRenderer.reduced(d)],
                ]
                if !d.error.isEmpty { facts.append(["error", d.error]) }
                if !d.sampleDetail.isEmpty { facts.append(["detail", d.sampleDetail]) }
                m += table(["", ""], facts)
                m += reproducer(d.reproducer)
            }
        }
        if !s.unfolded.isEmpty {
            m += "\n## Raw findings not folded into defects (\(s.unfoldedFindings))\n\n"
            m += table(["subtype", "framework", "symptom", "op", "count", "first step", "detail"], s.unfolded.map {
                [$0.subtype, $0.framework, $0.symptom + ($0.stage.map { " at \($0)" } ?? ""), $0.op, String($0.count), String($0.firstStep), $0.detail]
            })
        }
        m += "\n## Configuration\n"
        for (heading, json) in c.configurations {
            m += (c.members == nil ? "\n" : "\n### \(heading)\n\n") + Escape.markdownFence(HTMLReportRenderer.prettyJSON(json), info: "json") + "\n"
        }
        return m
    }

    static func cell(_ s: String) -> String { Escape.markdownCell(s) }

    static func table(_ head: [String], _ rows: [[String]]) -> String {
        var t = "| " + head.map(cell).joined(separator: " | ") + " |\n|" + head.map { _ in " --- |" }.joined() + "\n"
        for r in rows { t += "| " + r.map(cell).joined(separator: " | ") + " |\n" }
        return t
    }

    static func reproducer(_ r: ReproducerListing?) -> String {
        guard let r else { return "\nNo reproducer yet.\n" }
        var m = "\nReproducer: [\(cell(r.path))](\(r.link))" + (r.present ? "" : " (folder not found from here)") + "\n"
        for file in r.files {
            if let text = file.text {
                // Inside an HTML block Markdown escapes are not read: the name is HTML-escaped instead.
                m += "\n<details><summary>\(Escape.html(file.name)) (\(file.bytes) bytes\(file.truncated ? ", truncated" : ""))</summary>\n\n"
                m += Escape.markdownFence(text, info: file.name.hasSuffix(".py") ? "python" : file.name.hasSuffix(".md") ? "markdown" : "") + "\n\n</details>\n"
            } else {
                m += "\n- [\(cell(file.name))](\(file.link)) (\(file.bytes) bytes)\n"
            }
        }
        return m
    }
}
