import Foundation
import ModelIR
import Reference
import Taxonomy
import Testing
import Workers
@testable import Oracles

/// The diff's oracles on hand-made results against a real float64 reference run: who is blamed when the
/// reference itself holds NaN, and outputs of the wrong size or shape.
@Suite struct OracleSuiteTests {
    let mapping: FuzzMapping
    init() throws { mapping = try TaxonomyCatalog.locate().loadMapping() }

    /// input [1, 4] → ReLU6 → output; the input carries a NaN, which ReLU6 must pass on.
    static func relu6(input values: [Float] = [.nan, 1, 7, -1]) throws -> (Graph, ReferenceRun) {
        var b = GraphBuilder(name: "relu6")
        let x = try b.input([1, 4])
        b.output(try b.add(.relu6, [x], name: "clip"))
        let input = Tensor(shape: [1, 4], values: values)
        let graph = try b.graph.inferred()
        return (graph, try ReferenceInterpreter(graph: graph, weights: [:]).run(inputs: ["input": input]))
    }

    static func result(_ name: String, _ values: [Float], shape: [Int] = [1, 4], outputs: [String] = ["output:0", "clip"]) -> ExecutionResult {
        var r = ExecutionResult(framework: name, status: .ok)
        for key in outputs { r.outputs[key] = WireTensor(name: key, tensor: Tensor(shape: shape, values: values)) }
        r.timesMs = [1]
        return r
    }

    func evaluate(_ graph: Graph, _ reference: ReferenceRun, _ results: [ExecutionResult]) -> DiffReport {
        var suite = OracleSuite(graph: graph, reference: reference, thresholds: OracleThresholds(), mapping: mapping)
        return suite.evaluate(model: graph.name, hash: "h", seed: 1, order: results.map(\.framework),
                              results: Dictionary(uniqueKeysWithValues: results.map { ($0.framework, $0) }),
                              versions: [:], training: [:], baseline: nil, perNode: true)
    }

    @Test func theFrameworkThatLosesTheReferencesNaNIsBlamedNotTheOneThatKeepsIt() throws {
        let (graph, reference) = try Self.relu6()
        #expect(reference.outputs[0].values[0].isNaN)
        // a and c propagate the NaN as the reference does; b answers 0 (the study's "Relu6 mishandles NaN").
        let report = evaluate(graph, reference, [Self.result("a", [.nan, 1, 6, 0]), Self.result("b", [0, 1, 6, 0]),
                                                  Self.result("c", [.nan, 1, 6, 0])])
        #expect(report.findings.map(\.frameworks) == [["b"]], "\(report.findings)")
        #expect(report.findings.first?.taxonomy == "F2" && report.findings.first?.node == "clip")
        #expect(report.frameworks.map(\.status) == ["ok", "nan", "ok"])
        // b still agrees on its finite values: its deviation over them stands (0 here).
        #expect(report.frameworks[1].maxAbsDev == 0)
        // All of an output non-finite where the reference is finite: no value pair, so no deviation (not 0).
        let (ones, reference1) = try Self.relu6(input: [2, 1, 7, -1])
        let all = evaluate(ones, reference1, [Self.result("a", [2, 1, 6, 0]), Self.result("b", [.nan, .nan, .nan, .nan])])
        #expect(all.frameworks[1].status == "nan" && all.frameworks[1].maxAbsDev == nil && all.frameworks[1].meanAbsDev == nil, "\(all.frameworks[1])")
        #expect(all.frameworks[1].worstNode == nil)
        // Only two frameworks, one of each: still the one that disagrees with the reference.
        let two = evaluate(graph, reference, [Self.result("a", [.nan, 1, 6, 0]), Self.result("b", [6, 1, 6, 0])])
        #expect(two.findings.map(\.frameworks) == [["b"]])
        // NaN where the reference is finite is filed even when the reference holds a NaN elsewhere.
        let extra = evaluate(graph, reference, [Self.result("a", [.nan, .nan, 6, 0]), Self.result("b", [.nan, 1, 6, 0])])
        #expect(extra.findings.map(\.frameworks) == [["a"]])
        #expect(extra.findings.first?.detail.contains("reference is finite") == true)
    }

