import Conversations
import Foundation
import Logging
import PostgresNIO
import StoreSupport
import SwitchboardCore

/// The store several gateways share: one PostgreSQL database, reached through a ``PostgresClient`` pool that
/// runs as a Service in the gateway's group.
///
/// Every state change is one transaction, run `SERIALIZABLE`: the store reads a conversation, lets the domain
/// modules decide, and writes what they decided, as the SQLite store does under its single writer. Two gateways
/// deciding on the same rows at once cannot both commit; the server refuses one with a serialization failure
/// and that transaction runs again from the start, now reading what the other wrote.
public final class PostgresMessageStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// The rules the SLA clock logs are kept by; without them no clock is logged.
    let clockRules: (any ClockRules)?
    /// Who hears of warnings, breaches, escalations, assignments and resolutions; without them nobody is told.
    let notificationRules: (any NotificationRules)?
    /// This gateway's node id: who holds the deliveries it claims.
    let node: String
    /// How long a claimed delivery stays this node's: past it, the node is taken for dead and another node
    /// claims the entry again. Longer than any delivery may take.
    let deliveryLease: TimeInterval

    /// How many times a transaction the server refused for a conflict with another runs again before the
    /// refusal is thrown to the caller.
    static let conflictRetries = 100

    /// A store on `client`, which must be running and on a database ``PostgresMigrator`` has migrated.
    /// - Parameters:
    ///   - clockRules: the policies' clocks and the calendars, for the clock logs.
    ///   - notificationRules: the notifications each event queues, in the transaction that records it.
    ///   - node: this gateway's node id, recorded on the deliveries it claims.
    ///   - deliveryLease: how long a claimed delivery is this node's before another may claim it again.
    public init(
        client: PostgresClient, clockRules: (any ClockRules)? = nil, notificationRules: (any NotificationRules)? = nil,
        node: String = "gateway", deliveryLease: Duration = .seconds(40), logger: Logger
    ) {
        self.client = client
        self.node = node
        self.deliveryLease = deliveryLease.inSeconds
        self.clockRules = clockRules
        self.notificationRules = notificationRules
        self.logger = logger
    }

    static var encoder: JSONEncoder { StoredJSON.encoder }
    static var decoder: JSONDecoder { StoredJSON.decoder }

    /// Runs `body` in a serializable transaction and commits it, running it again when the server refuses it
    /// for a conflict with a concurrent one (SQLSTATE 40001, or 40P01 for a deadlock).
    func write<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL SERIALIZABLE", body)
    }

    /// Runs `body` in a transaction at `READ COMMITTED`, for statements that lock the rows they take
    /// (`FOR UPDATE SKIP LOCKED`) and so need no serializable snapshot; retried like ``write(_:)``.
    func writeLocking<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL READ COMMITTED", body)
    }

    /// Runs `body` in a read-only snapshot, so its queries agree with each other.
    func read<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// Runs `body`'s statements outside a transaction, each on a snapshot of its own: for a read whose answer is
    /// advisory, such as the facts intake reads before classifying (the ingest decides again in its
    /// transaction), where a transaction's `BEGIN` and `COMMIT` would double the round trips.
    func readEach<T: Sendable>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        do {
            return try await withConnection { connection in try await body(PostgresTransaction(connection: connection, logger: logger)) }
        } catch let error as PSQLError {
            throw PostgresStorageError(error, while: "reading from")
        }
    }

    private func transaction<T: Sendable>(_ begin: PostgresQuery, _ body: (PostgresTransaction) async throws -> T) async throws -> T {
        do {
            // A transaction run again keeps its connection: under contention it would otherwise queue for the pool
            // again after each collision, behind the transactions it collided with.
            return try await withConnection { connection in
                let transaction = PostgresTransaction(connection: connection, logger: logger)
                var attempt = 0
                while true {
                    do {
                        try await transaction.execute(begin)
                        do {
                            let result = try await body(transaction)
                            try await transaction.flushQueued()
                            try await transaction.execute("COMMIT")
                            return result
                        } catch {
                            transaction.discardQueued()
                            _ = try? await transaction.execute("ROLLBACK")
                            throw error
                        }
                    } catch where Self.isConflict(error) && attempt < Self.conflictRetries {
                        attempt += 1
                        // A short, growing, jittered pause (at most 64 ms), so the transactions that collided do not collide again.
                        try await Task.sleep(for: .microseconds(Int.random(in: 0...(1000 << min(attempt, 6)))))
                    }
                }
            }
        } catch let error as PSQLError {
            // PSQLError describes itself as nothing, to keep bound values out of logs; say what the server said.
            throw PostgresStorageError(error, while: "running a transaction on")
        }
    }

    /// How long a transaction waits for a pooled connection before the store answers that the database is
    /// unavailable, rather than wait for the pool's circuit breaker (about a minute) while the server is away.
    static let leaseTimeout: Duration = .seconds(5)

    /// The longest a transaction may hold its connection before the connection is closed under it (which fails
    /// it): far beyond any transaction the store runs, short enough that a dead connection cannot hold a caller.
    static let transactionTimeout: Duration = .seconds(120)

    /// Runs `body` on a pooled connection, leased by a child task and handed over (``ConnectionHandoff``), so the
    /// wait for it ends after ``leaseTimeout``.
    /// - Throws: ``PostgresStorageError`` (``PostgresStorageError/Code/unreachable``) when no connection came in time.
    private func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let handoff = ConnectionHandoff()
        let client = client
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await client.withConnection { connection in
                        guard handoff.deliver(connection) else { return }
                        await handoff.waitForRelease()
                    }
                } catch {
                    handoff.fail(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: Self.leaseTimeout)
                handoff.timeOut()
                // A statement whose connection died under it can wait for an answer that never comes, and hold its
                // caller (and the gateway's shutdown) forever. Closing the connection fails it: past the
                // transaction deadline, or at once when the caller is cancelled.
                try? await Task.sleep(for: Self.transactionTimeout - Self.leaseTimeout)
                if let stuck = handoff.unreleasedConnection() {
                    try? await stuck.close()
                }
            }
            defer {
                handoff.release()
                group.cancelAll()
            }
            switch await handoff.connection() {
            case let .success(connection)?: return try await body(connection)
            case let .failure(error)?: throw error
            case nil:
                throw PostgresStorageError(.unreachable, "no connection to the database within \(Self.leaseTimeout): the server is unreachable or refuses this gateway")
            }
        }
    }

    /// Whether the server refused a transaction only for a concurrent one, so running it again can succeed.
    static func isConflict(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}

extension PostgresMessageStore: MessageStore {}
