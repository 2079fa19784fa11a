import ArgumentParser
import Channels
import Foundation
import Gateway
import Logging
import StrictYAML
import SwitchboardCore

enum CommandSupport {
    /// The channels rules may name when they are read without a configuration (`rules check`, `classify`).
    static let channels = GatewayConfiguration.builtInChannels.map { $0.kind }

    /// Logs to standard error with every value's control characters escaped; `LOG_LEVEL` (trace …
    /// critical) sets the level.
    static func bootstrapLogging() -> Logger {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in EscapingLogHandler.standardError(label: label, level: level) }
        return Logger(label: "switchboard")
    }

    /// Runs a loader; on problems, prints them and exits with status 1.
    static func orExit<T>(_ load: () throws(Problems) -> T) throws -> T {
        do {
            return try load()
        } catch {
            printProblems(error)
            throw ExitCode(1)
        }
    }

    /// One problem per line as `path:line:column: message`, for editors and CI annotations.
    static func printProblems(_ problems: Problems) {
        for problem in problems.problems {
            FileHandle.standardError.write(Data((problem.description + "\n").utf8))
        }
    }

    /// Loads the deployment configuration; on problems, prints them and exits with `exitCode`.
    static func loadConfiguration(_ path: String, exitCode: Int32) throws -> GatewayConfiguration {
        do {
            return try GatewayConfiguration.load(path: path)
        } catch {
            printProblems(error)
            throw ExitCode(exitCode)
        }
    }

    /// An error line on standard error, for commands whose standard output is data.
    static func fail(_ message: String) {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    }

    /// One JSON object on one line, keys sorted and in snake case.
    static func jsonLine(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? #"{"error":"cannot encode the result"}"#
    }
}
