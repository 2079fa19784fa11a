import PostgresNIO
import Synchronization

/// Passes a pooled connection from the task that leased it to the task that uses it, so the user can stop
/// waiting for a lease after a deadline.
///
/// A ``PostgresClient`` that cannot reach its server keeps lease requests waiting until its circuit breaker
/// trips, about a minute later; a customer's system waiting that long for an answer times out and learns
/// nothing. The store leases in a child task instead and waits for the handoff at most its deadline, then
/// answers that the database is unavailable (and the HTTP layer `503` with `Retry-After`).
final class ConnectionHandoff: Sendable {
    private enum State {
        case waiting
        case delivered(PostgresConnection)
        case failed(any Error)
        case gaveUp
    }

    private struct Inner {
        var state = State.waiting
        var taker: CheckedContinuation<Result<PostgresConnection, any Error>?, Never>?
        var released = false
        var releaser: CheckedContinuation<Void, Never>?
    }

    private let inner = Mutex(Inner())

    /// The lease holder hands the connection over; false when the user gave up already (release it at once).
    func deliver(_ connection: PostgresConnection) -> Bool {
        settle(.delivered(connection))
    }

    /// The lease holder could not lease: the user learns why at once.
    func fail(_ error: any Error) {
        _ = settle(.failed(error))
    }

    /// The deadline passed: a user still waiting stops, and a connection delivered later goes straight back.
    func timeOut() {
        _ = settle(.gaveUp)
    }

    private func settle(_ outcome: State) -> Bool {
        let (settled, taker) = inner.withLock { inner -> (Bool, CheckedContinuation<Result<PostgresConnection, any Error>?, Never>?) in
            guard case .waiting = inner.state else { return (false, nil) }
            inner.state = outcome
            defer { inner.taker = nil }
            return (true, inner.taker)
        }
        taker?.resume(returning: Self.result(outcome))
        return settled
    }

    private static func result(_ state: State) -> Result<PostgresConnection, any Error>? {
        switch state {
        case .waiting, .gaveUp: nil
        case let .delivered(connection): .success(connection)
        case let .failed(error): .failure(error)
        }
    }

    /// The connection, the lease's error, or nil when the deadline passed first.
    func connection() async -> Result<PostgresConnection, any Error>? {
        await withCheckedContinuation { continuation in
            let settled: State? = inner.withLock { inner in
                guard case .waiting = inner.state else { return inner.state }
                inner.taker = continuation
                return nil
            }
            if let settled { continuation.resume(returning: Self.result(settled)) }
        }
    }

    /// The lease holder waits here until the user is done with the connection.
    func waitForRelease() async {
        await withCheckedContinuation { continuation in
            let done = inner.withLock { inner in
                if inner.released { return true }
                inner.releaser = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// The connection the user holds and has not released yet; nil before the handoff or after the release.
    func unreleasedConnection() -> PostgresConnection? {
        inner.withLock { inner in
            guard !inner.released, case let .delivered(connection) = inner.state else { return nil }
            return connection
        }
    }

    /// The user is done: the lease holder returns the connection to the pool.
    func release() {
        let releaser = inner.withLock { inner in
            inner.released = true
            defer { inner.releaser = nil }
            return inner.releaser
        }
        releaser?.resume()
    }
}
