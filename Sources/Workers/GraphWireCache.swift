import Foundation
import ModelIR

/// The compact JSON of the last few graphs sent: `diff` and campaigns send one model to every framework, so
/// it is encoded once, not once per worker. Compact (no indentation) because nobody reads the wire.
final class GraphWireCache: @unchecked Sendable {
    static let shared = GraphWireCache()
    private let lock = NSLock()
    private var entries: [(Graph, Data)] = []
    private let capacity = 4

    func encoded(_ graph: Graph) -> Data {
        lock.lock()
        if let hit = entries.first(where: { $0.0 == graph }) { lock.unlock(); return hit.1 }
        lock.unlock()
        let data = GraphJSON.encode(graph, pretty: false)
        lock.lock(); defer { lock.unlock() }
        entries.insert((graph, data), at: 0)
        if entries.count > capacity { entries.removeLast() }
        return data
    }

    func clear() {
        lock.lock(); defer { lock.unlock() }
        entries = []
    }
}
