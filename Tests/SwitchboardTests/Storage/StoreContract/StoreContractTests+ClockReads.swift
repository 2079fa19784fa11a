import Conversations
import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// What the clocks show right after an action, read at the action's own instant.
    @Suite("Clocks read at the instant of a change")
    struct ClockReads {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle

        /// An instant that a store keeping seconds since 1970 reads back a hair later than it was written.
        static func awkwardInstant() throws -> Date {
            for step in 0..<10_000 {
                let candidate = Date(timeIntervalSinceReferenceDate: R.start.timeIntervalSinceReferenceDate + 60.123_456_7 + Double(step) * 0.013_7)
                let stored = Date(timeIntervalSince1970: candidate.timeIntervalSince1970)
                if stored > candidate { return candidate }
            }
            Issue.record("no instant reads back later than written")
            throw CancellationError()
        }

        @Test("a wait shows its paused clocks when read at the instant it was taken, whatever the instant's rounding", arguments: StoreFactory.all)
        func pauseShowsAtOnce(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let at = try Self.awkwardInstant()
                let id = try await store.ingest(R.request(R.inbound("hair@example.com", minute: 0, externalID: "hair"))).conversationID
                let start = R.at(minute: 0)
                let offset = at.timeIntervalSince(start)
                #expect(offset > 0)
                _ = try await lifecycle.perform(LifecycleCommand(conversationID: id, action: .claim, actor: L.ana, at: at))
                _ = try await lifecycle.perform(LifecycleCommand(conversationID: id, action: .wait(until: nil), actor: L.ana, at: at))
                let clocks = try await store.clocks(conversationID: id, at: at)
                #expect(clocks.first { $0.kind == .resolution }?.status == .paused)
            }
        }
    }
}
