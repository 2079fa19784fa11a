import Conversations
import Foundation
import SwitchboardCore

// What pgC's part calls from other parts, so it compiles alone; deleted at the merge.
extension PostgresMessageStore {
    static func withdrawSurveys(_ db: PostgresTransaction, conversationID: String, at: Date) async throws {
        fatalError("stub")
    }

    static func scheduleSurvey(
        _ db: PostgresTransaction, _ scheduled: ScheduledSurvey, conversation: Conversation, actor: String, at: Date
    ) async throws {
        fatalError("stub")
    }

    static func openFollowUpTask(
        _ db: PostgresTransaction, conversationID: String, state: ClockState, at: Date, clocks: any ClockRules
    ) async throws {
        fatalError("stub")
    }

    public func endDueWaits(now: Date, limit: Int) async throws -> [Conversation] {
        fatalError("stub")
    }
}
