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

    /// Makes one delivery attempt of a claimed entry with everything it carries: the files of a reply, and
    /// for a survey's question the URL that a receiving system (a webhook) posts the answer to.
    func deliver(_ delivery: ClaimedDelivery, conversation: Conversation) async -> DeliveryOutcome

    /// Refuses a reply the channel could never carry (an SMS over its segment limit) before it is queued,
    /// so the agent hears why at once instead of finding a failed entry later.
    func validateReply(_ body: String, source: String) throws(SwitchboardError)

    /// Refuses files (``PendingReply/attachmentIDs``) the channel could never carry, before the reply is
    /// queued: `media_not_supported` for a channel without files, naming the source.
    func validateAttachments(count: Int, source: String) throws(SwitchboardError)
}

extension OutboundChannel {
    /// Most channels carry any text the reply checks let through.
    public func validateReply(_ body: String, source: String) throws(SwitchboardError) {}

    /// Most channels send the text alone: they ask a survey's question in the text itself (a link, "reply
    /// 1-5"), and carry no files (``validateAttachments(count:source:)`` refuses them).
    public func deliver(_ delivery: ClaimedDelivery, conversation: Conversation) async -> DeliveryOutcome {
        await deliver(delivery.entry, conversation: conversation, replyingTo: delivery.replyingTo)
    }

    /// A channel carries no files unless it says so.
    public func validateAttachments(count: Int, source: String) throws(SwitchboardError) {
        guard count > 0 else { return }
        throw SwitchboardError(.mediaNotSupported, "source '\(source)' sends text only; a reply on it cannot carry files")
    }
}
