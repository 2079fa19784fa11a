import Foundation
import Logging
import StrictYAML

enum CommandSupport {
    /// Logs to standard error; `LOG_LEVEL` (trace … critical) sets the level.
    static func bootstrapLogging() -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        return Logger(label: "switchboard")
    }

    /// One problem per line as `path:line:column: message`, for editors and CI annotations.
    static func printProblems(_ problems: Problems) {
        for problem in problems.problems {
            FileHandle.standardError.write(Data((problem.description + "\n").utf8))
        }
    }
}
