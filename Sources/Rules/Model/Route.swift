import SwitchboardCore

/// An ordered routing rule: when its condition holds it fires and sets the actions it names.
public struct Route: Sendable, Equatable {
    /// The automatic reply action: a script, or an explicit `none` that cancels an earlier one.
    public enum AutoReply: Sendable, Equatable {
        case script(String)
        case suppress
    }

    public var id: String
    public var description: String?
    /// Nil only for the default route.
    public var condition: Condition?
    public var queue: String?
    public var priority: Int?
    public var slaPolicy: String?
    public var autoReply: AutoReply?
    /// Stop evaluating later routes once this one fires.
    public var stop: Bool
    public var isDefault: Bool
}

/// A route's actions and whether it ends the walk, as classification reads them (see
/// ``RuleSet/routeActions``): without the condition and description, so reading one copies little.
struct RouteActions {
    var id: String
    var queue: String?
    var priority: Int?
    var slaPolicy: String?
    /// Set when the route names an automatic reply: the script, or nil for an explicit `none`.
    var autoReply: String??
    var stop: Bool

    init(_ route: Route) {
        id = route.id
        queue = route.queue
        priority = route.priority
        slaPolicy = route.slaPolicy
        autoReply = route.autoReply.map { reply in if case let .script(id) = reply { id } else { nil } }
        stop = route.stop
    }
}
