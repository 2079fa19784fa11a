import Foundation

/// What a provider reported, after the fact, about a message it was given (an SMS gateway's delivery
/// report or status callback).
public struct DeliveryReport: Sendable, Equatable {
    /// Where the message stands by the report.
    public enum State: String, Sendable, Codable {
        /// The provider or its operator took it; the handset has not confirmed yet.
        case accepted
        /// The handset received it.
        case delivered
        /// It will not arrive (expired, rejected, undeliverable).
        case failed

        /// How far along it is: reports never move an entry backwards.
        public var rank: Int {
            switch self {
            case .accepted: 2
            case .delivered, .failed: 3
            }
        }
    }

    public var source: String
    /// Our outbox id, when the provider echoes it back (Kannel's `dlr-url` carries it).
    public var outboxID: String?
    /// The provider's id for the message (Twilio's `MessageSid`), to find the entry when it does not.
    public var providerMessageID: String?
    public var state: State
    /// The provider's own words for it, short and safe to store (`DLR 1`, `undelivered 30003`).
    public var providerStatus: String
    public var receivedAt: Date

    public init(source: String, outboxID: String?, providerMessageID: String?, state: State, providerStatus: String, receivedAt: Date = Date()) {
        self.source = source
        self.outboxID = outboxID
        self.providerMessageID = providerMessageID
        self.state = state
        self.providerStatus = providerStatus
        self.receivedAt = receivedAt
    }
}

/// What recording a delivery report did.
public enum DeliveryReportOutcome: Sendable, Equatable {
    /// The entry moved to this status.
    case applied(OutboxStatus)
    /// A repeated, late or out-of-order report: recorded in the audit trail, the status kept.
    case unchanged(OutboxStatus)
    /// No outbox entry of this source matches the report.
    case unknownEntry
}
