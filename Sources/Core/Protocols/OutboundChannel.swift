import Foundation

/// How a channel answered one delivery attempt.
public enum DeliveryAttemptOutcome: Sendable, Equatable {
    /// - Parameter messageID: the id the message went out with (an email Message-ID), recorded so replies
    ///   citing it thread back into the conversation.
    case delivered(detail: String?, messageID: String? = nil)
    /// A provider took the message and will report its delivery later (an SMS gateway): the entry waits
    /// as `sent` for the report.
    case submitted(detail: String?, providerMessageID: String?)
    /// A temporary problem (network, 5xx, 429, SMTP 4xx): worth retrying, optionally not before a time.
    case temporaryFailure(error: String, retryAfter: TimeInterval?)
    /// The receiver refused for good (4xx other than 408/429, SMTP 5xx).
    case permanentFailure(error: String)
}

/// Delivers outbox entries on one kind of channel.
public protocol OutboundChannel: Sendable {
    /// The channel kind this adapter delivers.
    var kind: ChannelKind { get }

    /// Makes one delivery attempt. Never throws for a receiver's refusal: that is an outcome.
    ///
    /// - Parameter replyingTo: the conversation's newest inbound message, whose ids and subject an email
    ///   reply cites; nil when the conversation has none.
    func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?) async -> DeliveryAttemptOutcome

    /// Refuses a reply the channel could never carry (an SMS over its segment limit) before it is queued,
    /// so the agent hears why at once instead of finding a failed entry later.
    func validateReply(_ body: String, source: String) throws(SwitchboardError)
}

extension OutboundChannel {
    /// Most channels carry any text the reply checks let through.
    public func validateReply(_ body: String, source: String) throws(SwitchboardError) {}
}
