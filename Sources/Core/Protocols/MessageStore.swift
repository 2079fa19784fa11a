import Foundation

/// A reply to be put in the outbox, already rendered.
public struct PendingReply: Sendable, Equatable {
    public var script: String?
    public var body: String
    public var automatic: Bool

    public init(script: String?, body: String, automatic: Bool) {
        self.script = script
        self.body = body
        self.automatic = automatic
    }
}

/// What storing an inbound message did.
public struct IngestResult: Sendable, Equatable {
    public var messageID: String
    public var conversationID: String
    /// True when the same source had already delivered this external id: nothing new was stored.
    public var duplicate: Bool
    /// True when the message started a new conversation.
    public var newConversation: Bool
    /// The automatic reply committed with the message, if any.
    public var autoReplyID: String?

    public init(messageID: String, conversationID: String, duplicate: Bool, newConversation: Bool, autoReplyID: String?) {
        self.messageID = messageID
        self.conversationID = conversationID
        self.duplicate = duplicate
        self.newConversation = newConversation
        self.autoReplyID = autoReplyID
    }
}

/// What an agent's reply request did.
public enum EnqueueResult: Sendable, Equatable {
    /// A new outbox entry was committed.
    case created(OutboxEntry)
    /// The same idempotency key with the same request was seen before: this is its entry.
    case replayed(OutboxEntry)
    /// The same idempotency key came with a different request.
    case conflict
}

/// The result of one delivery attempt, as the dispatcher decided it.
public enum DeliveryResult: Sendable, Equatable {
    case delivered(detail: String?)
    /// Try again at the given time.
    case retry(at: Date, error: String)
    /// The receiver refused for good.
    case failed(error: String)
    /// Attempts are exhausted.
    case deadLettered(error: String)
}

/// Queue occupancy for `GET /v1/queues`.
public struct QueueSummary: Sendable, Codable, Equatable {
    public var queue: String
    public var open: Int
    /// Open conversations whose first-response deadline has passed.
    public var overdue: Int

    public init(queue: String, open: Int, overdue: Int) {
        self.queue = queue
        self.open = open
        self.overdue = overdue
    }
}

/// One line of the append-only audit trail.
public struct AuditEvent: Sendable, Codable, Equatable {
    public var at: Date
    /// `message`, `conversation` or `outbox`.
    public var subjectKind: String
    public var subjectID: String
    public var conversationID: String
    /// What happened: `received`, `deduplicated`, `routed`, `reply_queued`, `delivery_attempt` …
    public var kind: String
    /// Who did it: `system`, a channel source, or an agent's token id.
    public var actor: String
    /// Safe-to-show details (no bodies, no secrets).
    public var detail: [String: String]

    public init(at: Date, subjectKind: String, subjectID: String, conversationID: String, kind: String, actor: String, detail: [String: String]) {
        self.at = at
        self.subjectKind = subjectKind
        self.subjectID = subjectID
        self.conversationID = conversationID
        self.kind = kind
        self.actor = actor
        self.detail = detail
    }
}

/// A conversation with everything an agent needs to pick it up.
public struct ConversationDetail: Sendable, Codable, Equatable {
    public var conversation: Conversation
    public var messages: [Message]
    public var outbox: [OutboxEntry]
    public var events: [AuditEvent]

    public init(conversation: Conversation, messages: [Message], outbox: [OutboxEntry], events: [AuditEvent]) {
        self.conversation = conversation
        self.messages = messages
        self.outbox = outbox
        self.events = events
    }
}

/// Durable storage for messages, conversations and the outbox.
///
/// Every method that changes state commits before it returns, so a caller may acknowledge
/// the sender as soon as it returns and never before.
public protocol MessageStore: Sendable {
    /// Stores an inbound message, threads it into a conversation, applies the route decision and
    /// commits any automatic reply — all in one transaction.
    ///
    /// - Parameters:
    ///   - slaDueAt: the first-response deadline for a conversation this message starts, or a tighter one
    ///     if the decision moves an existing conversation to a more urgent route.
    ///   - newConversationID: the id to give the conversation if this message starts one (the automatic
    ///     reply was rendered with it).
    ///   - autoReply: committed only when the message starts a new conversation.
    func ingest(
        _ inbound: InboundMessage,
        classification: Classification,
        slaDueAt: Date?,
        newConversationID: String,
        autoReply: PendingReply?
    ) async throws -> IngestResult

    /// The structural facts about the customer's open conversation on this channel and source, or nil
    /// when the message would start a new one. Read before classifying, outside the ingest transaction.
    func conversationContext(channel: ChannelKind, source: String, customer: String) async throws -> ConversationContext?

    func conversation(id: String) async throws -> Conversation?
    func conversationDetail(id: String) async throws -> ConversationDetail?
    func queueSummaries(now: Date) async throws -> [QueueSummary]
    func conversations(inQueue queue: String, limit: Int) async throws -> [Conversation]

    /// Commits an agent's reply. With an idempotency key, a repeat of the same request returns the first
    /// entry and a different request under the same key is a conflict.
    func enqueueReply(
        _ reply: PendingReply,
        conversationID: String,
        author: String,
        idempotencyKey: String?,
        requestFingerprint: String?
    ) async throws -> EnqueueResult

    func outboxEntry(id: String) async throws -> OutboxEntry?

    /// Marks up to `limit` entries that are due as `sending` and returns them, counting the attempt.
    func claimDueOutbox(now: Date, limit: Int) async throws -> [OutboxEntry]

    /// Records the outcome of the attempt the entry was claimed for.
    func recordDelivery(outboxID: String, result: DeliveryResult, now: Date) async throws

    /// Returns entries left `sending` by a process that died to `queued`; called once at start-up.
    func requeueAbandonedDeliveries(now: Date) async throws -> Int

    /// The earliest time a queued entry becomes due, so the dispatcher can sleep until then.
    func nextOutboxDueDate() async throws -> Date?

    func outboxCounts() async throws -> [OutboxStatus: Int]
}
