import Foundation

/// The result of one delivery attempt, as the dispatcher decided it.
public enum DeliveryResult: Sendable, Equatable {
    case delivered(detail: String?, messageID: String? = nil)
    /// A provider took it; its delivery report decides the end.
    case submitted(detail: String?, providerMessageID: String?)
    /// Try again at the given time.
    case retry(at: Date, error: String)
    /// The receiver refused for good.
    case failed(error: String)
    /// Attempts are exhausted.
    case deadLettered(error: String)
}
