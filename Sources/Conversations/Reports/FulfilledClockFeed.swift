import SwitchboardCore

/// The store's side of the service-time histograms: clock fulfilments in the order they were logged, so
/// a reader can pick up after the last one it saw.
public protocol FulfilledClockFeed: Sendable {
    /// The position of the newest clock log entry; 0 when the logs are empty.
    func latestClockLogSequence() async throws -> Int64

    /// Fulfilments of the clocks `kinds` logged after position `sequence`, oldest first, at most `limit`.
    func fulfilledClocks(after sequence: Int64, kinds: Set<ClockKind>, limit: Int) async throws -> [FulfilledClock]
}
