import Foundation

/// The result of one delivery attempt, as the dispatcher decided it.
public enum DeliveryResult: Sendable, Equatable {
    case delivered(detail: String?, messageID: String? = nil)
    /// Try again at the given time.
    case retry(at: Date, error: String)
    /// The receiver refused for good.
    case failed(error: String)
    /// Attempts are exhausted.
    case deadLettered(error: String)
}
