import Foundation
import SwitchboardCore

/// A clock's fulfilment as the store logged it, with the clock's log up to and including it: what the
/// service metrics observe (``FulfilledClockFeed``).
public struct FulfilledClock: Sendable, Equatable {
    /// The fulfilment's position in the store's clock logs (increasing in the order written).
    public var sequence: Int64
    public var conversationID: String
    /// The conversation's queue when the fulfilment was read.
    public var queue: String
    public var kind: ClockKind
    /// The clock's log up to and including the fulfilment, in the order written.
    public var log: [ClockEvent]

    public init(sequence: Int64, conversationID: String, queue: String, kind: ClockKind, log: [ClockEvent]) {
        self.sequence = sequence
        self.conversationID = conversationID
        self.queue = queue
        self.kind = kind
        self.log = log
    }

    /// The counted time of the count this fulfilment ended (working time on a business calendar, paused
    /// time left out, as ``ServiceClock`` counts it); nil when the entry fulfilled nothing (a count that
    /// had ended already).
    public func countedSeconds(workingTime: (String?) -> any WorkingTime) -> Double? {
        guard let last = log.last, last.action == .fulfilled else { return nil }
        // Judged once every entry is in, even one stamped after the fulfilment (a store's clock that
        // stepped back): ServiceClock counts such an entry at the time of the one before it.
        let when = log.map(\.at).max() ?? last.at
        let earlier = ServiceClock(kind: kind, log: Array(log.dropLast())).state(at: when, workingTime: workingTime)
        guard earlier?.fulfilledAt == nil,
              let state = ServiceClock(kind: kind, log: log).state(at: when, workingTime: workingTime),
              state.fulfilledAt != nil else { return nil }
        return state.elapsed
    }
}
