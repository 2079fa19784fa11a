import Synchronization

/// The one way a long-running service waits: for a wake-up call, for a deadline, or for its task to be
/// cancelled, whichever comes first, without napping in a loop.
///
/// Wake-ups do not queue: any number of ``signal()`` calls while the service is busy leave one pending,
/// which the next ``wait(upTo:)`` returns for at once, because a service that wakes looks at all the work
/// there is. One task waits at a time (the service's own loop). Services combine it with
/// ServiceLifecycle's `cancelWhenGracefulShutdown`, so a shutdown ends the wait too.
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiting task, or the next one to wait.
    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// Returns when signalled (or a signal is pending), when `timeout` has passed (never, if nil), or when
    /// the task is cancelled.
    /// - Returns: whether it was a signal that ended the wait.
    @discardableResult
    public func wait(upTo timeout: Duration?) async -> Bool {
        if state.withLock({ state in defer { state.pending = false }; return state.pending }) { return true }
        guard let timeout else { return await nextSignal() }
        guard timeout > .zero else { return false }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.nextSignal() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            var signalled = await group.next() ?? false
            group.cancelAll()
            // A signal that lands as the deadline passes is still reported, never swallowed.
            for await result in group where result { signalled = true }
            return signalled
        }
    }

    /// Suspends until a signal arrives (true) or the task is cancelled (false).
    private func nextSignal() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                // Checked under the lock, so a cancellation either is seen here or finds the waiter stored.
                let answer = state.withLock { state -> Bool? in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return false }
                    state.waiter = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: false)
        }
    }
}
