import Conversations
import Foundation
import SwitchboardCore

// TEMPORARY: what part B calls from the other parts, so it compiles alone; deleted at the merge.
extension PostgresMessageStore {
    // pgC, +Clocks
    static func logClocks(
        _ db: PostgresTransaction, _ transition: LifecycleTransition, conversationID: String, policy: String, at: Date, rules: (any ClockRules)?
    ) async throws {
        fatalError("stub")
    }

    // pgC, +Clocks
    static func append(_ db: PostgresTransaction, conversationID: String, _ entries: [ClockPlanner.Entry], rules: any ClockRules) async throws {
        fatalError("stub")
    }

    // pgC, +Clocks
    static func clockStates(_ db: PostgresTransaction, conversationID: String, at: Date, rules: any ClockRules) async throws -> [ClockKind: ClockState] {
        fatalError("stub")
    }

    // pgC, +Lifecycle
    static func applyAsGateway(
        _ db: PostgresTransaction, _ action: LifecycleAction, to conversation: Conversation, reason: String,
        placement: LifecycleCommand.Placement? = nil, at: Date, clocks: (any ClockRules)?, notifications: (any NotificationRules)?
    ) async throws -> Conversation? {
        fatalError("stub")
    }

    // pgA, +Threading
    static func recordMessageID(
        _ db: PostgresTransaction, _ messageID: String, source: String, conversationID: String, subjectKind: String, subjectID: String
    ) async throws {
        fatalError("stub")
    }

    // pgA, +Attachments
    static func replyAttachments(_ db: PostgresTransaction, outboxID: String) async throws -> [MessageAttachment] {
        fatalError("stub")
    }

    // pgA, +Queries (a `static let` there)
    static var messageColumnsWithoutRaw: String { fatalError("stub") }
}
