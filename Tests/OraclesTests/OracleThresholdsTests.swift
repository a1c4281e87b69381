import Foundation
import JSONText
import Oracles
import Testing

/// The one `--oracles` format `diff`, `fuzz` and `study` read.
@Suite struct OracleThresholdsTests {
    func decode(_ json: String) throws -> OracleThresholds {
        try JSONDecoder().decode(OracleThresholds.self, from: Data(json.utf8))
    }

    /// The campaign's defaults are the values `MutantOracles` had before the formats were unified: campaigns
    /// judge exactly as they did.
    @Test func campaignDefaultsAreUnchanged() {
        let t = OracleThresholds()
        #expect(t.relativeDistance == 1e-3)
        #expect(t.slowdownFactor == 10 && t.slowdownFloorMs == 20 && t.memoryFactor == 10)
        #expect(t.lossRelativeTolerance == 1e-3 && t.lossDivergence == 10)
        #expect(t.changeRate == 1e3 && t.dMAD == 0.4 && t.rtol == 1e-2 && t.atol == 1e-3 && t.slowdownRatio == 1.5)
    }

    @Test func anySubsetOverridesTheDefaults() throws {
        let t = try decode(#"{"relativeDistance": 1e-6, "changeRate": 50, "slowdownFloorMs": 5}"#)
        var expected = OracleThresholds()
        expected.relativeDistance = 1e-6
        expected.changeRate = 50
        expected.slowdownFloorMs = 5
        #expect(t == expected)
        #expect(try decode("{}") == OracleThresholds())
        // What the encoder writes reads back.
        #expect(try JSONDecoder().decode(OracleThresholds.self, from: JSONEncoder().encode(expected)) == expected)
    }

    @Test func everyKeyIsReadable() throws {
        for (i, key) in OracleThresholds.validKeys.enumerated() {
            let t = try decode("{\"\(key)\": \(Double(i) + 12345.5)}")
            #expect(t != OracleThresholds(), "\(key) is listed but not read")
        }
        #expect(OracleThresholds.validKeys.count == Set(OracleThresholds.validKeys).count)
    }

    @Test func theFuzzCommandsOldKeysStillWork() throws {
        let t = try decode(#"{"tolerance": 0.5, "slowdown_factor": 3, "slowdown_floor": 0.25, "memory_factor": 7}"#)
        #expect(t.relativeDistance == 0.5 && t.slowdownFactor == 3 && t.memoryFactor == 7)
        #expect(t.slowdownFloorMs == 250, "slowdown_floor was in seconds")
        #expect(throws: OracleError.self) { try decode(#"{"tolerance": 0.5, "relativeDistance": 0.1}"#) }
        // Seconds scaled to milliseconds must stay a number (an infinite threshold made campaign keys unencodable).
        #expect(throws: OracleError.self) { try decode(#"{"slowdown_floor": 1e306}"#) }
    }

    @Test func anUnknownKeyIsRejectedWithTheValidOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oracles-\(UUID().uuidString).json")
        try Data(#"{"relativeDistanse": 1e-6}"#.utf8).write(to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try OracleThresholds.load(path: dir.path)
            Issue.record("a misspelt key was accepted")
        } catch let error as OracleError {
            #expect(error.code == .badThresholds)
            #expect(error.message.hasPrefix(dir.path + ": unknown key 'relativeDistanse'"))
            #expect(OracleThresholds.validKeys.allSatisfy { error.message.contains($0) })
        }
    }

    /// A file's problem in the words its author needs: where the JSON breaks (NaN is not JSON), and a key set
    /// twice, which the JSON parser would have settled silently by keeping one.
    @Test func loadSaysWhatIsWrongWithTheFile() throws {
        func message(_ text: String) throws -> String? {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("oracles-\(UUID().uuidString).json")
            try Data(text.utf8).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            do { _ = try OracleThresholds.load(path: url.path); return nil } catch let error as OracleError {
                #expect(error.code == .badThresholds && error.message.hasPrefix(url.path + ": "))
                return String(error.message.dropFirst(url.path.count + 2))
            }
        }
        let nan = try message(#"{"rtol": NaN}"#)
        #expect(nan?.hasPrefix("not valid JSON") == true && nan?.contains("NaN and Infinity are not JSON") == true, "\(nan ?? "accepted")")
        #expect(try message("[1, 2]")?.hasPrefix("not a JSON object") == true)
        #expect(try message(#"{"rtol": 0.1,\#n "atol": 1e-3,\#n "rtol": 0.5}"#) == "'rtol' is set twice; keep one")
        // Keys inside strings and nested values are not the object's keys.
        #expect(JSONObjectCheck.repeatedKey(in: Data(#"{"a": {"rtol": 1, "rtol": 2}, "b": "rtol\": 1", "rtol": 3}"#.utf8)) == nil)
        #expect(JSONObjectCheck.repeatedKey(in: Data(#"{"x\"y": 1, "x\"y": 2}"#.utf8)) == #"x\"y"#)
        #expect(try message(#"{"rtol": 0.1, "atol": 1e-3}"#) == nil)
    }

    @Test func valuesMustBeNonNegativeNumbers() {
        #expect(throws: OracleError.self) { try decode(#"{"rtol": "1e-2"}"#) }
        #expect(throws: OracleError.self) { try decode(#"{"rtol": -1}"#) }
        #expect(throws: OracleError.self) { try OracleThresholds.load(path: "/nonexistent/oracles.json") }
    }
}
