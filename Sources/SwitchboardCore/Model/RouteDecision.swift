/// Why one route fired: the parts of its condition that held.
public struct RouteReason: Sendable, Codable, Equatable {
    public var route: String
    /// The satisfied part of the `when` condition, e.g. `all(sentiment=negative, not(channel=sms))`.
    public var condition: String

    public init(route: String, condition: String) {
        self.route = route
        self.condition = condition
    }
}

/// What the routes decided for a message.
public struct RouteDecision: Sendable, Codable, Equatable {
    /// The route that decided (the last one that fired, or the default route).
    public var routeID: String
    /// Every route that fired, in evaluation order.
    public var fired: [String]
    /// For each route that fired, the condition that made it fire.
    public var reasons: [RouteReason]? {
        get {
            switch explanation {
            case let .value(reasons): reasons
            case let .deferred(source): source.routeReasons()
            }
        }
        set { explanation = .value(newValue) }
    }
    private var explanation: Explained<[RouteReason]?> = .value(nil)
    public var queue: String
    public var priority: Int
    public var slaPolicy: String
    /// The script of the automatic reply, if any.
    public var autoReply: String?

    public init(routeID: String, fired: [String], queue: String, priority: Int, slaPolicy: String, autoReply: String?) {
        self.routeID = routeID
        self.fired = fired
        self.queue = queue
        self.priority = priority
        self.slaPolicy = slaPolicy
        self.autoReply = autoReply
    }
}

extension RouteDecision {
    /// The decision with its reasons rendered from `explanation` when read.
    public func explained(by explanation: any DeferredExplanation) -> RouteDecision {
        var decision = self
        decision.explanation = .deferred(explanation)
        return decision
    }

    /// Words deferred reasons now, so that later reads do not.
    public mutating func renderReasons() {
        if case .deferred = explanation { explanation = .value(reasons) }
    }

    private enum CodingKeys: String, CodingKey {
        case routeID, fired, reasons, queue, priority, slaPolicy, autoReply
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            routeID: try container.decode(String.self, forKey: .routeID),
            fired: try container.decode([String].self, forKey: .fired),
            queue: try container.decode(String.self, forKey: .queue),
            priority: try container.decode(Int.self, forKey: .priority),
            slaPolicy: try container.decode(String.self, forKey: .slaPolicy),
            autoReply: try container.decodeIfPresent(String.self, forKey: .autoReply))
        reasons = try container.decodeIfPresent([RouteReason].self, forKey: .reasons)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(routeID, forKey: .routeID)
        try container.encode(fired, forKey: .fired)
        try container.encodeIfPresent(reasons, forKey: .reasons)
        try container.encode(queue, forKey: .queue)
        try container.encode(priority, forKey: .priority)
        try container.encode(slaPolicy, forKey: .slaPolicy)
        try container.encodeIfPresent(autoReply, forKey: .autoReply)
    }

    /// Equal when every field reads the same, however the reasons are held.
    public static func == (lhs: RouteDecision, rhs: RouteDecision) -> Bool {
        lhs.routeID == rhs.routeID && lhs.fired == rhs.fired && lhs.queue == rhs.queue && lhs.priority == rhs.priority
            && lhs.slaPolicy == rhs.slaPolicy && lhs.autoReply == rhs.autoReply && lhs.reasons == rhs.reasons
    }
}
