import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a test server (Dovecot, a Kannel box) under a shell that watches a pipe from this process: when the pipe
/// closes, because the test stopped it or because the test process died, the shell removes the server's directory
/// and kills the server's whole process group. The shell also ends when the server does, so a failed start shows
/// at once. Under setsid the shell leads a process group of its own, never ours.
enum WatchedProcess {
    static let setsid = ["/usr/bin/setsid", "/bin/setsid"].first(where: FileManager.default.isExecutableFile)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `command` (the program and its arguments) with its output in the file at `output`.
    /// - Parameter removing: a directory the shell deletes when the pipe closes.
    static func launch(_ command: [String], removing directory: String? = nil, output: String) throws -> (process: Process, input: Pipe) {
        let input = Pipe()
        let wrapper = Process()
        let ending = setsid == nil ? "kill -TERM $child 2>/dev/null" : "kill -KILL 0"
        let cleanup = directory.map { "rm -rf '\($0)'; " } ?? ""
        wrapper.executableURL = URL(fileURLWithPath: setsid ?? "/bin/sh")
        wrapper.arguments = (setsid == nil ? [] : ["/bin/sh"]) + [
            "-c",
            "exec 3<&0; \"$@\" </dev/null & child=$!; (cat <&3 >/dev/null; \(cleanup)\(ending)) & exec 3<&-; wait $child",
            "watched-process",
        ] + command
        wrapper.standardInput = input
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: output) else { throw Failure(description: "cannot write \(output)") }
        wrapper.standardOutput = handle
        wrapper.standardError = handle
        try wrapper.run()
        try? handle.close()
        return (wrapper, input)
    }

    /// Ends all of the wrapper's process group, the server and the watcher too, even when the wrapper itself
    /// has already ended.
    static func killGroup(_ process: Process) {
        let pid = process.processIdentifier
        guard pid > 0 else { return }
        if setsid != nil && pid != getpgrp() { kill(-pid, SIGKILL) } else if process.isRunning { kill(pid, SIGKILL) }
    }
}
