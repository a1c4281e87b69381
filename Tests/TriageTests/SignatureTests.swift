import Fuzz
import ModelIR
import Taxonomy
import Testing
@testable import Triage

@Suite struct SignatureTests {
    @Test func normalizedErrorsDropWhatVariesBetweenReports() {
        let a = ErrorNormalizer.normalize("RuntimeError: size mismatch at 0x7ffd1234abcd, got 128 expected 64 in /tmp/x/model_3.py")
        let b = ErrorNormalizer.normalize("RuntimeError: size mismatch at 0x55aa00, got 7 expected 3 in /home/u/other.py")
        #expect(a == b)
        #expect(a.contains("RuntimeError: size mismatch"))
        #expect(!a.contains("128") && !a.contains("0x"))
        // Op names with digits survive; other messages stay apart.
        #expect(ErrorNormalizer.normalize("bad Conv2d kernel").contains("Conv2d"))
        #expect(ErrorNormalizer.normalize("bound to tensor(float16) and 3.5e-3") == "bound to tensor(float16) and <n>")
        #expect(ErrorNormalizer.normalize("signal 11 in Pad") != ErrorNormalizer.normalize("signal 11 in GELU"))
    }

    @Test func tracebacksContributeTheirInnermostFrames() {
        let tb = """
            Traceback (most recent call last):
              File "/venv/lib/torch/nn/functional.py", line 120, in pad
                return torch._C._nn.pad(input, pad, mode, value)
              File "/venv/lib/torch/_refs.py", line 88, in _pad_impl
                raise RuntimeError(f"bad pad {n}")
            RuntimeError: bad pad 42
            """
        let n = ErrorNormalizer.normalize(tb)
        #expect(n == "RuntimeError: bad pad <n> @ _pad_impl < pad")
    }

    /// A NaN/Inf made where the reference is finite and a NaN/Inf the framework dropped are two bugs, titled
    /// each as what happened.
    @Test func nanDirectionsAreTwoDefects() {
        func signature(_ detail: String) -> DefectSignature {
            DefectSignature(symptom: .nanInf, stage: .execute, subtype: "F2", op: "MaxPool2d", detail: detail, deviating: ["onnxruntime"], graph: nil)
        }
        let made = signature("NaN/Inf where the float64 reference is finite")
        let lost = signature("no NaN/Inf where the float64 reference has one (NaN/Inf not propagated)")
        #expect(made.text != lost.text)
        #expect(made.title == "[onnxruntime] MaxPool2d outputs NaN/Inf where the float64 reference is finite during execute")
        #expect(lost.title == "[onnxruntime] MaxPool2d outputs finite values where the float64 reference has NaN/Inf during execute")
    }

    @Test func keyAttributesAreBehaviourClasses() {
        let conv3 = Node(name: "c", op: .conv2d, attributes: ["kernel": .ints([3, 3]), "stride": .ints([1, 1]), "out_channels": .int(8)])
        let conv5 = Node(name: "c", op: .conv2d, attributes: ["kernel": .ints([5, 5]), "stride": .ints([1, 1]), "out_channels": .int(16)])
        let strided = Node(name: "c", op: .conv2d, attributes: ["kernel": .ints([3, 3]), "stride": .ints([2, 2])])
        #expect(KeyAttributes.describe(conv3) == KeyAttributes.describe(conv5))
        #expect(KeyAttributes.describe(conv3) != KeyAttributes.describe(strided))
        let reflect = Node(name: "p", op: .pad, attributes: ["mode": .string("reflect")])
        #expect(KeyAttributes.describe(reflect) == "mode=reflect")
        // A 1-D kernel is its size class only (Conv1d read "kernel=square").
        let conv1d = Node(name: "c", op: .conv1d, attributes: ["kernel": .ints([3]), "stride": .ints([1])])
        #expect(KeyAttributes.describe(conv1d) == "kernel=>1,stride=1")
    }

    /// A localized finding is described by the node it localized to, not by the first node of its op type:
    /// a strided convolution deviating behind an unstrided one is a strided-convolution defect.
    @Test func keyAttributesComeFromTheLocalizedNode() {
        let plain = Node(name: "conv_a", op: .conv2d, attributes: ["kernel": .ints([3, 3]), "stride": .ints([1, 1])])
        let strided = Node(name: "conv_b", op: .conv2d, attributes: ["kernel": .ints([3, 3]), "stride": .ints([2, 2])])
        let graph = Graph(name: "g", nodes: [plain, strided])
        let localized = DefectSignature(symptom: .inconsistency, stage: .execute, subtype: "F1", op: "Conv2d", node: "conv_b", detail: "",
                                        deviating: ["tensorflow"], graph: graph)
        #expect(localized.keyAttributes == KeyAttributes.describe(strided, graph: graph))
        #expect(localized.keyAttributes != KeyAttributes.describe(plain, graph: graph))
        // Without a node (findings stored before, crashes), the first node of the op type, as before.
        let unlocalized = DefectSignature(symptom: .inconsistency, stage: .execute, subtype: "F1", op: "Conv2d", detail: "",
                                          deviating: ["tensorflow"], graph: graph)
        #expect(unlocalized.keyAttributes == KeyAttributes.describe(plain, graph: graph))
    }

    @Test func signatureSeparatesFrameworksSymptomsAndOps() {
        func sig(_ symptom: FindingSymptom, _ detail: String, _ frameworks: [String]) -> DefectSignature {
            DefectSignature(symptom: symptom, stage: .execute, subtype: "G2", op: "Pad", detail: detail, deviating: frameworks, graph: nil)
        }
        let one = sig(.crash, "signal 11 in Pad", ["faulty"])
        let two = sig(.crash, "signal 11 in Pad", ["pytorch", "faulty"])
        #expect(one.text != two.text)
        #expect(two.frameworks == ["faulty", "pytorch"])
        #expect(one.text != sig(.error, "signal 11 in Pad", ["faulty"]).text)
        #expect(one.text == sig(.crash, "signal 6 in Pad", ["faulty"]).text)
        #expect(one.title.contains("Pad") && one.title.contains("crashes"))
    }
}
