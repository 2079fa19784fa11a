import SwitchboardCore

/// What a reply would be if it were sent now, with every verdict the send would reach: the agent sees
/// them before sending instead of as a refusal after.
public struct ReplyPreview: Sendable, Equatable {
    /// One reason the reply would be refused, as ``SwitchboardError`` words it.
    public struct Problem: Sendable, Equatable {
        public var code: String
        public var message: String

        /// The refusal a send would have met, by its code and its (safe to show) message.
        public init(_ error: SwitchboardError) {
            code = error.code.rawValue
            message = error.message
        }
    }

    /// The text the customer would get; nil when it cannot be rendered (a missing variable, say).
    public var text: String?
    public var channel: ChannelKind
    /// How the text would travel as SMS, for a conversation on the SMS channel.
    public var sms: SMSSegments?
    /// Why sending would be refused; empty when it would be taken.
    public var problems: [Problem]
    /// The hold `approval.yaml` would put on it: it would wait for a supervisor.
    public var approval: ApprovalHold?

    /// Whether sending it would be taken (queued, or held for approval).
    public var isSendable: Bool { text != nil && problems.isEmpty }

    public init(text: String?, channel: ChannelKind, sms: SMSSegments?, problems: [Problem], approval: ApprovalHold?) {
        self.text = text
        self.channel = channel
        self.sms = sms
        self.problems = problems
        self.approval = approval
    }
}
