import SwitchboardCore

/// A reply ready for a provider: checked against the source's limits, with its segments counted.
public struct OutgoingSMS: Sendable {
    public var outboxID: String
    public var from: String
    public var to: String
    public var text: String
    public var segments: SMSSegments
    /// Where the provider reports delivery: `…/v1/inbound/sms/{source}/report`, with no query yet.
    public var reportURL: String
}

/// One SMS gateway's protocol: how it calls us (``CallbackReader``) and how we hand it a message.
public protocol SMSProvider: CallbackReader {
    /// Submits one message. A provider that will report delivery later answers `.submitted`; refusals
    /// are outcomes, never thrown, and their text holds no number, body or credential.
    func submit(_ message: OutgoingSMS) async -> DeliveryOutcome
}
