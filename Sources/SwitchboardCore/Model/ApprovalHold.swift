import Foundation

/// Why a reply waits in the outbox for a supervisor (`approval.yaml`), and the decision once made.
///
/// The body it holds is fixed by ``contentSHA256``: the dispatcher sends an approved reply only while its
/// body still hashes to it.
public struct ApprovalHold: Sendable, Codable, Equatable {
    /// Why the reply needs approval.
    public enum Reason: String, Sendable, Codable, CaseIterable {
        /// The largest amount, in the base currency, is above the threshold.
        case aboveThreshold = "above_threshold"
        /// An amount is in a currency without a rate, so it cannot be compared.
        case noRate = "no_rate"
    }

    /// The amount the hold rests on, as supervisors read it: `CNY 800.00`.
    public var amount: String
    public var reason: Reason
    /// When the hold ends without a decision: the reply then expires, never sent.
    public var expiresAt: Date
    /// SHA-256 (lower-case hex) of the body as held.
    public var contentSHA256: String
    /// The supervisor (token id) who approved or rejected it, once decided.
    public var decidedBy: String?
    public var decidedAt: Date?
    /// The supervisor's words with the decision.
    public var note: String?

    public init(
        amount: String, reason: Reason, expiresAt: Date, contentSHA256: String, decidedBy: String? = nil, decidedAt: Date? = nil,
        note: String? = nil
    ) {
        self.amount = amount
        self.reason = reason
        self.expiresAt = expiresAt
        self.contentSHA256 = contentSHA256
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case amount, reason, note
        case expiresAt = "expires_at"
        case contentSHA256 = "content_sha256"
        case decidedBy = "decided_by"
        case decidedAt = "decided_at"
    }
}
