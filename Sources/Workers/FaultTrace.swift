/// The Python stack a worker's `faulthandler` writes to stderr when the process dies of a signal:
///
///     Fatal Python error: Segmentation fault
///
///     Current thread 0x00007f... (most recent call first):
///       File "/…/generic.py", line 120 in op_Conv2d
///       File "/…/eager.py", line 45 in _forward
///
/// read from the stderr tail the driver keeps, innermost frame first.
public enum FaultTrace {
    public struct Frame: Sendable, Equatable {
        public var file: String
        public var function: String
    }

    /// The frames of the last dump in `stderr` (a worker restarted after an earlier crash keeps one tail per
    /// process, but a tail may hold framework chatter before the dump).
    public static func frames(_ stderr: String) -> [Frame] {
        guard let start = stderr.range(of: "(most recent call first):", options: .backwards) else { return [] }
        var frames: [Frame] = []
        for line in stderr[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: true) {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("File \""), let close = text.dropFirst(6).firstIndex(of: "\""),
                  let inRange = text.range(of: " in ", range: close..<text.endIndex) else {
                if frames.isEmpty { continue } else { break }
            }
            let file = String(text[text.index(text.startIndex, offsetBy: 6)..<close])
            frames.append(Frame(file: file, function: String(text[inRange.upperBound...])))
        }
        return frames
    }

    /// The IR op whose builder (`op_<Op>` in a backend) was running when the worker died, innermost first.
    public static func failingOp(_ stderr: String) -> String? {
        for frame in frames(stderr) where frame.function.hasPrefix("op_") && frame.function.count > 3 {
            return String(frame.function.dropFirst(3))
        }
        return nil
    }

    /// `function (file)` of the innermost frames, for a crash's message.
    public static func summary(_ stderr: String, limit: Int = 3) -> String? {
        let top = frames(stderr).prefix(limit)
        guard !top.isEmpty else { return nil }
        return top.map { "\($0.function) (\($0.file.split(separator: "/").last.map(String.init) ?? $0.file))" }.joined(separator: " < ")
    }
}
