import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a transaction that
/// returned is on disk. Every state change is one transaction.
public final class SQLiteMessageStore: MessageStore {
    let pool: DatabasePool
    let intakeReads = IntakeReadBatcher()
    /// Where the database lives.
    public let path: String

    /// The rules the SLA clock logs are kept by; without them no clock is logged.
    let clockRules: (any ClockRules)?
    /// Who hears of warnings, breaches, escalations, assignments and resolutions; without them nobody is told.
    let notificationRules: (any NotificationRules)?

    /// Opens (creating if needed) `switchboard.sqlite` under `directory` and migrates it.
    /// - Parameters:
    ///   - clockRules: the policies' clocks and the calendars, for the clock logs.
    ///   - notificationRules: the notifications each event queues, in the transaction that records it.
    public convenience init(
        directory: String, clockRules: (any ClockRules)? = nil, notificationRules: (any NotificationRules)? = nil
    ) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try self.init(
            path: (directory as NSString).appendingPathComponent("switchboard.sqlite"), clockRules: clockRules,
            notificationRules: notificationRules)
    }

    public init(path: String, clockRules: (any ClockRules)? = nil, notificationRules: (any NotificationRules)? = nil) throws {
        self.clockRules = clockRules
        self.notificationRules = notificationRules
        var configuration = Configuration()
        configuration.busyMode = Self.polling(every: 200, for: .seconds(10))
        configuration.prepareDatabase { db in
            // WAL is set by DatabasePool; FULL makes each commit durable across power loss, not just crashes.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        let addsDeadlines = try pool.read { db in try !Self.migrator.appliedIdentifiers(db).contains("v15-next-deadline") }
        try Self.migrator.migrate(pool)
        // The migration adds the deadline columns empty: fill them in by the rules, once.
        if addsDeadlines, let clockRules { try Self.refreshDeadlines(pool, rules: clockRules) }
    }

    /// Waits for a lock by trying again every `microseconds`, for `limit` in all.
    ///
    /// SQLite's own busy timeout sleeps 1, 2, 5, 10 ms and longer between tries, so a writer that meets a
    /// lock held for 3 ms (a checkpoint starting the log over) waited 8 ms, and one held 6 ms waited 18:
    /// the tail of ingest latency. Short, even sleeps take the lock within a fraction of a millisecond of
    /// its release.
    static func polling(every microseconds: UInt32, for limit: Duration) -> Database.BusyMode {
        let tries = Int(limit / .microseconds(Int64(microseconds)))
        return .callback { attempt in
            usleep(microseconds)
            return attempt < tries
        }
    }

    /// Runs SQLite's own consistency check; returns its complaints, empty when the file is sound.
    public func integrityProblems() async throws -> [String] {
        try await pool.read { db in
            let rows = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            return rows == ["ok"] ? [] : rows
        }
    }

    static var encoder: JSONEncoder { StoredJSON.encoder }
    static var decoder: JSONDecoder { StoredJSON.decoder }
}

extension SQLiteMessageStore {
    /// How many pages the write-ahead log may hold before the writer checkpoints it inside a commit.
    func setWriterCheckpointThreshold(pages: Int) async throws {
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)") }
    }

    /// The writer's checkpoint threshold, in pages.
    func writerCheckpointThreshold() async throws -> Int {
        try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 0 }
    }
}
