import Attachments
import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

extension PostgresMessageStore {
    /// A request with its JSON columns encoded, and its files hashed and sniffed, before its transaction:
    /// a transaction retried for a conflict then redoes only the SQL.
    public struct PreparedIngest: Sendable {
        let request: IngestRequest
        let columns: Result<Encoded, any Error>
    }

    public func prepare(_ request: IngestRequest) -> PreparedIngest {
        PreparedIngest(request: request, columns: Self.encode(request))
    }

    public func ingest(prepared batch: [PreparedIngest]) async throws -> [Result<IngestResult, any Error>] {
        let requests = batch.map(\.request), encoded = batch.map(\.columns)
        let clocks = clockRules
        return try await write { db in try await Self.ingest(db, requests, encoded, clocks: clocks) }
    }

    private static func encode(_ request: IngestRequest) -> Result<Encoded, any Error> {
        Result {
            // Files are hashed and sniffed here, off the transaction; the metadata lists them with their ids.
            var inbound = request.inbound
            inbound.attachments = inbound.attachments.map { KeptFile.prepare($0, at: inbound.receivedAt) }
            return Encoded(
                recipients: JSONObjectWriter.array(inbound.recipients), classification: StoredJSON.classification(request.classification),
                metadata: try metadataJSON(inbound), attachments: inbound.attachments)
        }
    }

    /// Stores a batch inside the caller's transaction so that a message that fails leaves the others in,
    /// except those chained to it (``IngestRequest/followsPrevious``): a chain stops at its first failure.
    ///
    /// Almost every batch stores every message, so the whole batch first runs in one savepoint rather than
    /// one per message. Only if a message fails is that savepoint rolled back and the batch redone with a
    /// savepoint per message. A conflict with another transaction is never a message's failure: it is
    /// thrown, and the whole transaction runs again.
    ///
    /// A chain's cursor is written once, by the last of its messages that is stored, rather than by each.
    private static func ingest(
        _ db: PostgresTransaction, _ batch: [IngestRequest], _ encoded: [Result<Encoded, any Error>], clocks: (any ClockRules)?
    ) async throws -> [Result<IngestResult, any Error>] {
        // Whether a message leaves its cursor to the next one: true when the next is chained to it and moves
        // the same stream's cursor, so it writes one at least as far should it be stored.
        let defersCursor = batch.indices.map { index -> Bool in
            guard index + 1 < batch.count, batch[index + 1].followsPrevious,
                  let cursor = batch[index].inbound.cursor, let next = batch[index + 1].inbound.cursor else { return false }
            return cursor.source == next.source && cursor.stream == next.stream
        }
        if batch.count > 1, let columns = try? encoded.map({ try $0.get() }) {
            do {
                return try await db.savepoint {
                    var results: [Result<IngestResult, any Error>] = []
                    results.reserveCapacity(batch.count)
                    for index in batch.indices {
                        results.append(.success(try await ingest(
                            db, batch[index], columns[index], writesCursor: !defersCursor[index], clocks: clocks)))
                    }
                    return results
                }
            } catch {
                if isConflict(error) { throw error }
                // Redone below one message at a time, which finds the one that failed and keeps the rest.
            }
        }
        var results: [Result<IngestResult, any Error>] = []
        results.reserveCapacity(batch.count)
        // The cursor a stored message left to the next one of its chain, written should that one fail.
        var leftCursor: IntakeCursor?
        var previousFailed = false
        for (index, request) in batch.enumerated() {
            if request.followsPrevious, previousFailed {
                results.append(.failure(SwitchboardError.notAttempted))
                continue
            }
            do {
                let json = try encoded[index].get()
                let result = try await db.savepoint {
                    try await ingest(db, request, json, writesCursor: !defersCursor[index], clocks: clocks)
                }
                results.append(.success(result))
                leftCursor = defersCursor[index] ? request.inbound.cursor : nil
                previousFailed = false
            } catch {
                if isConflict(error) { throw error }
                results.append(.failure(error))
                // The chain ends before this message: its cursor stops at the last message stored.
                if let cursor = leftCursor { try await Self.advanceCursor(db, cursor, at: Date()) }
                leftCursor = nil
                previousFailed = true
            }
        }
        return results
    }

    /// Most messages (every webhook and SMS message) carry no thread hints, attachments or warnings; their
    /// metadata is one fixed document, encoded once by the same encoder as the others.
    private static let emptyMetadataJSON = try! json(StoredMessageMetadata(thread: ThreadHints(), attachments: [], warnings: []))

    private static func metadataJSON(_ inbound: InboundMessage) throws -> String {
        if inbound.thread == ThreadHints(), inbound.attachments.isEmpty, inbound.warnings.isEmpty { return emptyMetadataJSON }
        return try json(StoredMessageMetadata(thread: inbound.thread, attachments: inbound.attachments, warnings: inbound.warnings))
    }

    /// The columns of a conversation's row as intake creates it; the others keep their defaults.
    static let newConversationColumns = [
        "id", "channel", "source", "customer_address", "customer_tier", "language", "queue", "priority", "urgency", "sentiment",
        "state", "route_id", "sla_policy", "sla_due_at", "created_at", "updated_at", "inbound_count", "last_inbound_at",
        "waiting_since", "previous_conversation_id", "next_due_at", "next_warn_at",
    ]

