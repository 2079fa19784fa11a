import Foundation
import SwitchboardCore

extension NotificationEvent {
    /// What an `approval.requested` or `approval.expired` notification says of the held reply: never its
    /// text nor the customer's address.
    public struct Approval: Sendable, Equatable {
        public var outboxID: String
        /// `CNY 800.00`.
        public var amount: String
        /// The agent (token id) who wrote the reply.
        public var author: String
        public var expiresAt: Date

        public init(outboxID: String, amount: String, author: String, expiresAt: Date) {
            self.outboxID = outboxID
            self.amount = amount
            self.author = author
            self.expiresAt = expiresAt
        }
    }

    /// The notification of a reply held for approval (`approval.requested`) or expired without a decision
    /// (`approval.expired`); nil for an entry without a hold.
    public init?(_ kind: Kind, heldReply entry: OutboxEntry, conversation: Conversation, actor: String, at: Date) {
        guard let hold = entry.approval else { return nil }
        self.init(
            kind: kind, conversation: conversation, at: at, actor: actor, reason: hold.reason.rawValue,
            approval: Approval(outboxID: entry.id, amount: hold.amount, author: entry.author, expiresAt: hold.expiresAt))
    }
}
