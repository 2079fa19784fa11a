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
