import Conversations
import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// A wait on the customer given an end: when it comes without their answer, the gateway moves the
    /// conversation back to its agent and the clocks run again; a wait already over ends nothing.
    @Suite("Waits that end")
    struct Waits {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle

        @Test("at its until, a wait ends by itself: in progress again, the clocks resumed, audited once; an answered wait and one without an end stay", arguments: StoreFactory.all)
        func waitEnds(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle, timers) = (subject.store, subject.lifecycle, subject.timers)
                let silent = try await L.conversation(store, "silent@example.com", minute: 0)
                let answered = try await L.conversation(store, "answered@example.com", minute: 0)
                let open = try await L.conversation(store, "open@example.com", minute: 0)
                for id in [silent, answered, open] {
                    _ = try await lifecycle.perform(L.command(id, .claim, by: L.ana, minute: 1))
                    // An agent's reply fulfils the first response; the next response then waits on the customer.
                    _ = try await lifecycle.perform(L.command(id, .wait(until: id == open ? nil : R.at(minute: 30)), by: L.ana, minute: 2))
                }
                _ = try await store.ingest(R.request(R.inbound("answered@example.com", minute: 10, externalID: "answered-10")))
                #expect(try await store.conversation(id: answered)?.state == .inProgress)

                #expect(try await timers.endDueWaits(now: R.at(minute: 29), limit: 10).isEmpty)
                let ended = try await timers.endDueWaits(now: R.at(minute: 30), limit: 10)
                #expect(ended.map(\.id) == [silent] && ended.first?.state == .inProgress && ended.first?.owner == "ana")
                #expect(try await timers.endDueWaits(now: R.at(minute: 90), limit: 10).isEmpty)
                #expect(try await store.conversation(id: open)?.state == .waitingOnCustomer)

                let events = try #require(try await store.conversationDetail(id: silent, page: ConversationDetailPage())).events
                let end = try #require(events.first { $0.kind == "wait_ended" })
                #expect(end.actor == "sla-timer" && events.filter { $0.kind == "wait_ended" }.count == 1)
                // The paused resolution clock counts again from the end of the wait.
                let resolution = try #require(try await lifecycle.clockLogs(conversationID: silent)[.resolution])
                #expect(resolution.map(\.action.name).suffix(2) == ["paused", "resumed"])
                #expect(resolution.last?.at == R.at(minute: 30))
            }
        }
    }
}
