import GRDB
import Logging
import ServiceLifecycle

/// Copies committed pages from the write-ahead log into the database file, often and in small steps, on a
/// connection of its own.
///
/// Left to itself, SQLite checkpoints on the writer, inside the commit that pushed the log past 1,000 pages:
/// that commit (and every message waiting behind it for the single writer) then also writes about 4 MB into
/// the database file and syncs it. Under load that happened every few dozen commits and set the tail of
/// ingest latency. A passive checkpoint on another connection runs beside the writer rather than in front
/// of it, and checkpointing every few milliseconds keeps each sync of the database file small.
///
/// The log is reused from its start only when a new write begins with every frame copied, which a checkpoint
/// running beside a busy writer never sees: new frames land while it copies. So once the log is long and a
/// passive pass has caught up, a restarting checkpoint copies the few frames left while holding the writer
/// off (at most a few milliseconds) and lets the next write start the log over.
///
/// While this service runs, the writer's own checkpoint threshold is raised, not removed: should this
/// service fall behind, the writer still bounds the log. The default threshold returns when it stops.
public struct SQLiteCheckpointService: Service {
    private let store: SQLiteMessageStore
    private let interval: Duration
    private let idleInterval: Duration
    private let logger: Logger

    /// The writer's checkpoint threshold, in pages, while this service runs.
    static let backstopPages = 16_384
    /// The log's length, in frames, from which a checkpoint that caught up also restarts it.
    static let restartFrames = 4_096
    /// SQLite's default threshold, restored when the service stops.
    static let defaultPages = 1_000

    /// - Parameters:
    ///   - interval: the pause after a checkpoint that copied pages.
    ///   - idleInterval: the longest pause, reached by doubling while checkpoints find nothing to copy, so an
    ///     idle gateway does not wake a hundred times a second.
    public init(store: SQLiteMessageStore, interval: Duration = .milliseconds(10), idleInterval: Duration = .milliseconds(200), logger: Logger) {
        self.store = store
        self.interval = interval
        self.idleInterval = max(interval, idleInterval)
        self.logger = logger
    }

    public func run() async throws {
        var configuration = Configuration()
        configuration.label = "switchboard.checkpoint"
        // A restart waits this long at most for the writer's current transaction and for readers to move on,
        // holding the writer off meanwhile: it looks often, so it lets go soon after they are done.
        configuration.busyMode = SQLiteMessageStore.polling(every: 100, for: .milliseconds(5))
        configuration.prepareDatabase { db in
            // The checkpointing connection decides whether the database file is synced after the copy.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let connection: DatabaseQueue
        do {
            connection = try DatabaseQueue(path: store.path, configuration: configuration)
            try await store.setWriterCheckpointThreshold(pages: Self.backstopPages)
        } catch {
            // The writer still checkpoints on its own: slower under load, but nothing is at risk, so the
            // gateway keeps running rather than stopping over it.
            logger.error("checkpoints stay on the writer: no connection of their own", metadata: ["storage.error": "\(Self.code(error))"])
            try? await gracefulShutdown()
            return
        }
        logger.debug("checkpointing the write-ahead log beside the writer", metadata: ["storage.path": "\(store.path)"])

        var pause = interval
        // SQLite reports the log's size and how much of it is copied, not what one call did: the log moved
        // when either changed.
        var last = (walFrameCount: -1, checkpointedFrameCount: -1)
        var failing = false
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let restartFrames = Self.restartFrames
                let now = try await connection.writeWithoutTransaction { db in
                    let passive = try db.checkpoint(.passive)
                    guard passive.walFrameCount >= restartFrames, passive.checkpointedFrameCount == passive.walFrameCount else { return passive }
                    return (try? db.checkpoint(.restart)) ?? passive
                }
                pause = now != last ? interval : min(pause * 2, idleInterval)
                last = now
                if failing { logger.notice("checkpoints resumed") }
                failing = false
            } catch {
                // Passive checkpoints neither wait for nor block anyone; a failure is an I/O problem the
                // writer's next commit will meet too. The writer's threshold still bounds the log meanwhile.
                if !failing { logger.warning("checkpoint failed; retrying", metadata: ["storage.error": "\(Self.code(error))"]) }
                failing = true
                pause = idleInterval
            }
            let sleep = pause
            let paused: Void? = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: sleep) }
            if paused == nil { break }
        }
        // Shutting down: the writer checkpoints on its own again, and what the log holds is copied now.
        try? await store.setWriterCheckpointThreshold(pages: Self.defaultPages)
        _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    /// SQLite's result code and name; never the message, which can quote SQL.
    private static func code(_ error: any Error) -> String {
        (error as? DatabaseError).map { "\($0.resultCode)" } ?? "\(type(of: error))"
    }
}
