import Foundation
import Metrics
import Synchronization
import SwitchboardCore

/// The queue gauges of `/metrics`, set from one store query at each scrape:
/// `switchboard_conversations_open{queue,state}`, `switchboard_conversations_breached{queue}` and
/// `switchboard_conversations_due_soon{queue}`.
///
/// Every queue the rules name gets every open state, zero included, so a dashboard sees a queue empty
/// rather than missing; a queue that once had a series and no longer has conversations is set to zero
/// rather than left at its last value.
final class QueueGauges: Sendable {
    private let factory: any MetricsFactory
    /// The queues that have series, for setting the ones that emptied to zero.
    private let seen = Mutex<Set<String>>([])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Sets the gauges from `summaries`, with `queues` (the rules' queues) present at zero when they hold
    /// nothing.
    func record(_ summaries: [QueueSummary], queues: [String]) {
        let byQueue = Dictionary(summaries.map { ($0.queue, $0) }) { first, _ in first }
        let names = seen.withLock { seen in
            seen.formUnion(queues)
            seen.formUnion(byQueue.keys)
            return seen.sorted()
        }
        let openStates = ConversationState.allCases.filter { QueueListing.openStates.contains($0) }
        for queue in names {
            let summary = byQueue[queue]
            for state in openStates {
                Gauge(label: "switchboard_conversations_open", dimensions: [("queue", queue), ("state", state.rawValue)], factory: factory)
                    .record(summary?.openByState[state] ?? 0)
            }
            Gauge(label: "switchboard_conversations_breached", dimensions: [("queue", queue)], factory: factory).record(summary?.breached ?? 0)
            Gauge(label: "switchboard_conversations_due_soon", dimensions: [("queue", queue)], factory: factory).record(summary?.dueSoon ?? 0)
        }
    }
}