    /// Frameworks that lose the NaN at different nodes are different defects, each filed at its own node (one
    /// finding under the first framework's node merged them).
    @Test func frameworksThatGoWrongAtDifferentNodesAreFiledApart() throws {
        var b = GraphBuilder(name: "two-steps")
        let x = try b.input([1, 4])
        let clip = try b.add(.relu6, [x], name: "clip")
        b.output(try b.add(.neg, [clip], name: "neg"))
        let graph = try b.graph.inferred()
        let reference = try ReferenceInterpreter(graph: graph, weights: [:]).run(inputs: ["input": Tensor(shape: [1, 4], values: [.nan, 1, 7, -1])])
        func result(_ name: String, clip: [Float], neg: [Float]) -> ExecutionResult {
            var r = ExecutionResult(framework: name, status: .ok)
            r.outputs["output:0"] = WireTensor(name: "output:0", tensor: Tensor(shape: [1, 4], values: neg))
            r.outputs["clip"] = WireTensor(name: "clip", tensor: Tensor(shape: [1, 4], values: clip))
            r.outputs["neg"] = WireTensor(name: "neg", tensor: Tensor(shape: [1, 4], values: neg))
            r.timesMs = [1]
            return r
        }
        let report = evaluate(graph, reference, [result("a", clip: [0, 1, 6, 0], neg: [0, -1, -6, 0]),
                                                 result("b", clip: [.nan, 1, 6, 0], neg: [0, -1, -6, 0]),
                                                 result("c", clip: [0, 1, 6, 0], neg: [0, -1, -6, 0]),
                                                 result("d", clip: [.nan, 1, 6, 0], neg: [.nan, -1, -6, 0])])
        #expect(report.findings.map { "\($0.frameworks.joined(separator: ",")) at \($0.node ?? "?")" } == ["a,c at clip", "b at neg"],
                "\(report.findings.map { ($0.frameworks, $0.node) })")
    }

    /// A model whose float64 values leave float32's range (an Exp of 520) makes every correct framework
    /// answer Inf: no NaN/Inf or deviation finding is filed against them, and the report says why.
    @Test func valuesBeyondTheDeclaredRangeAreNotJudged() throws {
        var b = GraphBuilder(name: "overflow")
        let x = try b.input([1, 4])
        b.output(try b.add(.exp, [x], name: "ex"))
        let graph = try b.graph.inferred()
        let reference = try ReferenceInterpreter(graph: graph, weights: [:]).run(inputs: ["input": Tensor(shape: [1, 4], values: [520, 1, 2, 3])])
        let inf = Float.infinity, e1 = Float(M_E), e2 = Float(exp(2.0)), e3 = Float(exp(3.0))
        let report = evaluate(graph, reference, [Self.result("a", [inf, e1, e2, e3], outputs: ["output:0", "ex"]),
                                                 Self.result("b", [inf, e1, e2, e3], outputs: ["output:0", "ex"])])
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.gaps.contains { $0.hasPrefix("values not judged: the float64 reference reaches") && $0.contains("'ex'") }, "\(report.gaps)")
        // Within range the same frameworks' Inf is a finding.
        let inRange = try ReferenceInterpreter(graph: graph, weights: [:]).run(inputs: ["input": Tensor(shape: [1, 4], values: [80, 1, 2, 3])])
        #expect(!evaluate(graph, inRange, [Self.result("a", [inf, e1, e2, e3], outputs: ["output:0", "ex"]),
                                           Self.result("b", [Float(exp(80.0)), e1, e2, e3], outputs: ["output:0", "ex"])]).findings.isEmpty)
    }

    /// An integer cast of finite values (a QDQ block elsewhere) leaves the NaN check on: a NaN that ReLU6 must pass
    /// on and a framework turned into 0 is still filed (every reference NaN counted as "undefined" before).
    @Test func aCastOfFiniteValuesKeepsTheNaNCheck() throws {
        var b = GraphBuilder(name: "relu6-and-qdq")
        let x = try b.input([1, 4], name: "x")
        let y = try b.input([1, 4], name: "y")
        b.output(try b.add(.relu6, [x], name: "clip"))
        let q = try b.add(.cast, [y], ["to": .string("i32")], name: "q")
        b.output(try b.add(.cast, [q], ["to": .string("f32")], name: "dq"))
        let graph = try b.graph.inferred()
        let reference = try ReferenceInterpreter(graph: graph, weights: [:]).run(inputs: [
            "x": Tensor(shape: [1, 4], values: [.nan, 1, 7, -1]), "y": Tensor(shape: [1, 4], values: [1.5, 2, -3, 4])])
        func result(_ name: String, _ clip: [Float]) -> ExecutionResult {
            var r = ExecutionResult(framework: name, status: .ok)
            for (key, values) in [("output:0", clip), ("clip", clip), ("output:1", [1, 2, -3, 4]), ("dq", [1, 2, -3, 4]), ("q", [1, 2, -3, 4])] {
                r.outputs[key] = WireTensor(name: key, tensor: Tensor(shape: [1, 4], values: values))
            }
            r.timesMs = [1]
            return r
        }
        let report = evaluate(graph, reference, [result("a", [.nan, 1, 6, 0]), result("b", [0, 1, 6, 0])])
        #expect(report.findings.map(\.frameworks) == [["b"]], "\(report.findings)")
    }

    /// Two frameworks off the reference alike and a third close to it: the two are blamed, not the closest
    /// (D_MAD against every other framework said the closest one "stood apart").
    @Test func theFrameworksFurthestFromTheReferenceAreBlamed() throws {
        var b = GraphBuilder(name: "relu")
        let x = try b.input([1, 4])
        b.output(try b.add(.relu, [x], name: "r"))
        let graph = try b.graph.inferred()
        let reference = try ReferenceInterpreter(graph: graph, weights: [:]).run(inputs: ["input": Tensor(shape: [1, 4], values: [1, 2, 3, 4])])
        func off(_ name: String, _ factor: Float) -> ExecutionResult { Self.result(name, [1, 2, 3, 4].map { $0 * factor }, outputs: ["output:0", "r"]) }
        let report = evaluate(graph, reference, [off("a", 1.05), off("b", 1.05), off("c", 1.012)])
        #expect(report.findings.filter { $0.symptom == "inconsistency" }.map(\.frameworks).sorted { $0[0] < $1[0] } == [["a"], ["b"]], "\(report.findings)")
        // All alike off the reference: a common deviation, nobody is blamed; one framework alone is.
        #expect(evaluate(graph, reference, [off("a", 1.05), off("b", 1.05)]).findings.isEmpty)
        #expect(evaluate(graph, reference, [off("a", 1.05)]).findings.map(\.frameworks) == [["a"]])
    }

    /// A NaN lost on the way makes `diff` fetch every node's values, so the loss is pinned where it happens.
    @Test func aLostNaNAsksForPerNodeValues() throws {
        let (graph, reference) = try Self.relu6()
        let lost = Self.result("b", [0, 1, 6, 0], outputs: ["output:0"])
        #expect(DiffRunner.needsLocalization(lost, reference: reference, referenceNaN: ReferenceNaN(graph), thresholds: OracleThresholds()))
        let agrees = Self.result("a", [.nan, 1, 6, 0], outputs: ["output:0"])
        #expect(DiffRunner.needsLocalization(agrees, reference: reference, referenceNaN: .defined, thresholds: OracleThresholds()) == true,
                "any NaN/Inf in the outputs is localized, as before")
    }

    @Test func aNaNCastToAnIntegerIsUndefinedAndSkipped() throws {
        var b = GraphBuilder(name: "cast")
        let x = try b.input([1, 4])
        b.output(try b.add(.cast, [x], ["to": .string("i64")], name: "ids"))
        let graph = try b.graph.inferred()
        #expect(ReferenceNaN(graph) == .undefined)
        #expect(ReferenceNaN(try Self.relu6().0) == .defined)
    }

    @Test func anOutputOfTheWrongSizeOrShapeIsAnInconsistencyLocalizedWhereItStarts() throws {
        let (graph, reference) = try Self.relu6()
        // b returns the right values in a [4, 1] layout, c one element short: both deviate, neither silently.
        let report = evaluate(graph, reference, [Self.result("a", [.nan, 1, 6, 0]), Self.result("b", [.nan, 1, 6, 0], shape: [4, 1]),
                                                  Self.result("c", [.nan, 1, 6], shape: [1, 3])])
        let inconsistent = report.findings.filter { $0.symptom == "inconsistency" }
        #expect(inconsistent.map(\.frameworks) == [["b"], ["c"]], "\(report.findings)")
        #expect(inconsistent.allSatisfy { $0.node == "clip" })
        // A missing output too.
        let missing = evaluate(graph, reference, [Self.result("a", [.nan, 1, 6, 0]), Self.result("b", [.nan, 1, 6, 0], outputs: ["clip"])])
        #expect(missing.findings.filter { $0.symptom == "inconsistency" }.map(\.frameworks) == [["b"]])
    }

    @Test func aNaNLossCurveIsNoPeer() throws {
        let (graph, reference) = try Self.relu6(input: [0.5, 1, 7, -1])
        var results = ["a", "b", "c"].map { Self.result($0, [0.5, 1, 6, 0]) }
        var training: [String: ExecutionResult] = [:]
        for (name, losses) in [("a", [1.0, 0.9, 0.8]), ("b", [1.0, 0.9, 0.81]), ("c", [1.0, .nan, .nan])] {
            var t = ExecutionResult(framework: name, status: .ok)
            t.losses = losses
            training[name] = t
        }
        results = results.map { $0 }
        var suite = OracleSuite(graph: graph, reference: reference, thresholds: OracleThresholds(), mapping: mapping)
        let report = suite.evaluate(model: "m", hash: "h", seed: 1, order: ["a", "b", "c"],
                                    results: Dictionary(uniqueKeysWithValues: results.map { ($0.framework, $0) }),
                                    versions: [:], training: training, baseline: nil, perNode: false)
        // c's curve has its own finding; a and b are two peers, neither the odd one out.
        #expect(report.findings.map(\.frameworks) == [["c"]], "\(report.findings)")
        // Where the reference's output is not finite, the loss has no finite value: no curve is judged (a NaN
        // loss is then right, and was filed as E2).
        let (nanGraph, nanReference) = try Self.relu6()
        var nanSuite = OracleSuite(graph: nanGraph, reference: nanReference, thresholds: OracleThresholds(), mapping: mapping)
        let undefined = nanSuite.evaluate(model: "m", hash: "h", seed: 1, order: ["a", "b", "c"],
                                          results: Dictionary(uniqueKeysWithValues: ["a", "b", "c"].map { ($0, Self.result($0, [.nan, 1, 6, 0])) }),
                                          versions: [:], training: training, baseline: nil, perNode: false)
        #expect(!undefined.findings.contains { $0.symptom == "abnormal_loss" }, "\(undefined.findings)")
        #expect(undefined.gaps.contains { $0.hasPrefix("training curves not judged") }, "\(undefined.gaps)")
    }
}

