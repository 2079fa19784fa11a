/// What became of an inbound request's content once committed, for the channel to answer with.
public enum InboundReceipt: Sendable {
    /// One accepted message.
    public struct Accepted: Sendable {
        /// The message as intake took it (with its warnings).
        public var message: InboundMessage
        public var result: IngestResult

        public init(message: InboundMessage, result: IngestResult) {
            self.message = message
            self.result = result
        }
    }

    case accepted([Accepted])
    case reported(DeliveryReportOutcome)
}
