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
        // Glibc's Swift overlay has no posix_spawn_file_actions_addchdir_np: a directory goes through sh's cd.
        let command = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0, executable] + arguments }
            ?? [executable] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The test runner's threads block or ignore signals; a child (and the tmux server it forks, and the
        // TUI in the pane) would inherit that and never see SIGWINCH or SIGHUP. Start it with an empty mask
        // and every signal at its default action, as a shell would.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, command[0], &actions, &attributes, argv, environ)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        self.pid = pid
    }

    /// Waits for the exit, at most `timeout` seconds (then the child is killed and the wait is an error);
    /// returns the exit status (128 + signal when killed).
    func wait(timeout: TimeInterval = 120) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw ChildTimeout(pid: pid, seconds: timeout)
            }
            usleep(2_000)
        }
        let low = status & 0x7F
        return low == 0 ? (status >> 8) & 0xFF : 128 + low
    }

    /// Runs to completion and returns (status, output).
    static func run(_ executable: String, _ arguments: [String], directory: String? = nil,
                    timeout: TimeInterval = 120) throws -> (Int32, String) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).out").path
        defer { unlink(out) }
        let child = try ChildProcess(executable, arguments, outputPath: out, directory: directory)
        let status = try child.wait(timeout: timeout)
        return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }
}

/// A child outlived its deadline (and was killed).
struct ChildTimeout: Error, CustomStringConvertible {
    let pid: pid_t
    let seconds: TimeInterval
    var description: String { "child \(pid) still running after \(Int(seconds)) s; killed" }
}
