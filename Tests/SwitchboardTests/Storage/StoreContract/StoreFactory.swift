import Foundation
import Conversations
import SwitchboardCore
import Testing

/// Makes a fresh, empty store for one contract test. Every store the gateway can run on is listed in
/// ``all``, and ``StoreContractTests`` runs each of its tests against each of them.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    /// Names the store in test output.
    var name: String
    var make: @Sendable () async throws -> StoreUnderTest

    var testDescription: String { name }

    /// The stores the contract runs against; another store is one more line here.
    static let all: [StoreFactory] = [.sqlite, .postgres]
}

/// A store under test, with the little a test needs that no role protocol offers.
struct StoreUnderTest: Sendable {
    let store: any MessageStore
    /// The same store in its lifecycle role (agents' actions).
    let lifecycle: any LifecycleStore
    /// The same store in its SLA timer role.
    let timers: any ClockTimerStore
    /// The same store as the service report and the service-time histograms read it.
    let reports: any ServiceReportStore & FulfilledClockFeed
    /// Puts a conversation in a state directly. Agents resolve and close conversations outside the store's
    /// roles today, but what a resolved or closed conversation does to intake is part of the contract.
    let setState: @Sendable (_ conversationID: String, _ state: ConversationState) async throws -> Void
    /// Writes a survey row as it stands (scheduled, or answered with its score). The gateway schedules and
    /// answers surveys through the survey role; the reports only read the rows, whoever wrote them.
    let insertSurvey: @Sendable (_ survey: Survey) async throws -> Void
    /// Appends an audit event to a conversation's timeline as the store writes it, for events written by
    /// roles a test does not drive (a follow-up's `follow_up_opened`).
    let insertEvent: @Sendable (_ conversationID: String, _ kind: String, _ at: Date) async throws -> Void
    /// Removes what the store left behind (its files, its database).
    let remove: @Sendable () async throws -> Void
}

extension StoreFactory {
    /// Runs `body` against a fresh store from `factory`, removing the store afterwards.
    static func run(_ factory: StoreFactory, _ body: (StoreUnderTest) async throws -> Void) async throws {
        let subject = try await factory.make()
        do {
            try await body(subject)
        } catch {
            try? await subject.remove()
            throw error
        }
        try await subject.remove()
    }
}
