import Conversations
import Foundation
import GRDB
import SQLiteStorage
import SwitchboardCore
import Synchronization

/// `switchboard bench sla`: the service loop's reads and claims on a large store of open conversations
/// with running clocks, each beside a plain indexed read (or write) of the same rows in the same run.
///
/// The conversations are stored by the store's own batched ingest, so their clock logs, timers and next
/// deadlines are what the gateway writes. Times are the calls' own (the store is in process): server time.
public enum SLABenchmark {
    public struct Options: Sendable {
        /// Open conversations seeded, spread evenly over ``queues`` queues.
        public var conversations: Int
        public var queues: Int
        /// Timer ticks measured with something due, and the timers due at each.
        public var ticks: Int
        public var duePerTick: Int
        /// Claims measured, by ``agents`` concurrent agents.
        public var claims: Int
        public var agents: Int
        /// Repetitions of each read; the mean is reported.
        public var rounds: Int
        /// Where the database goes; a temporary directory, removed after, when nil.
        public var directory: String?

        public init(
            conversations: Int = 100_000, queues: Int = 10, ticks: Int = 20, duePerTick: Int = 50, claims: Int = 2_000, agents: Int = 8,
            rounds: Int = 200, directory: String? = nil
        ) {
            self.conversations = conversations
            self.queues = queues
            self.ticks = ticks
            self.duePerTick = duePerTick
            self.claims = claims
            self.agents = agents
            self.rounds = rounds
            self.directory = directory
        }
    }

    /// One measurement beside its baseline, in milliseconds per operation (claims: per second).
    public struct Row: Codable, Sendable {
        public var name: String
        public var value: Double
        public var baseline: Double
        public var baselineName: String
        public var unit: String
        /// value ÷ baseline.
        public var ratio: Double { baseline > 0 ? value / baseline : 0 }
    }

    public struct Report: Codable, Sendable {
        public var conversations: Int
        public var queueSize: Int
        public var clockTimers: Int
        public var seedSeconds: Double
        public var rows: [Row]
    }

    /// The one policy the benchmark's conversations run: first response in an hour, resolution in eight,
    /// each warned at 80%, round the clock.
    struct Rules: ClockRules {
        static let binding = ClockBinding(targets: [
            .firstResponse: ClockTarget(policy: "bench", seconds: 3_600, warnBefore: .fraction(0.2)),
            .resolution: ClockTarget(policy: "bench", seconds: 28_800, warnBefore: .fraction(0.2)),
        ], pausesWhileWaiting: true)

        func binding(policy: String) -> ClockBinding? { policy == "bench" ? Self.binding : nil }
        func workingTime(calendar: String?) -> any WorkingTime { RoundTheClock() }
    }

    /// The instant the first conversation arrives; the others follow at even steps.
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    /// Conversations per second of arrival time.
    static let arrivalsPerSecond = 100.0

