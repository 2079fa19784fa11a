/// Checks a rendered reply against what its channel can carry, before it is queued: an agent hears at
/// once that a text is too long for SMS, instead of finding a failed entry later.
public struct ReplyValidator: Sendable {
    private let channels: [ChannelKind: any OutboundChannel]

    public init(channels: [any OutboundChannel]) {
        var byKind: [ChannelKind: any OutboundChannel] = [:]
        for channel in channels { byKind[channel.kind] = channel }
        self.channels = byKind
    }

    /// Lets every reply through (for tools that queue nothing).
    public static let none = ReplyValidator(channels: [])

    /// - Throws: the channel's refusal, such as `reply_too_long`.
    public func validate(_ body: String, channel: ChannelKind, source: String) throws(SwitchboardError) {
        try channels[channel]?.validateReply(body, source: source)
    }

    /// - Throws: `media_not_supported` when files go to a channel that carries text only.
    public func validateAttachments(count: Int, channel: ChannelKind, source: String) throws(SwitchboardError) {
        try channels[channel]?.validateAttachments(count: count, source: source)
    }
}