/// `diff --format json` has issue 7's keys in every state: null where a timed-out or crashed framework
/// measured nothing, or a finding has no node (they were left out).
@Suite struct DiffJSONKeysTests {
    @Test func unmeasuredFieldsAreNull() throws {
        let finding = Finding(taxonomy: "B3", symptom: "hang", stage: "execute", frameworks: ["pytorch"], node: nil, op: nil, scope: "one", detail: "d")
        let report = DiffReport(model: "m", modelHash: "h", seed: 0, frameworks: [FrameworkOutcome(name: "pytorch", status: "timeout")],
                                findings: [finding], gaps: [])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let framework = try #require((object["frameworks"] as? [[String: Any]])?.first)
        for key in ["version", "max_abs_dev", "time_ms", "peak_mb", "stage", "worst_node"] { #expect(framework[key] is NSNull, "\(key): \(framework)") }
        #expect(framework["message"] == nil)
        let f = try #require((object["findings"] as? [[String: Any]])?.first)
        for key in ["node", "op"] { #expect(f[key] is NSNull, "\(key): \(f)") }
        #expect(f["stage"] as? String == "execute")
    }
}

/// `diff --report FILE.md`: names from a model file someone sent are text, not markup or table cells.
@Suite struct DiffSummaryTests {
    /// A loaded model may be a mutant: no "every unmutated seed agrees" for it.
    @Test func noFindingsSaysWhatAgrees() {
        let one = DiffReport(model: "m1", modelHash: "h", seed: 0, frameworks: [FrameworkOutcome(name: "pytorch", status: "ok")], findings: [], gaps: [])
        #expect(DiffSummary.markdown([one]).contains("None: every framework agrees with the reference on this model."))
        #expect(DiffSummary.markdown([one, one]).contains("None: every framework agrees with the reference on every model."))
        #expect(!DiffSummary.markdown([one]).contains("unmutated"))
    }

    @Test func namesAndDetailsAreEscapedAsMarkdownText() {
        let hostile = "lenet5<img src=x onerror=alert(9)>|x"
        let finding = Finding(taxonomy: "F1", symptom: "inconsistency", stage: "execute", frameworks: ["pytorch"], node: "n|<b>",
                              op: "ReLU", scope: "one", detail: "deviates <script>")
        let report = DiffReport(model: hostile, modelHash: "h", seed: 0, frameworks: [FrameworkOutcome(name: "pytorch", status: "ok")],
                                findings: [finding], gaps: ["pytorch: <b>gap</b>"])
        let text = DiffSummary.markdown([report])
        #expect(!text.contains("<img") && !text.contains("<script>") && !text.contains("<b>"), "\(text)")
        #expect(text.contains("lenet5&lt;img src=x onerror=alert(9)&gt;\\|x"), "\(text)")
        // The table row keeps its three cells: model, pytorch, findings.
        let row = text.split(separator: "\n").first { $0.hasPrefix("| lenet5") }.map(String.init) ?? ""
        #expect(row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 4, "\(row)")
    }
}
