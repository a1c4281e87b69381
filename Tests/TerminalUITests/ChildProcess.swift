import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn and reaped with waitpid. Foundation's `Process` was seen to
/// miss the exit of tmux's client (which forks the tmux server) and wait forever; waitpid cannot miss it.
struct ChildProcess {
    let pid: pid_t

    /// Starts `executable` (searched in PATH) with stdin from /dev/null and stdout+stderr to `outputPath`.
    init(_ executable: String, _ arguments: [String], outputPath: String, directory: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let directory { posix_spawn_file_actions_addchdir_np(&actions, directory) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        self.pid = pid
    }

    /// Waits for the exit; returns the exit status (128 + signal when killed).
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let low = status & 0x7F
        return low == 0 ? (status >> 8) & 0xFF : 128 + low
    }

    /// Runs to completion and returns (status, output).
    static func run(_ executable: String, _ arguments: [String], directory: String? = nil) throws -> (Int32, String) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).out").path
        defer { unlink(out) }
        let child = try ChildProcess(executable, arguments, outputPath: out, directory: directory)
        let status = child.wait()
        return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }
}
