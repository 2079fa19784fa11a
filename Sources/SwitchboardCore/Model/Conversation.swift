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
    /// The closed conversation this one continues: the customer wrote again after it was closed.
    public var previousConversationID: String?
    /// How often it was reopened after being resolved (by the customer writing, or by an agent).
    public var reopenCount: Int

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
        updatedAt: Date,
        previousConversationID: String? = nil,
        reopenCount: Int = 0
    ) {
        self.previousConversationID = previousConversationID
        self.reopenCount = reopenCount
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

extension Conversation {
    private enum CodingKeys: String, CodingKey {
        case id, channel, source, customerAddress, customerTier, language, queue, priority, urgency, sentiment, state, routeID
        case slaPolicy, slaDueAt, owner, createdAt, updatedAt, previousConversationID, reopenCount
    }

    /// Reads JSON written before `previousConversationID` and `reopenCount` existed (stored idempotency
    /// answers), taking them as absent and 0.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id), channel: try container.decode(ChannelKind.self, forKey: .channel),
            source: try container.decode(String.self, forKey: .source),
            customerAddress: try container.decode(String.self, forKey: .customerAddress),
            customerTier: try container.decode(CustomerTier.self, forKey: .customerTier),
            language: try container.decode(String.self, forKey: .language), queue: try container.decode(String.self, forKey: .queue),
            priority: try container.decode(Int.self, forKey: .priority), urgency: try container.decode(Urgency.self, forKey: .urgency),
            sentiment: try container.decode(Sentiment.self, forKey: .sentiment),
            state: try container.decode(ConversationState.self, forKey: .state), routeID: try container.decode(String.self, forKey: .routeID),
            slaPolicy: try container.decode(String.self, forKey: .slaPolicy), slaDueAt: try container.decodeIfPresent(Date.self, forKey: .slaDueAt),
            owner: try container.decodeIfPresent(String.self, forKey: .owner), createdAt: try container.decode(Date.self, forKey: .createdAt),
            updatedAt: try container.decode(Date.self, forKey: .updatedAt),
            previousConversationID: try container.decodeIfPresent(String.self, forKey: .previousConversationID),
            reopenCount: try container.decodeIfPresent(Int.self, forKey: .reopenCount) ?? 0)
    }
}
