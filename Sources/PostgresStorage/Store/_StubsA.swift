import Conversations
import Foundation
import SwitchboardCore

// Helpers other parts own, declared here so this part compiles alone; deleted at the merge.
extension PostgresMessageStore {
    static func clockSummaries(_ db: PostgresTransaction, conversationID: String, at now: Date, rules: (any ClockRules)?) async throws -> [ClockSummary] {
        fatalError("stub")
    }

    static func clockStates(_ db: PostgresTransaction, conversationID: String, at: Date, rules: any ClockRules) async throws -> [ClockKind: ClockState] {
        fatalError("stub")
    }

    static func logClocks(
        _ db: PostgresTransaction, _ transition: LifecycleTransition, conversationID: String, policy: String, at: Date, rules: (any ClockRules)?
    ) async throws {
        fatalError("stub")
    }

    static func append(_ db: PostgresTransaction, conversationID: String, _ entries: [ClockPlanner.Entry], rules: any ClockRules) async throws {
        fatalError("stub")
    }

    static func withdrawSurveys(_ db: PostgresTransaction, conversationID: String, at: Date) async throws {
        fatalError("stub")
    }
}
