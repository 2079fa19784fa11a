import GRDB
import Synchronization
import StoreSupport
import SwitchboardCore

/// Shares reader accesses between concurrent intake reads. Every inbound message reads its facts before
/// classification, and each access to a reader (taking one from the pool, hopping to its queue and back)
/// cost more than the two index lookups it made. The first caller takes a reader and, while it holds it,
/// also answers whoever queued up meanwhile; nobody waits on a timer.
final class IntakeReadBatcher: Sendable {
    typealias Read = @Sendable (Database) throws -> IntakeFacts

    private struct Waiting {
        var read: Read
        /// Resumed with nil when the reader was let go before this read was taken: the caller reads itself.
        var continuation: CheckedContinuation<IntakeFacts?, any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        var reading = false
    }

    private let state = Mutex(State())

    /// Runs `read` on a reader, sharing the access with reads that arrive while it is held.
    func facts(_ pool: DatabasePool, _ read: @escaping Read) async throws -> IntakeFacts {
        let leads = state.withLock { state -> Bool in
            if state.reading { return false }
            state.reading = true
            return true
        }
        if !leads {
            let queued = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<IntakeFacts?, any Error>) in
                let waiting = state.withLock { state -> Bool in
                    guard state.reading else { return false }
                    state.queue.append(Waiting(read: read, continuation: continuation))
                    return true
                }
                // The holder let go between the two looks: this caller reads for itself.
                if !waiting { continuation.resume(returning: nil) }
            }
            if let queued { return queued }
            return try await facts(pool, read)
        }
        let own: Result<IntakeFacts, any Error>
        do {
            own = try await pool.unsafeRead { db in
                let own = Result { try read(db) }
                // Bounded, so the caller that took the reader is answered even while reads keep arriving.
                for _ in 0..<Self.maxPasses {
                    guard let batch = self.take() else { return own }
                    for waiting in batch { waiting.continuation.resume(with: Result { try waiting.read(db) }.map(Optional.some)) }
                }
                self.handBack()
                return own
            }
        } catch {
            // This caller's access failed (cancelled, or no reader to be had); those queued behind it are
            // not told its error but read for themselves.
            handBack()
            throw error
        }
        return try own.get()
    }

    /// How many times the caller holding the reader takes what queued up before letting go.
    static let maxPasses = 8

    /// Lets go of the reader; whoever is still queued reads for themselves (one of them takes it next).
    private func handBack() {
        let queued = state.withLock { state -> [Waiting] in
            state.reading = false
            defer { state.queue.removeAll() }
            return state.queue
        }
        for waiting in queued { waiting.continuation.resume(returning: nil) }
    }

    /// The reads queued so far, or nil (and the reader let go) when none are.
    private func take() -> [Waiting]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.reading = false
                return nil
            }
            defer { state.queue.removeAll(keepingCapacity: true) }
            return state.queue
        }
    }
}
