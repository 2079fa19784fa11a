import ArgumentParser
import Benchmarks
import Foundation

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Switchboard against baselines run side by side.", subcommands: [ClassifyCommand.self])

    struct ClassifyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "classify",
            abstract: "Full classification path vs the raw vectorscan scan of the same database over the same bytes, on one core.")

        @Option(help: "Messages in the generated corpus (about 1 KiB each).") var messages = 20_000
        @Option(help: "Seed of the corpus and rule set.") var seed: UInt64 = 42
        @Option(help: "Terms in the generated rule set.") var terms = 2_000
        @Option(help: "Regexes in the generated rule set.") var regexes = 50
        @Option(help: "Terms compiled for the compile-time measurement.") var compileTerms = 100_000
        @Option(help: "Rounds; the best is reported.") var rounds = 3
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let report = try ClassifyBenchmark.run(
                .init(messages: messages, seed: seed, terms: terms, regexes: regexes, compileTerms: compileTerms, rounds: rounds)
            ) { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                encoder.keyEncodingStrategy = .convertToSnakeCase
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
                return
            }
            func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
            print("messages                         \(report.messages) (\(f(Double(report.bytes) / 1_000_000)) MB, \(report.patterns) patterns)")
            print("per message                      \(f(report.matchesPerMessage)) matches explained, \(f(report.signalsPerMessage)) signals fired")
            print("full path (normalize+scan+score+route)  \(f(report.messagesPerSecond, 0)) msg/s  \(f(report.fullPathMBPerSecond)) MB/s")
            print("normalize only                   \(f(report.normalizeMBPerSecond)) MB/s")
            print("raw vectorscan scan, same bytes  \(f(report.rawScanMBPerSecond)) MB/s")
            print("full path / raw scan             \(f(report.ratioToRawScan, 2))")
            print("compile \(report.compileTerms) terms           \(f(report.compileSeconds, 2)) s")
        }
    }
}
