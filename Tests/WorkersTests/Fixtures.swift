import Doctor
import Foundation
import ModelIR
import Oracles
import Reference
import Taxonomy
import Workers

/// Shared across the suite: one worker per framework (start-up costs seconds), the fuzz mapping, prepared seeds.
enum Fixtures {
    static let interpreter: String = {
        (try? PythonEnvironment.locate().interpreter) ?? "/nonexistent/python (set DEFECTLAB_PYTHON or run make setup)"
    }()

    static let pool = WorkerPool(interpreter: interpreter)

    static func mapping() throws -> FuzzMapping { try TaxonomyCatalog.locate().loadMapping() }

    static func prepared(_ name: String, seed: UInt64 = 0) throws -> DiffSubject {
        let entry = ModelZoo.entry(named: name)!
        let m = try PreparedModel.prepare(entry, entry.defaults, seed: seed)
        return DiffSubject(name: entry.name, graph: m.graph, weights: m.weights, inputs: m.inputs, seed: seed)
    }

    /// The fault-injection worker (same protocol, PyTorch underneath), faults selected by graph name.
    static let faultSpecs = [
        "segv-model=segfault@execute", "chatty-segv-model=chattysegfault@execute", "abort-model=abort@build", "raise-model=raise@execute", "hang-model=hang@execute",
        "leak-model=leak:40", "spike-model=spike:600", "oom-model=oom", "slow-model=slow:0.03", "slowop-model=slowop:dense_1:0.02", "corrupt-model=corrupt:conv2d_1", "nan-model=nan:dense_1",
    ].joined(separator: ";")

    static let faultPool: WorkerPool = {
        let pool = Fixtures.pool
        let script = Bundle.module.url(forResource: "fault_worker", withExtension: "py")!.path
        let scripts = (try? WorkerScripts.directory().path) ?? ""
        _ = pool.add(WorkerSpec(name: "faulty", interpreter: interpreter, script: script, arguments: [scripts, "pytorch", faultSpecs]))
        return pool
    }()

    /// A seed renamed, so the fault worker picks the fault registered for that name.
    static func renamed(_ s: DiffSubject, _ name: String) -> DiffSubject {
        var out = s
        out.graph.name = name
        out.name = name
        return out
    }
}
