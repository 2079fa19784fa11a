/// What one genuine inbound request carries.
public enum InboundContent: Sendable {
    /// Messages for intake, committed before the request is answered.
    case messages([InboundMessage])
    /// A provider's report on a reply's delivery.
    case deliveryReport(DeliveryReport)
}
