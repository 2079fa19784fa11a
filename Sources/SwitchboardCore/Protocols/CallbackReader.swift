import Foundation

/// Reads the callbacks one provider makes to us: inbound messages and delivery reports. Each provider
/// authenticates its own way (a signature over the URL and form, a shared secret), so the reader decides.
public protocol CallbackReader: Sendable {
    /// Why the callback must be refused (a missing or wrong signature), or nil to accept it. Never holds
    /// the secret or the expected signature.
    func rejection(of callback: ProviderCallback) -> String?

    /// The inbound message the callback carries.
    /// - Throws: ``SwitchboardError`` `invalid_callback`, naming the missing or malformed field.
    func inboundMessage(from callback: ProviderCallback) throws(SwitchboardError) -> InboundMessage

    /// The delivery report the callback carries.
    /// - Throws: ``SwitchboardError`` `invalid_callback`, naming the missing or malformed field.
    func deliveryReport(from callback: ProviderCallback) throws(SwitchboardError) -> DeliveryReport

    /// What to answer a callback once it is committed: the body and its content type. A provider that
    /// would send a non-empty answer back to the customer as a message gets an empty one.
    var acknowledgement: (contentType: String, body: String) { get }
}
