import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to its end without holding a thread of the cooperative pool the gateway's handlers
/// run on: the wait is a continuation resumed by the process's termination handler.
enum ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `command` (the program and its arguments) with its output and errors in the file at `output`;
    /// one still running after `timeout` is killed.
    /// - Returns: its exit status and what it wrote.
    static func run(_ command: [String], output: String, timeout: Duration? = nil) async throws -> (status: Int32, output: String) {
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: output) else { throw Failure(description: "cannot write \(output)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: Failure(description: "cannot run \(command[0]): \(error)"))
                return
            }
            if let timeout {
                let pid = process.processIdentifier
                Task {
                    try? await Task.sleep(for: timeout)
                    if process.isRunning { kill(pid, SIGKILL) }
                }
            }
        }
        try? handle.close()
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
