import Foundation

/// A satisfaction survey sent to a customer after their conversation was resolved, and its answer.
public struct Survey: Sendable, Codable, Equatable, Identifiable {
    public var id: String
    public var conversationID: String
    public var kind: SurveyKind
    public var channel: ChannelKind
    public var source: String
    public var customerAddress: String
    /// The conversation's queue when it was resolved: KPIs are reported per queue.
    public var queue: String
    public var language: String
    /// The outbox entry that carries the question.
    public var outboxID: String?
    public var status: SurveyStatus
    public var createdAt: Date
    /// When the question goes out (the resolution plus `survey.delay`).
    public var sendAt: Date
    /// The end of the answer window (`survey.window` after `sendAt`); later answers are refused.
    public var expiresAt: Date
    public var score: Int?
    public var comment: String?
    public var answeredAt: Date?
    /// How the answer came: `sms`, `link` (an email's one-click link) or `api` (a webhook channel's system).
    public var answeredVia: String?
    /// The follow-up conversation a low score opened.
    public var followUpConversationID: String?

    public init(
        id: String, conversationID: String, kind: SurveyKind, channel: ChannelKind, source: String, customerAddress: String,
        queue: String, language: String, outboxID: String?, status: SurveyStatus, createdAt: Date, sendAt: Date, expiresAt: Date,
        score: Int? = nil, comment: String? = nil, answeredAt: Date? = nil, answeredVia: String? = nil, followUpConversationID: String? = nil
    ) {
        self.id = id
        self.conversationID = conversationID
        self.kind = kind
        self.channel = channel
        self.source = source
        self.customerAddress = customerAddress
        self.queue = queue
        self.language = language
        self.outboxID = outboxID
        self.status = status
        self.createdAt = createdAt
        self.sendAt = sendAt
        self.expiresAt = expiresAt
        self.score = score
        self.comment = comment
        self.answeredAt = answeredAt
        self.answeredVia = answeredVia
        self.followUpConversationID = followUpConversationID
    }
}
