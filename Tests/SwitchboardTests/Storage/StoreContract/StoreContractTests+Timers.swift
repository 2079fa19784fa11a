import Conversations
import Foundation
import Logging
import Metrics
import Pipeline
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// The SLA timers: each warning and breach recorded once, at its instant or at once after downtime,
    /// whoever asks and however often.
    @Suite("SLA timers")
    struct Timers {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle

        @Test("a warning at 80% of the target and a breach at the deadline, each recorded once with its audit event", arguments: StoreFactory.all)
        func warnThenBreach(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, timers) = (subject.store, subject.timers)
                let id = try await L.conversation(store, "late@example.com", minute: 0, due: 60)
                // first_response: 60 minutes, warned 20% before (minute 48); resolution: 8 hours.
                #expect(try await timers.nextClockTimer() == R.at(minute: 48))
                #expect(try await timers.fireDueClockTimers(now: R.at(minute: 47), limit: 10).isEmpty)

                let warned = try await timers.fireDueClockTimers(now: R.at(minute: 48), limit: 10)
                #expect(warned == [ClockTimerFiring(
                    conversationID: id, clock: .firstResponse, event: .warned, policy: "standard", dueAt: R.at(minute: 60), at: R.at(minute: 48))])
                #expect(try await timers.fireDueClockTimers(now: R.at(minute: 50), limit: 10).isEmpty)
                #expect(try await timers.nextClockTimer() == R.at(minute: 60))

                #expect(try await store.conversation(id: id)?.queue == "general")
                let breached = try await timers.fireDueClockTimers(now: R.at(minute: 61), limit: 10)
                #expect(breached.map(\.event) == [.breached])
                // The policy's on_breach, in the same transaction: escalated to its queue and priority by the gateway.
                let escalated = try #require(try await store.conversation(id: id))
                #expect(escalated.state == .escalated && escalated.queue == "escalations" && escalated.priority == 2)
                #expect(try await timers.fireDueClockTimers(now: R.at(minute: 90), limit: 10).isEmpty)
                // What is left is the resolution clock's warning.
                #expect(try await timers.nextClockTimer() == R.at(minute: 384))

                let events = try #require(try await store.conversationDetail(id: id, page: ConversationDetailPage())).events
                #expect(events.filter { $0.kind.hasPrefix("sla_") }.map { "\($0.kind) \($0.detail["clock"] ?? "")" }
                    == ["sla_warning first_response", "sla_breached first_response"])
                #expect(Self.names(try await subject.lifecycle.clockLogs(conversationID: id))["first_response"] == ["started", "warned", "breached"])
                let escalation = try #require(events.first { $0.kind == "escalated" })
                #expect(escalation.actor == "sla-timer" && escalation.detail["reason"] == "SLA breached: first_response")
                #expect(escalation.detail["level"] == "2" && escalation.detail["queue"] == "escalations")
            }
        }

        @Test("after downtime the missed warning fires before its breach, in one call; a fulfilled or paused clock fires nothing", arguments: StoreFactory.all)
        func downtimeAndQuietClocks(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, timers, lifecycle) = (subject.store, subject.timers, subject.lifecycle)
                let missed = try await L.conversation(store, "missed@example.com", minute: 0)
                let answered = try await L.conversation(store, "answered@example.com", minute: 0)
                _ = try await lifecycle.perform(L.command(answered, .claim, by: L.ana, minute: 1))
                _ = try await lifecycle.perform(L.command(answered, .resolve, by: L.ana, reason: "done", minute: 2))
                let waiting = try await L.conversation(store, "waiting@example.com", minute: 0)
                _ = try await lifecycle.perform(L.command(waiting, .claim, by: L.ana, minute: 1))
                _ = try await lifecycle.perform(L.command(waiting, .wait(until: nil), by: L.ana, minute: 2))

                let fired = try await timers.fireDueClockTimers(now: R.at(minute: 100), limit: 50)
                #expect(fired.map { "\($0.conversationID == missed) \($0.clock.rawValue) \($0.event.rawValue)" }
                    == ["true first_response warned", "true first_response breached"])
                #expect(try await timers.fireDueClockTimers(now: R.at(minute: 100), limit: 50).isEmpty)
            }
        }

        @Test("two timer services racing record each event once", arguments: StoreFactory.all)
        func racing(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, timers) = (subject.store, subject.timers)
                for index in 0..<20 { _ = try await L.conversation(store, "race\(index)@example.com", minute: Double(index) / 10) }
                let all = await withTaskGroup(of: [ClockTimerFiring].self) { group in
                    for _ in 0..<4 { group.addTask { (try? await timers.fireDueClockTimers(now: R.at(minute: 70), limit: 7)) ?? [] } }
                    for _ in 0..<4 { group.addTask { (try? await timers.fireDueClockTimers(now: R.at(minute: 70), limit: 100)) ?? [] } }
                    var all: [ClockTimerFiring] = []
                    for await firings in group { all += firings }
                    return all
                }
                #expect(all.count == 40)
                #expect(Set(all.map { "\($0.conversationID) \($0.event)" }).count == 40)
            }
        }

        @Test("the timer service fires what is due at its own clock's time")
        func service() async throws {
            try await StoreFactory.run(.sqlite) { subject in
                let id = try await L.conversation(subject.store, "svc@example.com", minute: 0)
                let now = ManualTime(R.at(minute: 10))
                let service = ClockTimerService(
                    store: subject.timers, now: { now.value }, logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance)
                #expect(try await service.tick().isEmpty)
                now.value = R.at(minute: 49)
                #expect(try await service.tick().map { $0.event } == [ClockTimerFiring.Event.warned])
                now.value = R.at(minute: 61)
                let breached = try await service.tick()
                #expect(breached.map(\.conversationID) == [id] && breached.map { $0.event } == [ClockTimerFiring.Event.breached])
            }
        }

        static func names(_ logs: [ClockKind: [ClockEvent]]) -> [String: [String]] {
            Dictionary(uniqueKeysWithValues: logs.map { ($0.key.rawValue, $0.value.map(\.action.name)) })
        }
    }
}

/// A clock a test sets by hand.
final class ManualTime: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    /// Wednesday 25 November 2026, 10:00 in Beijing: inside the shipped `cn-support` hours. End-to-end
    /// tests on the shipped rules start here, because those rules route by the time of day (after hours,
    /// a negative message goes to `on-call`), and a test started from the wall clock would route
    /// differently at 18:05 than at 10:00.
    static let workingMorning = Date(timeIntervalSince1970: 1_795_572_000)

    var value: Date {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}
