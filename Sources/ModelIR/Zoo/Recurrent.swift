/// Sequence models: the study's two LSTM regressors (one layer; two stacked layers with dropout), a GRU
/// regressor, and TextCNN (Kim 2014). Sizes follow the common time-series tutorials the study drew on.
enum Recurrent {
    /// LSTM(50) → Dense(1) over a window of `inputSize` steps of one feature.
    static let lstmRegressor = ZooEntry(
        name: "lstm-regressor", task: "regression", reference: "Keras LSTM(50) + Dense(1) time-series regressor",
        inputKind: .sequence, defaults: ZooConfig(inputSize: 16, width: 1, classes: 1),
        full: ZooConfig(inputSize: 50, width: 1, classes: 1, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "lstm-regressor")
        var x = try b.input([c.batch, c.inputSize, 1])
        x = try b.add(.lstm, [x], ["hidden": .int(c.ch(50)), "return_sequences": .bool(false)])
        b.role = .head
        x = try b.dense(x, c.classes)
        b.output(x)
        return b.graph
    }

    /// LSTM(50, sequences) → Dropout(0.2) → LSTM(50) → Dropout(0.2) → Dense(1).
    static let stackedLSTMRegressor = ZooEntry(
        name: "lstm-stacked-regressor", task: "regression", reference: "Keras two-layer LSTM(50) regressor with dropout",
        inputKind: .sequence, defaults: ZooConfig(inputSize: 16, width: 1, classes: 1),
        full: ZooConfig(inputSize: 60, width: 1, classes: 1, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "lstm-stacked-regressor")
        var x = try b.input([c.batch, c.inputSize, 1])
        x = try b.dropout(b.add(.lstm, [x], ["hidden": .int(c.ch(50)), "return_sequences": .bool(true)]), 0.2)
        x = try b.dropout(b.add(.lstm, [x], ["hidden": .int(c.ch(50)), "return_sequences": .bool(false)]), 0.2)
        b.role = .head
        x = try b.dense(x, c.classes)
        b.output(x)
        return b.graph
    }

    /// GRU(64) → Dense(1) over `inputSize` steps of four features.
    static let gruRegressor = ZooEntry(
        name: "gru-regressor", task: "regression", reference: "GRU(64) + Dense(1) multivariate regressor",
        inputKind: .sequence, defaults: ZooConfig(inputSize: 16, width: 1, classes: 1),
        full: ZooConfig(inputSize: 48, width: 1, classes: 1, fullSize: true)
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "gru-regressor")
        var x = try b.input([c.batch, c.inputSize, 4])
        x = try b.add(.gru, [x], ["hidden": .int(c.ch(64)), "return_sequences": .bool(false)])
        b.role = .head
        x = try b.dense(x, c.classes)
        b.output(x)
        return b.graph
    }

    /// TextCNN (Kim 2014, CNN-rand): embedding 300, filters of widths 3/4/5 × 100 with ReLU, max over time,
    /// dropout 0.5, softmax. Token ids [N, L] (i64).
    static let textCNN = ZooEntry(
        name: "textcnn", task: "text classification", reference: "Kim 2014 CNN-rand", inputKind: .tokens,
        defaults: ZooConfig(inputSize: 32, width: 0.125, classes: 2), full: ZooConfig(inputSize: 56, width: 1, classes: 2, fullSize: true),
        vocab: 1000
    ) { (c: ZooConfig) throws(ValidityError) -> Graph in
        var b = GraphBuilder(name: "textcnn")
        let ids = try b.input([c.batch, c.inputSize], dtype: .i64)
        var x = try b.add(.embedding, [ids], ["vocab": .int(c.fullSize ? 18_765 : 1000), "dim": .int(c.ch(300))])
        x = try b.add(.transpose, [x], ["perm": .ints([0, 2, 1])])
        var pooled: [ValueRef] = []
        for k in [3, 4, 5] {
            let y = try b.relu(b.add(.conv1d, [x], ["out_channels": .int(c.ch(100)), "kernel": .ints([k])]))
            pooled.append(try b.add(.globalMaxPool, [y]))
        }
        b.role = .head
        x = try b.concat(pooled)
        x = try b.add(.softmax, [b.dense(b.dropout(x, 0.5), c.classes)], ["axis": .int(-1)])
        b.output(x)
        return b.graph
    }
}