    /// The columns of an inbound message's row.
    static let inboundMessageColumns = [
        "id", "conversation_id", "direction", "channel", "source", "external_id", "sender", "recipients", "subject", "text",
        "received_at", "raw_payload", "classification", "threaded_by", "metadata",
    ]

    /// A message's JSON columns.
    struct Encoded: Sendable {
        var recipients: String
        var classification: String
        var metadata: String
        /// The message's files with their ids and hashes; those with bytes are kept with the message.
        var attachments: [MessageAttachment]
    }

    /// Stores one message inside the caller's transaction, and moves its cursor unless told not to.
    private static func ingest(
        _ db: PostgresTransaction, _ request: IngestRequest, _ json: Encoded, writesCursor: Bool, clocks: (any ClockRules)?
    ) async throws -> IngestResult {
        let inbound = request.inbound, classification = request.classification, slaDueAt = request.slaDueAt
        let newConversationID = request.newConversationID, autoReply = request.autoReply
        let now = inbound.receivedAt
        let lookup = try await Self.intakeLookup(db, inbound)
        if let existing = lookup.duplicate {
            try await Self.insertEvent(
                db, at: Date(), subjectKind: "message", subjectID: existing.messageID,
                conversationID: existing.conversationID, kind: "deduplicated", actor: inbound.source)
            // A re-fetched copy still moves the cursor, or a mailbox would fetch it forever.
            if writesCursor, let cursor = inbound.cursor { try await Self.advanceCursor(db, cursor, at: Date()) }
            return IngestResult(
                messageID: existing.messageID, conversationID: existing.conversationID, duplicate: true,
                newConversation: false, autoReplyID: nil, threadedBy: existing.threadedBy)
        }

        let decision = classification.route
        let thread = try await Self.resolveThread(db, inbound, known: lookup.facts)
        let (open, threadedBy, refusedThreading) = (thread.joins, thread.strategy, thread.refused)

        let conversationID: String
        let isNew = open == nil
        if let current = open?.conversation {
            conversationID = current.id
            let joined = ConversationRules.join(
                current, route: decision, urgency: classification.urgency, sentiment: classification.sentiment, slaDueAt: slaDueAt)
            let conversation = joined.conversation
            if joined.rerouted {
                try await Self.insertEvent(
                    db, at: now, subjectKind: "conversation", subjectID: conversation.id, conversationID: conversation.id,
                    kind: "rerouted", actor: "system",
                    detail: ["route": decision.routeID, "queue": decision.queue, "priority": String(decision.priority)])
            }
            // What the customer's message did to the lifecycle (reopened, resumed), written as the agents'
            // actions are, with the source as the actor: the trail names no customer address.
            for event in joined.lifecycle.transition?.events ?? [] {
                try await Self.insertEvent(
                    db, at: now, subjectKind: "conversation", subjectID: conversation.id, conversationID: conversation.id,
                    kind: event.kind.rawValue, actor: inbound.source)
            }
            // The deadline the clock entries leave, written with the row below rather than by a statement of its own.
            var deadline: ConversationDeadline?
            if let transition = joined.lifecycle.transition {
                deadline = try await Self.logClocks(
                    db, transition, conversationID: conversation.id, policy: conversation.slaPolicy, at: now, rules: clocks,
                    storesDeadline: false)
                if transition.effects.contains(.restartClocks) { try await Self.withdrawSurveys(db, conversationID: conversation.id, at: now) }
            }
            // A more urgent route brought a stricter policy: the clocks count towards it from now on.
            if let clocks, conversation.slaPolicy != current.slaPolicy, let binding = clocks.binding(policy: conversation.slaPolicy) {
                let logs = try await Self.clockLogs(db, conversationID: conversation.id)
                let rebinding = ClockPlanner.rebinding(clocks: Self.states(logs, at: now, rules: clocks), to: binding, at: now)
                deadline = try await Self.append(
                    db, conversationID: conversation.id, rebinding, rules: clocks, prior: .read(logs), storesDeadline: false) ?? deadline
            }
            let at = now.timeIntervalSince1970
            try await db.execute("""
                UPDATE conversations SET queue = \(conversation.queue), priority = \(conversation.priority),
                    route_id = \(conversation.routeID), sla_policy = \(conversation.slaPolicy),
                    sla_due_at = \(conversation.slaDueAt?.timeIntervalSince1970), urgency = \(conversation.urgency.rawValue),
                    sentiment = \(conversation.sentiment.rawValue), state = \(conversation.state.rawValue),
                    reopen_count = \(conversation.reopenCount), updated_at = \(at),
                    inbound_count = inbound_count + 1, last_inbound_at = GREATEST(COALESCE(last_inbound_at, \(at)), \(at)),
                    waiting_since = COALESCE(waiting_since, \(at)),
                    next_due_at = CASE WHEN \(deadline != nil) THEN \(deadline?.dueAt?.timeIntervalSince1970) ELSE next_due_at END,
                    next_warn_at = CASE WHEN \(deadline != nil) THEN \(deadline?.warnAt?.timeIntervalSince1970) ELSE next_warn_at END
                WHERE id = \(conversation.id)
                """)
        } else {
            conversationID = newConversationID
            let at = now.timeIntervalSince1970
            // The opening clock entries are the conversation's whole log: its deadline goes in with its row.
            let opening = clocks.flatMap { rules in rules.binding(policy: decision.slaPolicy).map { ClockPlanner.opening($0, at: now) } } ?? []
            let deadline = clocks.flatMap { opening.isEmpty ? nil : Self.openingDeadline(opening, at: now, rules: $0) }
            db.queueInsert(into: "conversations", columns: Self.newConversationColumns, row: [
                conversationID, inbound.channel.rawValue, inbound.source, inbound.sender, classification.customerTier.rawValue,
                classification.language, decision.queue, decision.priority, classification.urgency.rawValue,
                classification.sentiment.rawValue, ConversationState.new.rawValue, decision.routeID, decision.slaPolicy,
                slaDueAt?.timeIntervalSince1970, at, at, 1, at, at, thread.previous?.conversation.id,
                deadline?.dueAt?.timeIntervalSince1970, deadline?.warnAt?.timeIntervalSince1970,
            ])
            if let previous = thread.previous?.conversation.id {
                try await Self.insertEvent(
                    db, at: now, subjectKind: "conversation", subjectID: conversationID, conversationID: conversationID,
                    kind: "continues", actor: "system", detail: ["previous_conversation_id": previous])
            }
            if let clocks, !opening.isEmpty {
                try await Self.append(db, conversationID: conversationID, opening, rules: clocks, prior: .opening)
            }
        }

        let messageID = Identifier.make("msg", at: now)
        db.queueInsert(into: "messages", columns: Self.inboundMessageColumns, row: [
            messageID, conversationID, "inbound", inbound.channel.rawValue, inbound.source, inbound.externalID,
            inbound.sender, json.recipients, inbound.subject, inbound.text, now.timeIntervalSince1970,
            inbound.rawPayload.bytea, json.classification, threadedBy.rawValue, json.metadata,
        ])
        if let id = inbound.thread.messageID {
            try await Self.recordMessageID(
                db, id, source: inbound.source, conversationID: conversationID, subjectKind: "message", subjectID: messageID)
        }
        for attachment in json.attachments where attachment.content != nil {
            try await Self.keep(db, attachment, messageID: messageID, conversationID: conversationID, uploadedBy: nil, at: now)
        }
        if writesCursor, let cursor = inbound.cursor { try await Self.advanceCursor(db, cursor, at: Date()) }
        // Every message writes these two; their details are written in key order directly rather than
        // through a dictionary that is then sorted.
        var received = JSONObjectWriter()
        received.string("channel", inbound.channel.rawValue)
        received.string("threaded_by", threadedBy.rawValue)
        received.string("warnings", String(inbound.warnings.count))
        try await Self.insertEvent(
            db, at: now, subjectKind: "message", subjectID: messageID, conversationID: conversationID,
            kind: "received", actor: inbound.source, detailJSON: received.finish())
        if let refusedThreading {
            let header = refusedThreading == .inReplyTo ? "In-Reply-To" : "References"
            try await Self.insertEvent(
                db, at: now, subjectKind: "message", subjectID: messageID, conversationID: conversationID,
                kind: "threading_refused", actor: "system",
                detail: ["reason": "sender is not a participant of the conversation referenced by \(header)", "strategy": refusedThreading.rawValue])
        }
        var classified = JSONObjectWriter()
        classified.string("queue", decision.queue)
        classified.string("route", decision.routeID)
        classified.string("rules_version", classification.rulesVersion)
        classified.string("sentiment", classification.sentiment.rawValue)
        classified.string("urgency", classification.urgency.rawValue)
        try await Self.insertEvent(
            db, at: now, subjectKind: "message", subjectID: messageID, conversationID: conversationID,
            kind: "classified", actor: "system", detailJSON: classified.finish())

        var autoReplyID: String?
        if isNew, let reason = inbound.autoReplySuppression {
            try await Self.insertEvent(
                db, at: now, subjectKind: "message", subjectID: messageID, conversationID: conversationID,
                kind: "auto_reply_suppressed", actor: "system", detail: ["reason": reason])
        }
        if isNew, inbound.autoReplySuppression == nil, let autoReply {
            let acknowledgement = PendingReply(script: autoReply.script, body: autoReply.body, automatic: true)
            autoReplyID = try await Self.queueReply(
                db, acknowledgement, conversationID: conversationID, channel: inbound.channel, source: inbound.source,
                recipient: inbound.sender, author: "system", at: now).id
        }
        return IngestResult(
            messageID: messageID, conversationID: conversationID, duplicate: false, newConversation: isNew,
            autoReplyID: autoReplyID, threadedBy: threadedBy, autoReplySuppressed: isNew ? inbound.autoReplySuppression : nil)
    }
}
