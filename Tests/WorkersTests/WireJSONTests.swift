import Foundation
import ModelIR
import Testing
@testable import Workers

/// The hand-written reader of worker replies against Foundation's, plus what only Python writes.
@Suite struct WireJSONTests {
    /// Foundation's object graph turned into the same shape, for comparison.
    static func convert(_ any: Any) -> WireJSON {
        switch any {
        case is NSNull: return .null
        // Foundation's booleans are NSNumbers of a class of their own (`is Bool` holds for 0 and 1 too).
        case let n as NSNumber where String(describing: type(of: n)).contains("Boolean"): return .bool(n.boolValue)
        case let n as NSNumber: return .number(n.doubleValue)
        case let s as String: return .string(s)
        case let a as [Any]: return .array(a.map(convert))
        case let o as [String: Any]: return .object(o.mapValues(convert))
        default: return .null
        }
    }

    @Test(arguments: [
        #"{"type":"result","status":"ok","build_ms":1.25,"times_ms":[0.5,0.25e1,3E-2,-0.0,12345678901234567],"tensors":[{"name":"output:0","dtype":"f32","shape":[1,10],"offset":0,"nbytes":40}]}"#,
        #" { "a" : [ ] , "b" : { } , "c" : null , "d" : true , "e" : false , "f" : "x\"y\\z\/\n\t\u00e9\ud83d\ude00" } "#,
        #"[1,[2,[3,[4,{"k":[5]}]]]]"#,
        #""plain""#,
        #"-12.5e-3"#,
    ])
    func readsWhatFoundationReads(_ text: String) throws {
        let data = Data(text.utf8)
        let expected = Self.convert(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
        #expect(try WireJSON.parse(data) == expected)
    }

    @Test func readsPythonsNonFiniteFloats() throws {
        let v = try WireJSON.parse(Data(#"{"losses":[0.5,NaN,Infinity,-Infinity]}"#.utf8))
        let losses = try #require(v["losses"]?.doubles)
        #expect(losses[0] == 0.5 && losses[1].isNaN && losses[2] == .infinity && losses[3] == -.infinity)
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, "tru", "nul", "NaNa", "1.2.3", "--1", "-", #""abc"#, #""\x""#,
        #""\u12""#, "{\"a\":\"\u{01}\"}", "[1] x", "01x", String(repeating: "[", count: 200) + String(repeating: "]", count: 200),
    ])
    func rejectsMalformedInput(_ text: String) {
        #expect(throws: WireJSON.ParseError.self) { try WireJSON.parse(Data(text.utf8)) }
    }

    @Test func readsIntegersExactlyAndRefusesFractions() throws {
        let v = try WireJSON.parse(Data(#"{"offset":4096,"nbytes":9007199254740992,"half":1.5,"shape":[1,3]}"#.utf8))
        #expect(v["offset"]?.int == 4096 && v["nbytes"]?.int == 9_007_199_254_740_992)
        #expect(v["half"]?.int == nil && v["shape"]?.array?.compactMap(\.int) == [1, 3])
    }

    /// A reply whose tensor entries lie about the payload is refused, not trusted.
    @Test func replyWithBadTensorEntriesIsACrashNotATrap() {
        let header = Data(#"{"type":"result","status":"ok","tensors":[{"name":"o","dtype":"f32","shape":[1],"offset":9223372036854775000,"nbytes":9223372036854775000}]}"#.utf8)
        let r = Worker.decode(Frame(header: header, payload: Data(count: 8)), framework: "x")
        #expect(r.status == .crash && (r.message ?? "").contains("tensors"))
        let garbage = Worker.decode(Frame(header: Data("{\"status\":".utf8)), framework: "x")
        #expect(garbage.status == .crash && garbage.message == "reply header does not decode")
    }

    /// The safetensors prefix written by hand reads back, names with quotes and backslashes included.
    @Test func safetensorsHeaderReadsBack() throws {
        let weights: WeightStore = [
            "conv.weight": Tensor(shape: [2, 1, 1, 1], values: [1, 2]),
            #"odd "name"\with\slashes"#: Tensor(shape: [3], values: [4, 5, 6]),
            "é.bias": Tensor(shape: [1], values: [-1]),
        ]
        let data = SharedWeights.encode(weights)
        #expect(data.count % 8 == 0)
        #expect(try Safetensors.decode(data) == weights)
    }

    /// A reply's numbers travel as raw float64 at the start of the payload, named and counted in the header.
    @Test func replyNumbersReadFromTheRawBlock() throws {
        var payload = Data()
        for v in [2.5, 1.0, 2.0, 3.0, Double.nan, 0.125] { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
        let header = Data(#"{"type":"result","status":"ok","numbers":["build_ms",1,"times_ms",3,"losses",1,"worker_ms",1],"tensors":[]}"#.utf8)
        let r = Worker.decode(Frame(header: header, payload: payload), framework: "x")
        #expect(r.status == .ok && r.buildMs == 2.5 && r.timesMs == [1, 2, 3] && r.workerMs == 0.125)
        #expect(r.losses.count == 1 && r.losses[0].isNaN)
        for bad in [#"["build_ms",7]"#, #"["build_ms"]"#, #"["build_ms",-1]"#, #"[1,1]"#, #"{"build_ms":1}"#] {
            let h = Data(#"{"status":"ok","numbers":\#(bad)}"#.utf8)
            let d = Worker.decode(Frame(header: h, payload: payload), framework: "x")
            #expect(d.status == .crash && (d.message ?? "").contains("numbers"), "\(bad)")
        }
    }
}
