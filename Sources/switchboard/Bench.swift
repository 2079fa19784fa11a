import ArgumentParser
import Benchmarks
import Foundation

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Switchboard against baselines run side by side.", subcommands: [ClassifyCommand.self, IngestCommand.self, IMAPCommand.self, SLACommand.self])

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
        @Option(help: "Lexicons added to the generated rule set, each read by a scoring and an intent signal, as the shipped rules read them; empty for none.")
        var lexicons = "Rules/lexicons"
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let report = try ClassifyBenchmark.run(
                .init(
                    messages: messages, seed: seed, terms: terms, regexes: regexes, compileTerms: compileTerms, rounds: rounds,
                    lexicons: lexicons.isEmpty ? nil : lexicons)
            ) { line in Bench.progress(line) }
            if json { return try Bench.printJSON(report) }
            print("messages                         \(report.messages) (\(f(Double(report.bytes) / 1_000_000)) MB, \(report.patterns) patterns)")
            print("per message                      \(f(report.matchesPerMessage)) matches explained, \(f(report.signalsPerMessage)) signals fired")
            print("full path (normalize+scan+score+route)  \(f(report.messagesPerSecond, 0)) msg/s  \(f(report.fullPathMBPerSecond)) MB/s")
            print("fold only (bytes + position map) \(f(report.normalizeMBPerSecond)) MB/s")
            print("raw vectorscan scan, same bytes  \(f(report.rawScanMBPerSecond)) MB/s")
            print("full path / raw scan             \(f(report.ratioToRawScan, 3))")
            print("compile \(report.compileTerms) terms           \(f(report.compileSeconds, 2)) s")
        }
    }

    struct IngestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Durable ingest over real HTTP on loopback, beside the raw fsync rate and a no-op endpoint of the same server.")

        @Option(help: "Concurrent connections (each a thread with a kept-alive connection).") var connections = 32
        @Option(help: "Seconds of each ingest phase.") var seconds = 10.0
        @Option(help: "Most messages in the unpaced phase.") var messages = 1_000_000
        @Option(help: "Seconds of each baseline.") var baselineSeconds = 3.0
        @Option(help: "Group commit window in milliseconds (0: batch only what queued during the last commit).") var window = 1.0
        @Option(help: "Most messages per transaction.") var maxBatch = 256
        @Option(help: "Rules directory.") var rules = "Rules"
        @Option(help: "Directory for the database and the fsync file (default: a temporary one, removed after).") var directory: String?
        @Option(
            help: ArgumentHelp(
                "Also measure a PostgreSQL database, with one gateway and then two, beside SQLite (postgres://user:password@host:port/db).",
                valueName: "url")) var store: String?
        @Option(help: "Connections each gateway's PostgreSQL pool opens at most.") var pool = 16
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            var options = IngestBenchmark.Options(
                connections: connections, seconds: seconds, maxMessages: messages, baselineSeconds: baselineSeconds,
                groupCommitWindow: window / 1000, groupCommitMaxBatch: maxBatch, rulesDirectory: rules, directory: directory)
            options.postgresURL = store
            options.postgresPool = pool
            let report = try await IngestBenchmark.run(options) { line in Bench.progress(line) }
            if json { return try Bench.printJSON(report) }
            func line(_ name: String, _ phase: IngestBenchmark.Phase) -> String {
                "\(name)\(f(phase.perSecond, 0)) /s   p50 \(f(phase.p50Milliseconds, 2)) ms   p99 \(f(phase.p99Milliseconds, 2)) ms   p99.9 \(f(phase.p999Milliseconds, 2)) ms   cpu \(f(phase.cpuMicrosecondsPerRequest, 0)) µs/req (server \(f(phase.serverCPUMicrosecondsPerRequest, 0)))   (\(phase.requests) ok, \(phase.failed) failed)"
            }
            print("connections                      \(report.connections)")
            print("raw fsync (4 KiB append + fsync) \(f(report.fsyncPerSecond, 0)) /s")
            print(line("no-op endpoint (GET /healthz)    ", report.noop))
            print(line("durable ingest (POST webhook)    ", report.ingest))
            print(line("ingest at half rate (\(Int(report.halfRateTarget))/s)  ", report.halfRate))
            print("messages per transaction         \(f(report.averageBatch))")
            print("ingest / raw fsync               \(f(report.ingestToFsync, 2))")
            print("ingest / no-op endpoint          \(f(report.ingestToNoop, 2))")
            print("server CPU ceiling               \(f(report.serverCPUCeiling, 0)) /s   (\(report.processors) processors / server CPU per message)")
            for run in report.postgres ?? [] {
                let name = "PostgreSQL, \(run.gateways) gateway\(run.gateways == 1 ? "" : "s")"
                print(line("\(name) ingest".padding(toLength: 33, withPad: " ", startingAt: 0), run.ingest))
                print(line("\(name) at \(Int(run.halfRateTarget))/s".padding(toLength: 33, withPad: " ", startingAt: 0), run.halfRate))
                print("  messages per transaction \(f(run.averageBatch))   database CPU \(f(run.databaseCPUMicrosecondsPerRequest, 0)) µs/msg   / SQLite \(f(run.toSQLite, 2))")
            }
        }
    }

    struct IMAPCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "imap",
            abstract: "A mailbox backlog imported by the real mailbox intake, beside the raw IMAP fetch rate of the same private Dovecot.")

        @Option(help: "Messages in the backlog (about 1 KiB each).") var messages = 3_000
        @Option(help: "Messages per IMAP fetch (imap.batch_size).") var batchSize = 50
        @Option(help: "Rounds of each measurement; the best is reported.") var rounds = 3
        @Option(help: "Rules directory.") var rules = "Rules"
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let report = try await IMAPBenchmark.run(
                .init(messages: messages, batchSize: batchSize, rounds: rounds, rulesDirectory: rules)
            ) { line in Bench.progress(line) }
            if json { return try Bench.printJSON(report) }
            print("messages                         \(report.messages) (\(f(report.megabytes)) MB), \(report.batchSize) per fetch")
            print("append (setting up the backlog)  \(f(report.appendPerSecond, 0)) msg/s")
            print("raw IMAP fetch (search + fetch)  \(f(report.rawFetchPerSecond, 0)) msg/s")
            print("mailbox intake (commit, \\Seen)   \(f(report.intakePerSecond, 0)) msg/s")
            print("messages per transaction         \(f(report.averageTransaction))")
            print("intake / raw fetch               \(f(report.intakeToRawFetch, 2))")
        }
    }

    struct SLACommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sla",
            abstract: "Timer ticks, a queue's first page and concurrent claims on many open conversations with running clocks, beside plain indexed reads and writes of the same rows.")

        @Option(help: "Open conversations seeded (through the store's batched ingest, clock logs and all).") var conversations = 100_000
        @Option(help: "Queues they are spread over.") var queues = 10
        @Option(help: "Timer ticks measured with warnings due.") var ticks = 20
        @Option(help: "Warnings due at each of those ticks.") var duePerTick = 50
        @Option(help: "Claims measured.") var claims = 2_000
        @Option(help: "Concurrent agents claiming.") var agents = 8
        @Option(help: "Repetitions of each read; the mean is reported.") var rounds = 200
        @Option(help: "Directory for the database (default: a temporary one, removed after).") var directory: String?
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let report = try await SLABenchmark.run(
                .init(
                    conversations: conversations, queues: queues, ticks: ticks, duePerTick: duePerTick, claims: claims, agents: agents,
                    rounds: rounds, directory: directory)
            ) { line in Bench.progress(line) }
            if json { return try Bench.printJSON(report) }
            print("conversations \(report.conversations) open, \(report.queueSize) a queue, \(report.clockTimers) clock timers; seeded in \(f(report.seedSeconds)) s")
            let width = report.rows.map(\.name.count).max() ?? 0
            func pad(_ text: String, _ count: Int) -> String { text + String(repeating: " ", count: max(0, count - text.count)) }
            print(pad("measurement", width) + "  " + pad("value", 14) + pad("baseline", 14) + "ratio  baseline is")
            for row in report.rows {
                print(pad(row.name, width) + "  " + pad("\(f(row.value, 3)) \(row.unit)", 14) + pad("\(f(row.baseline, 3)) \(row.unit)", 14)
                    + pad(f(row.ratio, 2), 7) + row.baselineName)
            }
        }
    }

    /// A figure with `digits` decimals, for the report's columns.
    static func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

    /// A report as one line of JSON with snake_case keys, for scripts that compare runs.
    static func printJSON(_ report: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    /// Progress goes to standard error, so the report on standard output stays clean.
    @Sendable static func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
