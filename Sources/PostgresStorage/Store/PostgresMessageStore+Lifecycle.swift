import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

extension PostgresMessageStore: LifecycleStore {
    public func perform(_ command: LifecycleCommand) async throws -> LifecycleCommandResult {
        let (clocks, notifications) = (clockRules, notificationRules)
        return try await write { db in
            if let key = command.idempotencyKey,
               let replay = try await Self.replay(db, actor: command.actor.id, key: key, fingerprint: command.fingerprint) {
                return replay
            }
            guard let conversation = try await Self.conversation(db, id: command.conversationID) else { return .notFound }
            let outcome = ConversationLifecycle.apply(command.action, to: conversation, by: command.actor, reason: command.reason)
            guard let transition = outcome.transition else {
                return outcome.refusal.map(LifecycleCommandResult.refused) ?? .notFound
            }
            let updated = try await Self.write(db, transition, to: conversation, command: command, clocks: clocks, notifications: notifications)
            return .applied(updated)
        }
    }

    /// Two agents claiming from one queue at once read the same first conversation; the serializable
    /// transaction lets one commit, and the other runs again and takes the next.
    public func claimNext(
        queue: String, actor: LifecycleActor, maxOpen: Int?, sources: Set<String>?, at: Date, idempotencyKey: String?
    ) async throws -> QueueClaimResult {
        let (clocks, notifications) = (clockRules, notificationRules)
        return try await write { db in
            if let idempotencyKey {
                switch try await Self.replay(db, actor: actor.id, key: idempotencyKey, fingerprint: "claim:\(queue)") {
                case let .replayed(conversation)?: return .claimed(conversation)
                case nil: break
                default: return .idempotencyConflict
                }
            }
            if let maxOpen {
                let open = try await db.scalar(
                    "SELECT COUNT(*) FROM conversations WHERE owner = \(actor.id) AND state NOT IN ('resolved', 'closed')",
                    as: Int.self) ?? 0
                if open >= maxOpen { return .atCapacity(open: open) }
            }
            // Earliest next deadline first (an open breach before all), none last; among equal deadlines the
            // oldest. A conversation waiting on its customer has nothing for an agent to do yet, so it is not
            // handed out. The conditions repeat those of the `conversations_claimable` index word for word.
            let sourceList = sources.map { Array($0) } ?? []
            guard let id = try await db.scalar("""
                SELECT id FROM conversations WHERE queue = \(queue) AND owner IS NULL AND state IN ('new', 'escalated')
                    AND (\(sources == nil) OR source = ANY(\(sourceList)))
                ORDER BY \(unescaped: Self.deadlineKey), created_at, id COLLATE "C" LIMIT 1
                """, as: String.self),
                let conversation = try await Self.conversation(db, id: id) else { return .empty }
            let command = LifecycleCommand(
                conversationID: id, action: .claim, actor: actor, at: at, idempotencyKey: idempotencyKey, fingerprint: "claim:\(queue)")
            guard let transition = ConversationLifecycle.apply(.claim, to: conversation, by: actor).transition else { return .empty }
            return .claimed(try await Self.write(db, transition, to: conversation, command: command, clocks: clocks, notifications: notifications))
        }
    }

    /// Applies an action the gateway takes itself (`sla-timer`: a breach's escalation, a wait's end) in the
    /// caller's transaction; nil when the table refuses it and nothing changed.
    static func applyAsGateway(
        _ db: PostgresTransaction, _ action: LifecycleAction, to conversation: Conversation, reason: String,
        placement: LifecycleCommand.Placement? = nil, at: Date, clocks: (any ClockRules)?, notifications: (any NotificationRules)?
    ) async throws -> Conversation? {
        let actor = BreachActions.actor
        guard let transition = ConversationLifecycle.apply(action, to: conversation, by: actor, reason: reason).transition else { return nil }
        return try await write(db, transition, to: conversation, command: LifecycleCommand(
            conversationID: conversation.id, action: action, actor: actor, reason: reason, placement: placement, at: at),
            clocks: clocks, notifications: notifications)
    }

