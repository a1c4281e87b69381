import Foundation
import JSONText
import Testing

/// End to end: the built binary, a real SQLite file, real files.
@Suite struct RatingsCLITests {
    @Test func importAgreementDistributionExport() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let db = folder.appendingPathComponent("cli.sqlite").path
        _ = try RatingsTestSupport.write("\u{FEFF}item,a,b,c,final\r\nhttps://github.com/pytorch/pytorch/issues/1,B1,B1,B2,B1\r\nhttps://github.com/tensorflow/tensorflow/issues/2,G2,G2,G2,G2\r\nhttps://github.com/tensorflow/tensorflow/issues/3,C1,,C1,C1\r\n",
                                         to: folder, name: "w.csv")
        let imported = try RatingsTestSupport.defectlab(["ratings", "import", "w.csv", "--db", db], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("8 rating(s) added"))

        let agreement = try RatingsTestSupport.defectlab(["agreement", "--db", db, "--by", "framework", "--format", "json", "--bootstrap", "100", "--seed", "3"], in: folder)
        #expect(agreement.status == 0, "\(agreement.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(agreement.stdout.utf8)) as? [String: Any])
        #expect((json["groups"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["all", "pytorch", "tensorflow"])
        let table = try RatingsTestSupport.defectlab(["agreement", "--db", db], in: folder)
        #expect(table.status == 0 && table.stdout.contains("Fleiss' kappa") && table.stdout.contains("generalized"))
        // A replicate count no memory holds is a usage error, not a trap.
        let huge = try RatingsTestSupport.defectlab(["agreement", "--db", db, "--bootstrap", "100000000000"], in: folder)
        #expect(huge.status == 64 && huge.stderr.contains("at most 1000000"), "\(huge.status) \(huge.stderr.prefix(300))")

        // Into a folder that does not exist yet: it is made (as `report --out` makes its own).
        let svg = folder.appendingPathComponent("charts/new/chart.svg").path
        let distribution = try RatingsTestSupport.defectlab(["stats", "distribution", "--db", db, "--svg", svg], in: folder)
        #expect(distribution.status == 0, "\(distribution.stderr)")
        #expect(distribution.stdout.contains("B1") && distribution.stdout.contains("█"))
        #expect(FileManager.default.contents(atPath: svg).map { String(decoding: $0, as: UTF8.self).hasPrefix("<svg") } == true)
        let csv = try RatingsTestSupport.defectlab(["stats", "distribution", "--db", db, "--format", "csv", "--source", "majority"], in: folder)
        #expect(csv.status == 0 && csv.stdout.hasPrefix("group,category,count,share,study_share,study_group\n"))

