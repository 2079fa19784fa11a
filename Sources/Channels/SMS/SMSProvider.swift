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

/// One SMS gateway's protocol: how it calls us (inbound messages and delivery reports, which
/// ``SMSInboundChannel`` serves) and how we hand it a message. Each provider authenticates its callbacks its
/// own way (a signature over the URL and form, a shared secret), so the provider decides.
public protocol SMSProvider: Sendable {
    /// Why the callback must be refused (a missing or wrong signature), or nil to accept it. Never holds
    /// the secret or the expected signature.
    func rejection(of callback: InboundRequest) -> String?

    /// The inbound message the callback carries.
    /// - Throws: ``SwitchboardError`` `invalid_callback`, naming the missing or malformed field.
    func inboundMessage(from callback: InboundRequest) throws(SwitchboardError) -> InboundMessage

    /// The delivery report the callback carries.
    /// - Throws: ``SwitchboardError`` `invalid_callback`, naming the missing or malformed field.
    func deliveryReport(from callback: InboundRequest) throws(SwitchboardError) -> DeliveryReport

    /// What to answer a callback once it is committed: the body and its content type. A provider that
    /// would send a non-empty answer back to the customer as a message gets an empty one.
    var acknowledgement: (contentType: String, body: String) { get }

    /// Submits one message. A provider that will report delivery later answers `.submitted`; refusals
    /// are outcomes, never thrown, and their text holds no number, body or credential.
    func submit(_ message: OutgoingSMS) async -> DeliveryOutcome

    /// How the files of `source`'s messages are fetched and kept: its limits, and whether the provider's
    /// media URLs may redirect.
    func attachmentPolicy(_ source: SMSSource) -> AttachmentPolicy
}

extension SMSProvider {
    /// The source's limits; a provider's media, if it has any, is fetched without redirects.
    public func attachmentPolicy(_ source: SMSSource) -> AttachmentPolicy {
        AttachmentPolicy(limits: source.attachmentLimits)
    }
}
