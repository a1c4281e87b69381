import Foundation
import GRDB
import Store

/// Stores a diff run and its findings (tables from the `v2-findings` migration).
public enum FindingRecorder {
    @discardableResult
    public static func record(_ report: DiffReport, in store: DefectLabStore) throws -> Int64 {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]   // the same run stores the same bytes
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let results = String(decoding: try encoder.encode(report.frameworks), as: UTF8.self)
        let started = ISO8601DateFormatter().string(from: Date())
        return try store.write { db in
            try db.execute(sql: "INSERT INTO diff_run (model, model_hash, seed, frameworks, results_json, started_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [report.model, report.modelHash, Int64(bitPattern: report.seed),
                                       report.frameworks.map(\.name).joined(separator: ","), results, started])
            let runID = db.lastInsertedRowID
            for f in report.findings {
                try db.execute(sql: "INSERT INTO finding (run_id, key, taxonomy, symptom, stage, frameworks, node, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: [runID, f.id, f.taxonomy, f.symptom, f.stage, f.frameworks.joined(separator: ","), f.node, f.detail])
            }
            return runID
        }
    }
}
