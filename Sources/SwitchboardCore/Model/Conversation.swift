import Foundation

/// A thread of messages with one customer on one channel, owned by one queue at a time.
public struct Conversation: Sendable, Codable, Equatable, Identifiable {
    public var id: String
    public var channel: ChannelKind
    public var source: String
    public var customerAddress: String
    public var customerTier: CustomerTier
    /// Language the customer writes in (`zh`, `en`); replies are rendered in it.
    public var language: String
    public var queue: String
    /// 1 is the most urgent, 4 the least, as in the incident levels of the service standards.
    public var priority: Int
    public var urgency: Urgency
    public var sentiment: Sentiment
    public var state: ConversationState
    /// The route that last decided the queue.
    public var routeID: String
    public var slaPolicy: String
    /// When the first response is due under the SLA policy.
    public var slaDueAt: Date?
    /// Who owns the conversation (first-contact ownership); nil until an agent takes it.
    public var owner: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String,
        channel: ChannelKind,
        source: String,
        customerAddress: String,
        customerTier: CustomerTier,
        language: String,
        queue: String,
        priority: Int,
        urgency: Urgency,
        sentiment: Sentiment,
        state: ConversationState,
        routeID: String,
        slaPolicy: String,
        slaDueAt: Date?,
        owner: String?,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.channel = channel
        self.source = source
        self.customerAddress = customerAddress
        self.customerTier = customerTier
        self.language = language
        self.queue = queue
        self.priority = priority
        self.urgency = urgency
        self.sentiment = sentiment
        self.state = state
        self.routeID = routeID
        self.slaPolicy = slaPolicy
        self.slaDueAt = slaDueAt
        self.owner = owner
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A short reference a customer can quote, derived from the id.
    public var reference: String { Self.referenceFor(id: id) }

    /// The customer-facing reference of a conversation id: its random tail, upper-cased.
    public static func referenceFor(id: String) -> String {
        let tail = id.split(separator: "_").last.map(String.init) ?? id
        return String(tail.suffix(10)).uppercased()
    }
}
