import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

/// Waits on the customer that were given an end: when it comes without their answer, the lifecycle table
/// moves the conversation back to its agent, written as any transition is.
extension SQLiteMessageStore {
    public func endDueWaits(now: Date, limit: Int) async throws -> [Conversation] {
        let (clocks, notifications) = (clockRules, notificationRules)
        return try await pool.write { db in
            let due = try String.fetchAll(
                db, sql: """
                    SELECT id FROM conversations WHERE state = 'waiting_on_customer' AND wait_until <= ?
                    ORDER BY wait_until LIMIT ?
                    """,
                arguments: [now.timeIntervalSince1970, limit])
            var moved: [Conversation] = []
            for id in due {
                guard let conversation = try Self.conversation(db, id: id) else { continue }
                guard let ended = try Self.applyAsGateway(
                    db, .waitEnded, to: conversation, reason: "the wait on the customer ended without their answer", at: now,
                    clocks: clocks, notifications: notifications)
                else {
                    try db.execute(sql: "UPDATE conversations SET wait_until = NULL WHERE id = ?", arguments: [id])
                    continue
                }
                moved.append(ended)
            }
            return moved
        }
    }
}