    public static func run(_ options: Options, progress: @Sendable (String) -> Void) async throws -> Report {
        let directory = options.directory ?? NSTemporaryDirectory() + "switchboard-bench-sla-\(UUID().uuidString)"
        defer { if options.directory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let store = try SQLiteMessageStore(directory: directory, clockRules: Rules())
        let raw = try DatabasePool(path: store.path)

        progress("seeding \(options.conversations) conversations in \(options.queues) queues")
        let seedStarted = ContinuousClock.now
        try await seed(store, options)
        let seedSeconds = (ContinuousClock.now - seedStarted).inSeconds
        let timers = try await raw.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM clock_timers") ?? 0 }
        let lastArrival = start.addingTimeInterval(Double(options.conversations - 1) / arrivalsPerSecond)
        var rows: [Row] = []

        progress("timer ticks")
        // Nothing due: every warning is due an hour less 20% after its conversation arrived.
        let quiet = lastArrival
        let quietTick = try await mean(options.rounds) { _ = try await store.fireDueClockTimers(now: quiet, limit: 200) }
        let dueRead = "SELECT conversation_id, clock FROM clock_timers WHERE due_at <= ? ORDER BY due_at LIMIT 200"
        let quietRead = try await mean(options.rounds) {
            _ = try raw.read { db in try Row_.fetchAll(db, sql: dueRead, arguments: [quiet.timeIntervalSince1970]) }
        }
        rows.append(Row(name: "timer tick, nothing due", value: quietTick, baseline: quietRead, baselineName: "indexed read of due timers", unit: "ms"))

        // Some due: each tick moves on by the arrivals of `duePerTick` conversations, whose warnings it records.
        let firstWarning = start.addingTimeInterval(2_880)
        let step = Double(options.duePerTick) / arrivalsPerSecond
        var fired = 0
        var tickTimes: [Double] = [], readTimes: [Double] = []
        // A first tick takes the first warning; the measured ones each take one step more. Ticks fall halfway
        // between two arrivals' warnings, so that each takes exactly `duePerTick`.
        let base = firstWarning.addingTimeInterval(0.5 / arrivalsPerSecond)
        _ = try await store.fireDueClockTimers(now: base, limit: 10_000)
        for tick in 1...options.ticks {
            let now = base.addingTimeInterval(Double(tick) * step)
            let before = ContinuousClock.now
            let previous = now.addingTimeInterval(-step)
            let read = try await raw.read { db in
                try Row_.fetchAll(db, sql: "SELECT conversation_id, clock FROM clock_timers WHERE due_at > ? AND due_at <= ? ORDER BY due_at LIMIT 200",
                    arguments: [previous.timeIntervalSince1970, now.timeIntervalSince1970]).count
            }
            readTimes.append((ContinuousClock.now - before).inSeconds * 1_000)
            let started = ContinuousClock.now
            fired += try await store.fireDueClockTimers(now: now, limit: 200).count
            tickTimes.append((ContinuousClock.now - started).inSeconds * 1_000)
            _ = read
        }
        rows.append(Row(
            name: "timer tick, \(fired / max(1, options.ticks)) warnings due", value: tickTimes.reduce(0, +) / Double(tickTimes.count),
            baseline: readTimes.reduce(0, +) / Double(readTimes.count), baselineName: "indexed read of the same timers", unit: "ms"))

        progress("queue pages")
        let queue = "q\(options.queues / 2)"
        let listing = QueueListing(queue: queue, limit: 50, now: quiet)
        let page = try await store.queuePage(listing)
        let ids = page.entries.map(\.conversation.id)
        let pageTime = try await mean(options.rounds) { _ = try await store.queuePage(listing) }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let plainPage = try await mean(options.rounds) {
            _ = try await raw.read { db in
                let conversations = try Row_.fetchAll(db, sql: "SELECT * FROM conversations WHERE id IN (\(placeholders))", arguments: StatementArguments(ids))
                let logs = try Row_.fetchAll(
                    db, sql: "SELECT * FROM clock_events WHERE conversation_id IN (\(placeholders)) ORDER BY conversation_id, seq",
                    arguments: StatementArguments(ids))
                return conversations.count + logs.count
            }
        }
        rows.append(Row(
            name: "first page (50) of a \(options.conversations / options.queues)-conversation queue, with clocks", value: pageTime,
            baseline: plainPage, baselineName: "the same 50 rows and their clock logs by primary key", unit: "ms"))

        progress("queue counts")
        let countsTime = try await mean(max(1, options.rounds / 10)) { _ = try await store.queueSummaries(now: quiet, sources: nil) }
        let plainCounts = try await mean(max(1, options.rounds / 10)) {
            _ = try raw.read { db in
                try Row_.fetchAll(db, sql: "SELECT queue, COUNT(*) FROM conversations WHERE state NOT IN ('resolved', 'closed') GROUP BY queue")
            }
        }
        rows.append(Row(
            name: "queue counts (GET /v1/queues, the gauges) over all open", value: countsTime, baseline: plainCounts,
            baselineName: "open conversations counted by queue", unit: "ms"))

        progress("claims")
        let claimQueue = "q0"
        let claimed = Counter()
        let claimSeconds = try await concurrently(options.agents) { agent in
            while claimed.next() <= options.claims {
                _ = try await store.claimNext(
                    queue: claimQueue, actor: LifecycleActor(id: "agent-\(agent)", role: .agent), maxOpen: nil, sources: nil, at: quiet,
                    idempotencyKey: nil)
            }
        }
        let claimRate = Double(options.claims) / claimSeconds
        // The baseline: the same number of one-row write transactions, by as many writers.
        let written = Counter()
        let updateIDs = ids
        let writeSeconds = try await concurrently(options.agents) { _ in
            while true {
                let index = written.next()
                guard index <= options.claims else { break }
                try await raw.write { db in
                    try db.execute(
                        sql: "UPDATE conversations SET updated_at = updated_at WHERE id = ?", arguments: [updateIDs[index % max(1, updateIDs.count)]])
                }
            }
        }
        rows.append(Row(
            name: "claims by \(options.agents) concurrent agents", value: claimRate, baseline: Double(options.claims) / writeSeconds,
            baselineName: "one-row write transactions, as many writers", unit: "/s"))

        return Report(conversations: options.conversations, queueSize: options.conversations / options.queues, clockTimers: timers, seedSeconds: seedSeconds, rows: rows)
    }

    private typealias Row_ = GRDB.Row

    /// Stores the conversations through the store's batched ingest, a thousand per transaction.
    static func seed(_ store: SQLiteMessageStore, _ options: Options) async throws {
        var batch: [SQLiteMessageStore.PreparedIngest] = []
        for index in 0..<options.conversations {
            let at = start.addingTimeInterval(Double(index) / arrivalsPerSecond)
            let route = RouteDecision(
                routeID: "bench", fired: [], queue: "q\(index % options.queues)", priority: 3, slaPolicy: "bench", autoReply: nil)
            let classification = Classification(
                rulesVersion: "bench", language: "en", customerTier: .ordinary, urgency: .normal, urgencyScore: 0, sentiment: .neutral,
                sentimentScore: 0, matches: [], route: route)
            let inbound = InboundMessage(
                channel: .webhook, source: "bench", externalID: "bench-\(index)", sender: "customer\(index)@example.com",
                text: "where is my order \(index)", receivedAt: at)
            batch.append(store.prepare(IngestRequest(
                inbound: inbound, classification: classification, slaDueAt: at.addingTimeInterval(3_600),
                newConversationID: Identifier.make("conv", at: at), autoReply: nil)))
            if batch.count == 1_000 || index == options.conversations - 1 {
                for result in try await store.ingest(prepared: batch) { _ = try result.get() }
                batch.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The mean time of `rounds` calls, in milliseconds.
    static func mean(_ rounds: Int, _ body: () async throws -> Void) async throws -> Double {
        try await body()
        let started = ContinuousClock.now
        for _ in 0..<rounds { try await body() }
        return (ContinuousClock.now - started).inSeconds * 1_000 / Double(max(1, rounds))
    }

    /// Runs `body` on `workers` concurrent tasks; the seconds until all are done.
    static func concurrently(_ workers: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers { group.addTask { try await body(worker) } }
            try await group.waitForAll()
        }
        return (ContinuousClock.now - started).inSeconds
    }

    /// Hands out 1, 2, 3… to concurrent workers.
    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { $0 += 1; return $0 } }
    }
}