    /// Writes an applied transition: the conversation's fields, its audit events, the clock entries and
    /// notifications it implies, and the idempotency record.
    static func write(
        _ db: PostgresTransaction, _ transition: LifecycleTransition, to conversation: Conversation, command: LifecycleCommand,
        clocks: (any ClockRules)?, notifications: (any NotificationRules)?
    ) async throws -> Conversation {
        var updated = transition.applied(to: conversation)
        for case .moveToEscalationQueue in transition.effects {
            if let placement = command.placement {
                updated.queue = placement.queue
                updated.slaPolicy = placement.slaPolicy
                updated.priority = min(updated.priority, placement.priority)
                updated.slaDueAt = placement.slaDueAt ?? updated.slaDueAt
            }
        }
        updated.updatedAt = command.at
        let waitUntil = updated.state == .waitingOnCustomer ? transition.waitUntil : nil
        try await db.execute("""
            UPDATE conversations SET state = \(updated.state.rawValue), owner = \(updated.owner), queue = \(updated.queue),
                priority = \(updated.priority), sla_policy = \(updated.slaPolicy), sla_due_at = \(updated.slaDueAt?.timeIntervalSince1970),
                updated_at = \(command.at.timeIntervalSince1970), wait_until = \(waitUntil?.timeIntervalSince1970),
                reopen_count = \(updated.reopenCount)
            WHERE id = \(conversation.id)
            """)
        for event in transition.events {
            var detail = event.detail
            detail["role"] = event.actor.role.rawValue
            if let reason = event.reason { detail["reason"] = reason }
            if updated.queue != conversation.queue { detail["queue"] = updated.queue }
            try await insertEvent(
                db, at: command.at, subjectKind: "conversation", subjectID: conversation.id, conversationID: conversation.id,
                kind: event.kind.rawValue, actor: event.actor.id, detail: detail)
        }
        try await logClocks(db, transition, conversationID: conversation.id, policy: updated.slaPolicy, at: command.at, rules: clocks)
        if let reply = command.reply {
            _ = try await queueReply(
                db, reply, conversationID: conversation.id, channel: conversation.channel, source: conversation.source,
                recipient: conversation.customerAddress, author: command.actor.id, at: command.at, notifications: notifications)
        }
        if transition.effects.contains(.restartClocks) {
            try await withdrawSurveys(db, conversationID: conversation.id, at: command.at)
        }
        if let survey = command.survey, updated.state == .resolved {
            try await scheduleSurvey(db, survey, conversation: updated, actor: command.actor.id, at: command.at)
        }
        try await queueNotifications(
            db, transition.events.compactMap { NotificationEvent($0, conversation: updated, at: command.at) }, rules: notifications)
        if let key = command.idempotencyKey {
            try await db.execute("""
                INSERT INTO lifecycle_requests (actor, idempotency_key, fingerprint, conversation_id, conversation, at)
                VALUES (\(command.actor.id), \(key), \(command.fingerprint), \(conversation.id), \(try json(updated)),
                    \(command.at.timeIntervalSince1970))
                """)
        }
        return updated
    }

    /// The answer to a retried action, or nil when the key is new.
    private static func replay(
        _ db: PostgresTransaction, actor: String, key: String, fingerprint: String?
    ) async throws -> LifecycleCommandResult? {
        guard let row = try await db.first(
            "SELECT fingerprint, conversation FROM lifecycle_requests WHERE actor = \(actor) AND idempotency_key = \(key)")
        else { return nil }
        guard (try row["fingerprint"] as String?) == fingerprint else { return .idempotencyConflict }
        return .replayed(try decoder.decode(Conversation.self, from: Data((try row["conversation"] as String).utf8)))
    }
}
