import Curl
import Foundation
import Gateway
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// `switchboard bench ingest`: durable ingest through the real HTTP endpoint, beside two baselines run in
/// the same process on the same disk: the machine's raw fsync rate (what one transaction per message could
/// reach at best) and the same server answering a no-op endpoint (what HTTP alone costs).
public enum IngestBenchmark {
    public struct Options: Sendable {
        public var connections: Int
        public var seconds: Double
        public var maxMessages: Int
        public var baselineSeconds: Double
        public var groupCommitWindow: Double
        public var groupCommitMaxBatch: Int
        public var rulesDirectory: String
        /// Where the database and the fsync file go; a temporary directory when nil.
        public var directory: String?
        /// A PostgreSQL database (`postgres://user:password@host:port/db`) to measure beside SQLite, with one
        /// gateway and then two sharing it; nil measures SQLite alone. Its tables are left as the run fills them.
        public var postgresURL: String?
        /// Connections each gateway's PostgreSQL pool opens at most.
        public var postgresPool: Int = 16

        public init(
            connections: Int = 32, seconds: Double = 10, maxMessages: Int = 1_000_000, baselineSeconds: Double = 3,
            groupCommitWindow: Double = 0.001, groupCommitMaxBatch: Int = 256, rulesDirectory: String, directory: String? = nil
        ) {
            self.connections = connections
            self.seconds = seconds
            self.maxMessages = maxMessages
            self.baselineSeconds = baselineSeconds
            self.groupCommitWindow = groupCommitWindow
            self.groupCommitMaxBatch = groupCommitMaxBatch
            self.rulesDirectory = rulesDirectory
            self.directory = directory
        }
    }

    public struct Phase: Codable, Sendable {
        public var requests: Int
        public var failed: Int
        public var perSecond: Double
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var p999Milliseconds: Double
        /// Process CPU time (server and load generator together) per successful request, in microseconds.
        public var cpuMicrosecondsPerRequest: Double
        /// The server's share of it: the process's CPU time less that of the generator's threads.
        public var serverCPUMicrosecondsPerRequest: Double

        init(_ result: LoadGenerator.Result) {
            requests = result.succeeded
            failed = result.failed
            perSecond = result.perSecond
            let latencies = result.percentiles([0.5, 0.99, 0.999])
            (p50Milliseconds, p99Milliseconds, p999Milliseconds) = (latencies[0], latencies[1], latencies[2])
            cpuMicrosecondsPerRequest = result.succeeded > 0 ? result.cpuSeconds / Double(result.succeeded) * 1_000_000 : 0
            serverCPUMicrosecondsPerRequest =
                result.succeeded > 0 ? max(0, result.cpuSeconds - result.generatorCPUSeconds) / Double(result.succeeded) * 1_000_000 : 0
        }
    }

    /// One PostgreSQL measurement: the phases, and the database server's CPU per message.
    public struct StoreRun: Codable, Sendable {
        public var gateways: Int
        public var ingest: Phase
        public var halfRate: Phase
        public var halfRateTarget: Double
        public var averageBatch: Double
        /// CPU time of the PostgreSQL server's processes on this machine per message stored, in microseconds.
        public var databaseCPUMicrosecondsPerRequest: Double
        /// This run's ingest rate over the SQLite rate of the same benchmark.
        public var toSQLite: Double
    }

    public struct Report: Codable, Sendable {
        public var connections: Int
        public var fsyncPerSecond: Double
        public var noop: Phase
        public var ingest: Phase
        /// Ingest paced at half the rate `ingest` reached.
        public var halfRate: Phase
        public var halfRateTarget: Double
        public var averageBatch: Double
        public var ingestToFsync: Double
        public var ingestToNoop: Double
        /// Processors this process may run on.
        public var processors: Int
        /// The most messages per second the server's CPU cost per message allows on all of `processors`,
        /// were the clients on other machines: what this machine could reach with disk and waits free.
        public var serverCPUCeiling: Double
        /// PostgreSQL with one gateway, then two sharing it, when a database was given.
        public var postgres: [StoreRun]?
    }

