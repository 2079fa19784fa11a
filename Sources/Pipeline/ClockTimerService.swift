import Conversations
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SwitchboardCore

/// Fires the SLA clocks' warnings and breaches when they fall due, each exactly once (the store records
/// each in the transaction that checks it is owed, see ``ClockTimerStore``). After a restart the ones
/// missed meanwhile fire at once, the warning before its breach.
///
/// It also expires replies held for approval whose `expires_at` has come (``ApprovalStore``), on the same
/// clock.
///
/// Time comes from an injected clock, so tests move it instead of sleeping.
public final class ClockTimerService: Service {
    private let store: any ClockTimerStore
    private let approvals: (any ApprovalStore)?
    private let now: @Sendable () -> Date
    private let longestWait: Duration
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    private let wakeUp = WakeSignal()

    /// - Parameters:
    ///   - approvals: where held replies are expired; nil for none.
    ///   - now: the clock the timers run on.
    ///   - longestWait: the longest the service sleeps without looking. A change elsewhere (an escalation
    ///     to a tighter policy) can bring a deadline closer without waking it, so this bounds how late
    ///     such a deadline fires; every other one fires at its instant.
    public init(
        store: any ClockTimerStore, approvals: (any ApprovalStore)? = nil, now: @escaping @Sendable () -> Date = { Date() }, longestWait: Duration = .seconds(1),
        logger: Logger, metricsFactory: any MetricsFactory
    ) {
        self.store = store
        self.approvals = approvals
        self.now = now
        self.longestWait = longestWait
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Makes the service look at the timers now (after a change that may have made one due).
    public func wake() {
        wakeUp.signal()
    }

    /// Fires everything due at the service's `now`, in batches, ends the waits on customers whose end has
    /// come and expires the held replies whose hold is over; returns the warnings and breaches recorded.
    @discardableResult
    public func tick() async throws -> [ClockTimerFiring] {
        while true {
            let ended = try await store.endDueWaits(now: now(), limit: Self.batch)
            for conversation in ended {
                logger.info("a wait on the customer ended without their answer", metadata: ["conversation.id": "\(conversation.id)"])
            }
            if ended.count < Self.batch { break }
        }
        if let approvals {
            while true {
                let expired = try await approvals.expireApprovals(now: now(), limit: Self.batch)
                for entry in expired {
                    logger.notice("a reply held for approval expired without a decision; it will not be sent", metadata: [
                        "outbox.id": "\(entry.id)", "conversation.id": "\(entry.conversationID)",
                    ])
                    Counter(label: ReplyComposer.approvalsLabel, dimensions: [("outcome", "expired")], factory: metricsFactory).increment()
                }
                if expired.count < Self.batch { break }
            }
        }
        var all: [ClockTimerFiring] = []
        while true {
            let firings = try await store.fireDueClockTimers(now: now(), limit: Self.batch)
            for firing in firings { record(firing) }
            all += firings
            // Fewer than a batch (or nothing recorded): everything due has been looked at.
            if firings.count < Self.batch { return all }
        }
    }

    static let batch = 200

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await tick()
            } catch {
                logger.error("SLA timer scan failed", metadata: ["error.type": "\(type(of: error))", "error": "\(loggableDescription(error))"])
            }
            var wait = longestWait
            if let next = try? await store.nextClockTimer() {
                let seconds = max(0, next.timeIntervalSince(now()))
                wait = min(wait, .milliseconds(Int64((seconds * 1_000).rounded(.up))))
            }
            let timeout = wait
            _ = await cancelWhenGracefulShutdown { await self.wakeUp.wait(upTo: timeout) }
        }
    }

    private func record(_ firing: ClockTimerFiring) {
        Counter(
            label: "switchboard_sla_events_total",
            dimensions: [("policy", firing.policy), ("clock", firing.clock.rawValue), ("event", firing.event.rawValue)],
            factory: metricsFactory
        ).increment()
        let metadata: Logger.Metadata = [
            "conversation.id": "\(firing.conversationID)", "sla.clock": "\(firing.clock.rawValue)", "sla.policy": "\(firing.policy)",
            "sla.due_at": "\(firing.dueAt.map { $0.formatted(.iso8601) } ?? "-")",
        ]
        switch firing.event {
        case .warned: logger.notice("SLA deadline approaching", metadata: metadata)
        case .breached: logger.warning("SLA deadline breached", metadata: metadata)
        }
    }
}
