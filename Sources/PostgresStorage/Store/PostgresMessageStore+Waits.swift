import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

/// Waits on the customer that were given an end: when it comes without their answer, the lifecycle table
/// moves the conversation back to its agent, written as any transition is.
extension PostgresMessageStore {
    /// Ends the waits due by `now`, at most `limit`, and returns the conversations that moved.
    public func endDueWaits(now: Date, limit: Int) async throws -> [Conversation] {
        let (clocks, notifications) = (clockRules, notificationRules)
        return try await write { db in
            let due = try await db.column("""
                SELECT id FROM conversations WHERE state = 'waiting_on_customer' AND wait_until <= \(now.timeIntervalSince1970)
                ORDER BY wait_until LIMIT \(limit)
                """, as: String.self)
            var moved: [Conversation] = []
            for id in due {
                guard let conversation = try await Self.conversation(db, id: id) else { continue }
                guard let ended = try await Self.applyAsGateway(
                    db, .waitEnded, to: conversation, reason: "the wait on the customer ended without their answer", at: now,
                    clocks: clocks, notifications: notifications)
                else {
                    try await db.execute("UPDATE conversations SET wait_until = NULL WHERE id = \(id)")
                    continue
                }
                moved.append(ended)
            }
            return moved
        }
    }
}
