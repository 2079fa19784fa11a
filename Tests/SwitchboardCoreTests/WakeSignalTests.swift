import SwitchboardCore
import Testing

@Suite("Wake signal")
struct WakeSignalTests {
    @Test("a signal given while nobody waits is kept, once, for the next wait")
    func pending() async {
        let signal = WakeSignal()
        signal.signal()
        signal.signal()
        #expect(await signal.wait(upTo: .seconds(3600)))
        // Only one was kept: the next wait runs to its (short) deadline.
        #expect(await signal.wait(upTo: .milliseconds(20)) == false)
    }

    @Test("a signal wakes a task waiting with a long deadline, or none")
    func wakes() async {
        for timeout: Duration? in [.seconds(3600), nil] {
            let signal = WakeSignal()
            let waiter = Task { await signal.wait(upTo: timeout) }
            // A lost signal would leave the waiter hanging: after 10 s it is cancelled and reports false.
            let guardian = Task {
                try await Task.sleep(for: .seconds(10))
                waiter.cancel()
            }
            try? await Task.sleep(for: .milliseconds(20))
            signal.signal()
            #expect(await waiter.value)
            guardian.cancel()
        }
    }

    @Test("cancelling the waiting task ends the wait, reporting no signal")
    func cancelled() async {
        let signal = WakeSignal()
        let waiter = Task { await signal.wait(upTo: nil) }
        try? await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        #expect(await waiter.value == false)
    }
}
