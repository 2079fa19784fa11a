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
    public var reasons: [RouteReason]?
    public var queue: String
    public var priority: Int
    public var slaPolicy: String
    /// The script of the automatic reply, if any.
    public var autoReply: String?

    public init(routeID: String, fired: [String], queue: String, priority: Int, slaPolicy: String, autoReply: String?) {
        self.routeID = routeID
        self.fired = fired
        self.reasons = nil
        self.queue = queue
        self.priority = priority
        self.slaPolicy = slaPolicy
        self.autoReply = autoReply
    }
}
