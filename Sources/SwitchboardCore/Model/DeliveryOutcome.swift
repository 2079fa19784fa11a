import Foundation

/// How one delivery attempt ended: the channel's answer and, once the outbox's retry policy has decided,
/// the outcome the store records, the metric counts and the log reports. One decision, one type: the
/// stored status (``status``) and the metric label (``label``) are read off it, never translated again.
///
/// A channel answers with any case but ``deadLettered``; the dispatcher's retry decision turns a
/// ``retry(error:after:)`` into either a retry at a chosen delay or ``deadLettered`` once the attempts are
/// spent, and passes the others through unchanged.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The receiving system accepted it.
    /// - Parameter messageID: the id the message went out with (an email Message-ID), recorded so replies
    ///   citing it thread back into the conversation.
    case delivered(detail: String?, messageID: String? = nil)
    /// A provider took the message and will report its delivery later (an SMS gateway): the entry waits
    /// as `sent` for the report.
    case submitted(detail: String?, providerMessageID: String?)
    /// A temporary problem (network, 5xx, 429, SMTP 4xx): worth another attempt, not sooner than `after`
    /// seconds from now. From a channel, `after` is what the receiver asked for (nil when it did not say);
    /// once decided, it is the delay the entry waits.
    case retry(error: String, after: TimeInterval?)
    /// The receiver refused for good (4xx other than 408/429, SMTP 5xx), or the reply cannot be sent at all.
    case failed(error: String)
    /// Every attempt failed.
    case deadLettered(error: String)

    /// The status the entry moves to.
    public var status: OutboxStatus {
        switch self {
        case .delivered: .delivered
        case .submitted: .sent
        case .retry: .queued
        case .failed: .failed
        case .deadLettered: .deadLettered
        }
    }

    /// The `result` label of `switchboard_deliveries_total` and the `delivery.result` log field.
    public var label: String {
        switch self {
        case .delivered: "delivered"
        case .submitted: "sent"
        case .retry: "retry"
        case .failed: "failed"
        case .deadLettered: "dead_lettered"
        }
    }

    /// Why it did not go out, safe to show; nil when it went out.
    public var error: String? {
        switch self {
        case .delivered, .submitted: nil
        case let .retry(error, _), let .failed(error), let .deadLettered(error): error
        }
    }
}