    public static func run(_ options: Options, progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let directory = options.directory ?? NSTemporaryDirectory() + "switchboard-bench-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if options.directory == nil { try? FileManager.default.removeItem(atPath: directory) } }

        progress("raw fsync baseline, \(options.baselineSeconds)s in \(directory)")
        let fsync = try fsyncRate(directory: directory, seconds: options.baselineSeconds)

        let sqlite = try await measure(
            options, directory: directory, storage: "data_dir: \(directory)/data", environment: [:], gateways: 1, withNoop: true,
            progress: progress)
        let ingestPhase = sqlite.ingest
        var postgres: [StoreRun]?
        if let url = options.postgresURL {
            postgres = []
            for gateways in [1, 2] {
                let run = try await measure(
                    options, directory: directory, storage: "postgres: { url: { env: BENCH_DATABASE_URL }, pool: \(options.postgresPool) }",
                    environment: ["BENCH_DATABASE_URL": url], gateways: gateways, withNoop: false, progress: progress)
                postgres?.append(StoreRun(
                    gateways: gateways, ingest: run.ingest, halfRate: run.halfRate, halfRateTarget: run.halfRateTarget,
                    averageBatch: run.averageBatch, databaseCPUMicrosecondsPerRequest: run.databaseCPUMicroseconds,
                    toSQLite: ingestPhase.perSecond > 0 ? run.ingest.perSecond / ingestPhase.perSecond : 0))
            }
        }
        let processors = ProcessInfo.processInfo.activeProcessorCount
        let noop = sqlite.noop ?? ingestPhase
        return Report(
            connections: options.connections, fsyncPerSecond: fsync, noop: noop, ingest: ingestPhase, halfRate: sqlite.halfRate,
            halfRateTarget: sqlite.halfRateTarget, averageBatch: sqlite.averageBatch,
            ingestToFsync: fsync > 0 ? ingestPhase.perSecond / fsync : 0, ingestToNoop: noop.perSecond > 0 ? ingestPhase.perSecond / noop.perSecond : 0,
            processors: processors,
            serverCPUCeiling: ingestPhase.serverCPUMicrosecondsPerRequest > 0
                ? Double(processors) * 1_000_000 / ingestPhase.serverCPUMicrosecondsPerRequest : 0,
            postgres: postgres)
    }

    /// What one storage set-up measured.
    struct Measured {
        var noop: Phase?
        var ingest: Phase
        var halfRate: Phase
        var halfRateTarget: Double
        var averageBatch: Double
        var databaseCPUMicroseconds: Double
    }

