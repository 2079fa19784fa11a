import Foundation

/// Where a reply stands on its way to the customer.
public enum OutboxStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its next attempt (the first, or a retry after `nextAttemptAt`).
    case queued
    /// Claimed by a dispatcher; returned to `queued` on start-up if that dispatcher died.
    case sending
    /// Handed to a provider that reports delivery later (an SMS gateway); waits for its delivery report.
    case sent
    /// The receiving system accepted it, or the provider reported it delivered to the handset.
    case delivered
    /// The receiver refused it permanently, or the provider reported it undeliverable; no further attempts.
    case failed
    /// Every attempt failed; kept for an operator to inspect and re-queue.
    case deadLettered = "dead_lettered"
    /// Cancelled by a supervisor or ops before it was handed over; never sent.
    case cancelled
    /// Held until a supervisor approves it (`approval.yaml`); never claimed by the dispatcher meanwhile.
    case awaitingApproval = "awaiting_approval"
    /// Refused by a supervisor while held; never sent.
    case rejected
    /// Held past its `expires_at` without a decision; never sent.
    case expired

    /// Whether the dispatcher will still try this entry.
    public var isPending: Bool { self == .queued || self == .sending }
}

/// A reply in the shared outbox: rendered, committed, and delivered by the dispatcher.
public struct OutboxEntry: Sendable, Codable, Equatable, Identifiable {
    public var id: String
    public var conversationID: String
    public var channel: ChannelKind
    public var source: String
    public var recipient: String
    /// The script it was rendered from, nil for free text.
    public var script: String?
    public var body: String
    public var status: OutboxStatus
    public var attempts: Int
    public var nextAttemptAt: Date?
    /// The last delivery error, safe to show (no secrets, no message bodies).
    public var lastError: String?
    /// True for replies the rules sent on their own (acknowledgements).
    public var automatic: Bool
    /// The agent (token id) that wrote it, or `system` for automatic replies.
    public var author: String
    public var createdAt: Date
    public var updatedAt: Date
    /// The provider's id for the submitted message (an SMS gateway's message SID), once it has one.
    public var providerMessageID: String?
    /// The approval hold, for a reply that needed one: while `awaiting_approval`, and after the decision.
    public var approval: ApprovalHold?
    /// The files the reply carries, without their bytes; nil for none. Filled where an entry is shown (a
    /// conversation's outbox, `GET /v1/outbox/{id}`, the entry a reply created).
    public var attachments: [MessageAttachment]?

    public init(
        id: String,
        conversationID: String,
        channel: ChannelKind,
        source: String,
        recipient: String,
        script: String?,
        body: String,
        status: OutboxStatus,
        attempts: Int,
        nextAttemptAt: Date?,
        lastError: String?,
        automatic: Bool,
        author: String,
        createdAt: Date,
        updatedAt: Date,
        providerMessageID: String? = nil,
        approval: ApprovalHold? = nil
    ) {
        self.id = id
        self.conversationID = conversationID
        self.channel = channel
        self.source = source
        self.recipient = recipient
        self.script = script
        self.body = body
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.automatic = automatic
        self.author = author
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.providerMessageID = providerMessageID
        self.approval = approval
    }
}
