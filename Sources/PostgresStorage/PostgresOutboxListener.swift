import Logging
import PostgresNIO
import ServiceLifecycle

/// Wakes this gateway's idle outbox dispatcher when any gateway queues or reschedules a reply, through
/// PostgreSQL's `LISTEN`/`NOTIFY` (the outbox's trigger notifies `switchboard_outbox` at commit).
///
/// A hint only: the dispatcher still polls, so a notification lost while the listener reconnects delays a
/// reply by one poll interval at most. It listens on one connection of its own, outside the pool (a pooled
/// connection goes back after each transaction, and a `LISTEN` with it), and opens it again after any failure,
/// waiting longer each time up to 30 s.
public struct PostgresOutboxListener: Service {
    /// The channel the outbox trigger notifies.
    public static let channel = "switchboard_outbox"

    private let settings: PostgresSettings
    private let logger: Logger
    private let onNotification: @Sendable () -> Void

    /// - Parameter onNotification: called for each notification, on the listener's task; keep it short (a wake-up).
    public init(settings: PostgresSettings, logger: Logger, onNotification: @escaping @Sendable () -> Void) {
        self.settings = settings
        self.logger = logger
        self.onNotification = onNotification
    }

    public func run() async throws {
        var failures = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            do {
                try await cancelWhenGracefulShutdown { try await listenOnce() }
            } catch {
                guard !Task.isCancelled, !Task.isShuttingDownGracefully else { break }
                // A session that lasted a while was a working one: the pause starts short again.
                failures = ContinuousClock.now - started > .seconds(30) ? 1 : failures + 1
                // The first failure is worth a line; a database away for long does not flood the log.
                if failures == 1 {
                    logger.warning("outbox notifications interrupted; polling continues", metadata: ["error": "\(error)"])
                }
            }
            let pause = Duration.milliseconds(min(30_000, 250 << min(failures, 7)))
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }

    /// Connects, listens until the connection fails, and closes it.
    private func listenOnce() async throws {
        let connection = try await PostgresConnection.connect(configuration: try settings.connectionConfiguration, id: 0, logger: logger)
        do {
            try await connection.listen(on: Self.channel) { notifications in
                // Something may have been queued while no one listened.
                onNotification()
                for try await _ in notifications { onNotification() }
            }
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