    /// Runs `gateways` gateways on the storage given (the YAML inside `storage: { … }`), the load spread over
    /// them, through the unpaced and the half-rate phases.
    static func measure(
        _ options: Options, directory: String, storage: String, environment: [String: String], gateways: Int, withNoop: Bool,
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> Measured {
        let configurationPath = directory + "/Config/switchboard.yaml"
        try FileManager.default.createDirectory(atPath: directory + "/Config", withIntermediateDirectories: true)
        try """
            server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }
            storage: { \(storage), group_commit_window: \(options.groupCommitWindow > 0 ? "\(options.groupCommitWindow * 1000)ms" : "0"), group_commit_max_batch: \(options.groupCommitMaxBatch) }
            sources:
              - { id: bench, channel: webhook, inbound_signature: { scheme: none }, rate_limit: { per_second: 0 } }
            """.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        let configuration = try GatewayConfiguration.load(path: configurationPath, environment: environment)
        var logger = Logger(label: "switchboard-bench")
        logger.logLevel = .error
        var ports: [Int] = []
        var groups: [ServiceGroup] = []
        var servers: [Task<Void, any Error>] = []
        defer { for server in servers { server.cancel() } }
        for _ in 0..<gateways {
            var gatewayOptions = Gateway.Options(configuration: configuration, rulesDirectory: options.rulesDirectory, rulesCheckInterval: .seconds(3600))
            gatewayOptions.port = 0
            gatewayOptions.deliverReplies = false
            let (bound, portSink) = AsyncStream<Int>.makeStream()
            let (application, _) = try await Gateway.buildApplication(gatewayOptions, logger: logger) { port in portSink.yield(port) }
            let group = ServiceGroup(services: [application], logger: logger)
            groups.append(group)
            servers.append(Task { try await group.run() })
            for await port in bound {
                ports.append(port)
                break
            }
        }
        let port = ports[0], others = Array(ports.dropFirst())
        let label = storage.hasPrefix("postgres") ? "PostgreSQL, \(gateways) gateway\(gateways == 1 ? "" : "s")" : "SQLite"

        var noop: Phase?
        if withNoop {
            progress("no-op baseline: GET /healthz, \(options.connections) connections, \(options.baselineSeconds)s")
            noop = Phase(await LoadGenerator(port: port, connections: options.connections, duration: options.baselineSeconds, maxRequests: .max).run { _ in
                LoadRequest(method: "GET", path: "/healthz")
            })
        }

        let run = UUID().uuidString.prefix(8)
        // Split once: the generator shares the CPU with the server it measures.
        let halves = texts.map { text in text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init) }
        let message: @Sendable (Int) -> LoadRequest = { number in
            let parts = halves[number % halves.count]
            let text = parts.count == 2 ? parts[0] + String(number) + parts[1] : parts[0]
            let body = #"{"from":"customer\#(number % 5000)@example.com","text":"\#(text)","external_id":"bench-\#(run)-\#(number)"}"#
            return LoadRequest(
                method: "POST", path: "/v1/inbound/webhook/bench", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        }
        progress("\(label): POST /v1/inbound/webhook/bench, \(options.connections) connections, \(options.seconds)s")
        let databaseCPUAtStart = DatabaseServerCPU.seconds()
        let ingest = await LoadGenerator(
            port: port, otherPorts: others, connections: options.connections, duration: options.seconds, maxRequests: options.maxMessages
        ).run(message)
        let databaseCPU = DatabaseServerCPU.seconds() - databaseCPUAtStart

        let target = max(1, ingest.perSecond / 2)
        progress("\(label): paced at \(Int(target)) msg/s (half the rate reached), \(options.seconds)s")
        let paced = await LoadGenerator(
            port: port, otherPorts: others, connections: options.connections, duration: options.seconds, maxRequests: .max, rate: target
        ).run { number in message(number + 100_000_000) }

        var batchSum = 0.0, batchCount = 0.0
        for port in ports {
            let metrics = (try? await CurlHTTPClient().perform(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/metrics", timeout: .seconds(10))))
                .map { String(decoding: $0.body, as: UTF8.self) } ?? ""
            batchSum += metric(metrics, "switchboard_ingest_batch_size_sum") ?? 0
            batchCount += metric(metrics, "switchboard_ingest_batch_size_count") ?? 0
        }
        for group in groups { await group.triggerGracefulShutdown() }
        for server in servers { _ = try? await server.value }
        return Measured(
            noop: noop, ingest: Phase(ingest), halfRate: Phase(paced), halfRateTarget: target,
            averageBatch: batchCount > 0 ? batchSum / batchCount : 0,
            databaseCPUMicroseconds: ingest.succeeded > 0 ? databaseCPU / Double(ingest.succeeded) * 1_000_000 : 0)
    }

    /// Customer messages of the kinds the rules route differently (complaints, inquiries, outages, Chinese
    /// and English); `#` becomes the message number.
    static let texts = [
        "我的订单#已经三天了还没发货，太慢了，请尽快处理！",
        "请问订单#的发票怎么开？",
        "Order # arrived damaged and I want a refund now.",
        "Hi, can you tell me when order # will ship? Thanks!",
        "系统登录不了，所有人都打不开，订单#无法支付，非常着急",
        "I was charged twice for order #, this is unacceptable.",
        "谢谢你们的帮助，订单#已经收到了",
        "Where is my parcel #? It has been a week.",
    ]

    /// Writes and syncs a small block again and again: the most transactions per second a one-sync-each
    /// design could commit on this disk.
    static func fsyncRate(directory: String, seconds: Double) throws -> Double {
        let path = directory + "/fsync-baseline"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw BenchmarkError("cannot create \(path)") }
        defer {
            close(descriptor)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        let clock = ContinuousClock()
        let start = clock.now
        var syncs = 0
        var offset: off_t = 0
        while clock.now - start < .milliseconds(Int64(seconds * 1000)) {
            // Appending, as a write-ahead log does, so each sync also updates the file's size.
            let written = block.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, offset) }
            guard written == block.count, fsync(descriptor) == 0 else { throw BenchmarkError("writing \(path) failed") }
            offset += off_t(block.count)
            syncs += 1
        }
        return Double(syncs) / ((clock.now - start) / .seconds(1))
    }

    static func metric(_ text: String, _ name: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
