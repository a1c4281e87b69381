import Foundation
import Testing

/// A stand-in for another interpreter: the venv's Python, whose PyTorch worker fails every Tanh on a tensor
/// larger than the capability probes' (so the op still counts as supported) with a given error text.
enum FrameworkShim {
    /// Writes the wrapper (and its shim) into `dir` and returns the wrapper's path. `pythonMessage` is the
    /// error text as a Python string literal's contents (escapes allowed); each start of the PyTorch worker
    /// appends a line to `dir/started.log`.
    static func failingTanh(in dir: URL, pythonMessage: String) throws -> URL {
        let real = try #require(ProcessInfo.processInfo.environment["DEFECTLAB_PYTHON"])
        let shim = dir.appendingPathComponent("shim.py")
        try """
            import os, runpy, sys
            with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "started.log"), "a") as log:
                log.write("started\\n")
            sys.argv = sys.argv[1:]
            sys.path.insert(0, os.path.dirname(sys.argv[0]))
            import generic
            tanh = generic.GenericOps.op_Tanh
            def op_Tanh(self, n, a, s, W):
                if a[0].numel() > 2000:
                    raise RuntimeError("\(pythonMessage)")
                return tanh(self, n, a, s, W)
            generic.GenericOps.op_Tanh = op_Tanh
            runpy.run_path(sys.argv[0], run_name="__main__")

            """.write(to: shim, atomically: true, encoding: .utf8)
        let wrapper = dir.appendingPathComponent("python")
        try """
            #!/bin/sh
            case "$*" in *"worker.py pytorch"*) shift 3; exec "\(real)" -I -B -u "\(shim.path)" "$@";; esac
            exec "\(real)" "$@"

            """.write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        return wrapper
    }
}
