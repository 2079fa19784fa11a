import Conversations
import Foundation
import SwitchboardCore

/// Notifications ride the shared outbox: an entry on the `notification` channel per target, queued in the
/// transaction that records its event and held until its send time.
extension PostgresMessageStore {
    static func queueNotifications(_ db: PostgresTransaction, _ events: [NotificationEvent], rules: (any NotificationRules)?) async throws {
        guard let rules, !events.isEmpty else { return }
        for event in events {
            for planned in rules.notifications(for: event) {
                let entry = OutboxEntry(
                    id: Identifier.make("out", at: event.at), conversationID: event.conversation.id, channel: .notification,
                    source: event.conversation.source, recipient: planned.target, script: planned.kind.rawValue, body: planned.payload,
                    status: .queued, attempts: 0, nextAttemptAt: planned.notBefore, lastError: nil, automatic: true, author: "system",
                    createdAt: event.at, updatedAt: event.at)
                insertOutbox(db, entry, idempotencyKey: nil, fingerprint: nil)
                var detail = ["target": planned.target, "type": planned.kind.rawValue]
                if planned.notBefore > event.at { detail["held_until"] = planned.notBefore.formatted(.iso8601) }
                try await insertEvent(
                    db, at: event.at, subjectKind: "outbox", subjectID: entry.id, conversationID: event.conversation.id,
                    kind: "notification_queued", actor: "system", detail: detail)
            }
        }
    }
}