        let exported = try RatingsTestSupport.defectlab(["ratings", "export", "--db", db, "--format", "wide"], in: folder)
        #expect(exported.status == 0)
        #expect(exported.stdout == "item,framework,a,b,c,final\nhttps://github.com/pytorch/pytorch/issues/1,pytorch,B1,B1,B2,B1\nhttps://github.com/tensorflow/tensorflow/issues/2,tensorflow,G2,G2,G2,G2\nhttps://github.com/tensorflow/tensorflow/issues/3,tensorflow,C1,,C1,C1\n")
        #expect(!exported.stderr.contains("no columns"), "a bare final column has nothing more to keep: \(exported.stderr)")
        // Who settled a label and why, and an annotator's note, have no column in a wide export: said.
        _ = try RatingsTestSupport.write(RatingsStoreTests.canonicalLong, to: folder, name: "long.csv")
        let longDB = folder.appendingPathComponent("long.sqlite").path
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "long.csv", "--db", longDB], in: folder).status == 0)
        let wide = try RatingsTestSupport.defectlab(["ratings", "export", "--db", longDB, "--format", "wide"], in: folder)
        #expect(wide.status == 0 && wide.stderr.contains("no columns for 2 annotator note(s) or unsure flag(s) and for who settled 1 final label(s)"), "\(wide.stderr)")
        // At the major level the subtype decision is written as its major type: its provenance is lost too.
        let major = try RatingsTestSupport.defectlab(["ratings", "export", "--db", longDB, "--format", "wide", "--level", "major"], in: folder)
        #expect(major.status == 0 && major.stderr.contains("who settled 1 final label(s)"), "\(major.stderr)")
    }

    /// A later subtype decision settles the major type too: the major decision a majority made before it is no
    /// final label in a long export (it stood there as "final A" beside the later "final B1").
    @Test func aLaterSubtypeDecisionReplacesAnEarlierMajorOneInExports() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let db = folder.appendingPathComponent("p.sqlite").path
        _ = try RatingsTestSupport.write("item,rater,label,framework\nX5,r00,A1,pytorch\nX5,r01,A2,pytorch\nX5,r02,B1,pytorch\n", to: folder, name: "pl.csv")
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "pl.csv", "--format", "long", "--db", db], in: folder).status == 0)
        #expect(try RatingsTestSupport.defectlab(["adjudicate", "--auto", "majority", "--level", "major", "--db", db], in: folder).status == 0)
        let before = try RatingsTestSupport.defectlab(["ratings", "export", "--format", "long", "--db", db], in: folder)
        #expect(before.stdout.contains("X5,final,A,major"), "\(before.stdout)")
        _ = try RatingsTestSupport.write("item,rater,label,framework\nX5,final,B1,pytorch\n", to: folder, name: "final.csv")
        let settled = try RatingsTestSupport.defectlab(["ratings", "import", "final.csv", "--format", "long", "--db", db], in: folder)
        #expect(settled.status == 0, "\(settled.stderr)")
        let after = try RatingsTestSupport.defectlab(["ratings", "export", "--format", "long", "--db", db], in: folder)
        #expect(after.stdout.contains("X5,final,B1,subtype") && !after.stdout.contains("X5,final,A,major"), "\(after.stdout)")
    }

    /// Major-level labels only: asking at the subtype level (the default) points to `--level major` instead of
    /// saying the store has no items and no annotators.
    @Test func labelsAtTheOtherLevelArePointedTo() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let db = folder.appendingPathComponent("m.sqlite").path
        _ = try RatingsTestSupport.write("item,r1,r2\ni1,A,B\ni2,C,C\n", to: folder, name: "major.csv")
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "major.csv", "--framework", "pytorch", "--db", db], in: folder).status == 0)
        for arguments in [["agreement"], ["stats", "distribution", "--source", "majority"], ["stats", "distribution", "--source", "rater:r1"]] {
            let r = try RatingsTestSupport.defectlab(arguments + ["--db", db], in: folder)
            #expect(r.status != 0 && r.stderr.contains("the store has major labels from 2 annotator(s) on 2 item(s): pass --level major"), "\(arguments): \(r.stderr)")
            #expect(!r.stderr.contains("in the store)") && !r.stderr.contains("annotators: )"), "\(r.stderr)")
        }
        #expect(try RatingsTestSupport.defectlab(["agreement", "--level", "major", "--db", db], in: folder).status == 0)
        // A mistyped or single annotator is no level's problem: no pointer that sends the user back and forth.
        for arguments in [["agreement", "--raters", "r1,zed"], ["agreement", "--raters", "r1", "--level", "major"], ["agreement", "--raters", "r1"],
                          ["stats", "distribution", "--source", "rater:nobody"]] {
            let r = try RatingsTestSupport.defectlab(arguments + ["--db", db], in: folder)
            #expect(r.status != 0 && !r.stderr.contains("pass --level"), "\(arguments): \(r.stderr)")
        }
        // Annotators who never label the same item: each level sent the user to the other, at which agreement
        // fails the same way; `--raters ""` named nobody and was told "found 0".
        let apart = folder.appendingPathComponent("apart.sqlite").path
        _ = try RatingsTestSupport.write("item,a,b\nq1,B1,\nq2,,C1\nq3,D1,\n", to: folder, name: "apart.csv")
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "apart.csv", "--framework", "pytorch", "--db", apart], in: folder).status == 0)
        for level in ["subtype", "major"] {
            let r = try RatingsTestSupport.defectlab(["agreement", "--level", level, "--db", apart], in: folder)
            #expect(r.status != 0 && r.stderr.contains("no item has labels from two annotators") && !r.stderr.contains("pass --level"), "\(level): \(r.stderr)")
        }
        let nobody = try RatingsTestSupport.defectlab(["agreement", "--raters", "", "--db", db], in: folder)
        #expect(nobody.status == 64 && nobody.stderr.contains("--raters names no annotator"), "\(nobody.stderr)")
        // No settled label at either level: no pointer from each level to the other (both failed the same way).
        let raw = folder.appendingPathComponent("raw.sqlite").path
        _ = try RatingsTestSupport.write("item,r1,r2\ni1,B1,B2\ni2,C1,C1\n", to: folder, name: "sub.csv")
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "sub.csv", "--framework", "pytorch", "--db", raw], in: folder).status == 0)
        for level in ["subtype", "major"] {
            let r = try RatingsTestSupport.defectlab(["stats", "distribution", "--level", level, "--db", raw], in: folder)
            #expect(r.status != 0 && r.stderr.contains("settle labels first") && !r.stderr.contains("pass --level"), "\(level): \(r.stderr)")
        }
        // An empty store says to import or label, not to settle labels that do not exist.
        let empty = folder.appendingPathComponent("e.sqlite").path
        #expect(try RatingsTestSupport.defectlab(["db", "info", "--db", empty], in: folder).status == 0)
        let none = try RatingsTestSupport.defectlab(["stats", "distribution", "--db", empty], in: folder)
        #expect(none.status != 0 && none.stderr.contains("no labels at either level") && !none.stderr.contains("settle labels first"), "\(none.stderr)")
    }

    /// An export or chart aimed at the store (or its -wal file) is refused: it was written over the database,
    /// exit 0, every issue and label lost.
    @Test func anOutputNamingTheStoreIsRefused() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let db = folder.appendingPathComponent("s.sqlite").path
        _ = try RatingsTestSupport.write("item,r1,r2\ni1,B1,B1\ni2,C1,C2\n", to: folder, name: "w.csv")
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "w.csv", "--framework", "pytorch", "--db", db], in: folder).status == 0)
        for arguments in [["ratings", "export", "-o", db], ["ratings", "export", "-o", db + "-wal"],
                          ["stats", "distribution", "--source", "majority", "--svg", db]] {
            let r = try RatingsTestSupport.defectlab(arguments + ["--db", db], in: folder)
            #expect(r.status != 0 && (r.stderr.contains("it is an SQLite database") || r.stderr.contains("belongs to the database")), "\(arguments): \(r.status) \(r.stderr)")
        }
        let info = try RatingsTestSupport.defectlab(["agreement", "--db", db], in: folder)
        #expect(info.status == 0, "the store was damaged: \(info.stderr)")
    }

    /// An output that is not a regular file is written through, never replaced: `ratings export -o /dev/null`
    /// run as root replaced the system's /dev/null with a regular file, a named pipe hung the export before it
    /// wrote, and a link to a file was itself replaced.
    @Test func anOutputThroughALinkOrPipeIsWrittenThrough() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let db = folder.appendingPathComponent("s.sqlite").path
        _ = try RatingsTestSupport.write("item,r1,r2\ni1,B1,B1\ni2,C1,C2\n", to: folder, name: "w.csv")
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "w.csv", "--framework", "pytorch", "--db", db], in: folder).status == 0)
        let real = try RatingsTestSupport.write("old\n", to: folder, name: "real.csv")
        let link = folder.appendingPathComponent("link.csv").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        let viaLink = try RatingsTestSupport.defectlab(["ratings", "export", "-o", "link.csv", "--db", db], in: folder)
        #expect(viaLink.status == 0, "\(viaLink.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: link)[.type] as? FileAttributeType) == .typeSymbolicLink)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: real)), as: UTF8.self).contains("i2"))
        // A link to the store's log is the log: refused (it replaced the live -wal of an open store).
        let walLink = folder.appendingPathComponent("wal.csv").path
        try FileManager.default.createSymbolicLink(atPath: walLink, withDestinationPath: "s.sqlite-wal")
        let toWAL = try RatingsTestSupport.defectlab(["ratings", "export", "-o", "wal.csv", "--db", db], in: folder)
        #expect(toWAL.status == 64 && toWAL.stderr.contains("belongs to the database"), "\(toWAL.status) \(toWAL.stderr)")
        // A link that leads nowhere yet names the file to make, its folder made: the link stays.
        let dangling = folder.appendingPathComponent("dangling.csv").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "sub/deeper/new.csv")
        let viaDangling = try RatingsTestSupport.defectlab(["ratings", "export", "-o", "dangling.csv", "--db", db], in: folder)
        #expect(viaDangling.status == 0, "\(viaDangling.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: dangling)[.type] as? FileAttributeType) == .typeSymbolicLink)
        #expect(FileManager.default.contents(atPath: folder.appendingPathComponent("sub/deeper/new.csv").path).map { String(decoding: $0, as: UTF8.self).contains("i2") } == true)
        let pipe = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(pipe, 0o600) == 0)
        let script = "cat pipe > got.csv & reader=$!; timeout 20 \"$0\" ratings export -o pipe --db s.sqlite; rc=$?; kill $reader 2>/dev/null; wait; exit $rc"
        let r = try RatingsTestSupport.shell(script, argument: RatingsTestSupport.binary, in: folder)
        #expect(r.status == 0, "\(r.status) \(r.stderr)")
        #expect(String(decoding: try Data(contentsOf: folder.appendingPathComponent("got.csv")), as: UTF8.self).contains("i2"))
        var info = stat()
        #expect(stat(pipe, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the named pipe was replaced")
    }

    /// A framework the store has never seen is said, as `crawl --framework` says it: a typo is a stratum and an
    /// agreement group of its own.
    @Test func aNewFrameworkIsNamed() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let db = folder.appendingPathComponent("f.sqlite").path
        _ = try RatingsTestSupport.write("item,alice,bob\n77,B1,B2\n", to: folder, name: "a.csv")
        _ = try RatingsTestSupport.write("item,alice,bob\n78,B1,B2\n", to: folder, name: "b.csv")
        let known = try RatingsTestSupport.defectlab(["ratings", "import", "a.csv", "--framework", "pytorch", "--db", db], in: folder)
        #expect(known.status == 0 && !known.stderr.contains("is new to this database"), "\(known.stderr)")
        let typo = try RatingsTestSupport.defectlab(["ratings", "import", "b.csv", "--framework", "pytroch", "--db", db], in: folder)
        #expect(typo.status == 0 && typo.stderr.contains("note: framework 'pytroch' is new to this database"), "\(typo.stderr)")
        // A name no item is filed under (their URLs tell their framework) is no new stratum: not said.
        _ = try RatingsTestSupport.write("item,alice,bob\nhttps://github.com/pytorch/pytorch/issues/5,B1,B2\n", to: folder, name: "c.csv")
        let untaken = try RatingsTestSupport.defectlab(["ratings", "import", "c.csv", "--framework", "chainer2", "--db", db], in: folder)
        #expect(untaken.status == 0 && !untaken.stderr.contains("'chainer2' is new"), "\(untaken.stderr)")
    }

    /// A wide export's note counts the labels it takes from the other level as they stand: a subtype label the
    /// annotator's newer major label replaced is not "written as its major type" (it was counted).
    @Test func aWideExportCountsTheLabelsItConverts() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let db = folder.appendingPathComponent("w.sqlite").path
        _ = try RatingsTestSupport.write("item,rater,label,level,time\nx1,alice,B1,subtype,2026-01-01T00:00:00Z\nx1,bob,C1,subtype,2026-01-01T00:00:00Z\n"
            + "x1,alice,G,major,2026-02-01T00:00:00Z\n", to: folder, name: "l.csv")
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "l.csv", "--framework", "pytorch", "--db", db], in: folder).status == 0)
        let major = try RatingsTestSupport.defectlab(["ratings", "export", "--format", "wide", "--level", "major", "--db", db], in: folder)
        #expect(major.status == 0 && major.stderr.contains("1 annotator label(s) and 0 adjudicated label(s) given at the subtype level are written as their major types"),
                "\(major.stderr)")
        #expect(major.stdout.contains("x1,pytorch,G,C"), "\(major.stdout)")
    }

    /// Tables pad by terminal columns: a CJK annotator's row lines up with the header.
    @Test func wideNamesLineUpInTheCohenTable() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let db = folder.appendingPathComponent("cjk.sqlite").path
        _ = try RatingsTestSupport.write("item,李明,bob,carol\ni1,A1,A1,B1\ni2,B1,B1,B1\ni3,C1,A1,C1\n", to: folder, name: "cjk.csv")
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "cjk.csv", "--framework", "pytorch", "--db", db], in: folder).status == 0)
        let r = try RatingsTestSupport.defectlab(["agreement", "--db", db, "--bootstrap", "0"], in: folder)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("Cohen's kappa by pair") })
        let table = Array(lines[(start + 1)...(start + 4)])
        #expect(Set(table.map { TextWidth.of($0) }).count == 1, "\(table)")
        #expect(TextWidth.of("李明") == 4 && TextWidth.of("e\u{301}") == 1)
    }

    @Test func errorsAreOneLineAndNonZero() throws {
        let folder = try RatingsTestSupport.temporaryFolder()
        let db = folder.appendingPathComponent("e.sqlite").path
        let missing = try RatingsTestSupport.defectlab(["agreement", "--db", db], in: folder)
        #expect(missing.status != 0)
        #expect(missing.stderr.hasSuffix("no database here; pass --db PATH or set DEFECTLAB_DB to an existing one\n"))
        #expect(!FileManager.default.fileExists(atPath: db))
        _ = try RatingsTestSupport.write("item,a,b\nI-1,B1,B1\nI-2,B1,XX\n", to: folder, name: "bad.csv")
        let bad = try RatingsTestSupport.defectlab(["ratings", "import", "bad.csv", "--db", db], in: folder)
        #expect(bad.status != 0)
        #expect(bad.stderr == "defectlab: error: bad.csv:3: unknown label 'XX' (not a subtype A1–G5 or a major type A–G of the taxonomy)\n")
        let distribution = try RatingsTestSupport.defectlab(["stats", "distribution", "--db", db, "--source", "bogus"], in: folder)
        #expect(distribution.status != 0 && distribution.stderr.split(separator: "\n").count == 1)
        // A file that cannot be written is said plainly, not as Foundation's "Error Domain=NSCocoaErrorDomain ...".
        _ = try RatingsTestSupport.write("item,a\nI-1,B1\n", to: folder, name: "good.csv")
        #expect(try RatingsTestSupport.defectlab(["ratings", "import", "good.csv", "--db", db], in: folder).status == 0)
        // (A missing folder is made; a file where the folder should be cannot be.)
        _ = try RatingsTestSupport.write("", to: folder, name: "plain")
        let target = folder.appendingPathComponent("plain/x.csv").path
        let unwritable = try RatingsTestSupport.defectlab(["ratings", "export", "--db", db, "-o", target], in: folder)
        #expect(unwritable.status != 0)
        #expect(unwritable.stderr == "defectlab: error: cannot write \(target): \(folder.appendingPathComponent("plain").path) is a file, not a folder\n", "\(unwritable.stderr)")
    }
}
