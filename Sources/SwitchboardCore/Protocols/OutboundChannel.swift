import Foundation

/// Delivers outbox entries on one kind of channel.
public protocol OutboundChannel: Sendable {
    /// The channel kind this adapter delivers.
    var kind: ChannelKind { get }

    /// Makes one delivery attempt. Never throws for a receiver's refusal: that is an outcome. Never answers
    /// `deadLettered`: whether attempts are spent is the dispatcher's decision.
    ///
    /// - Parameter replyingTo: the conversation's newest inbound message, whose ids and subject an email
    ///   reply cites; nil when the conversation has none.
    func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?) async -> DeliveryOutcome

    /// Makes one delivery attempt of a survey's question, which a channel whose receiver is another system
    /// (a webhook) sends with the URL that system posts the answer to.
    func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?, surveyURL: String?) async -> DeliveryOutcome

    /// Refuses a reply the channel could never carry (an SMS over its segment limit) before it is queued,
    /// so the agent hears why at once instead of finding a failed entry later.
    func validateReply(_ body: String, source: String) throws(SwitchboardError)
}

extension OutboundChannel {
    /// Most channels carry any text the reply checks let through.
    public func validateReply(_ body: String, source: String) throws(SwitchboardError) {}

    /// Most channels ask the customer in the text itself (a link, "reply 1-5").
    public func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?, surveyURL: String?) async -> DeliveryOutcome {
        await deliver(entry, conversation: conversation, replyingTo: replyingTo)
    }
}
