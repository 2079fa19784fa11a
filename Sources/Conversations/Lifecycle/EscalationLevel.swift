/// An escalation level, 1 (a crisis) to 4, as the incident levels of the service standards; it is also
/// the priority an escalated conversation gets at least.
public struct EscalationLevel: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The levels there are.
    public static let range = 1...4

    public let value: Int

    /// Nil for a number outside ``range``, so no action carries a level that does not exist.
    public init?(_ value: Int) {
        guard Self.range.contains(value) else { return nil }
        self.value = value
    }

    public static func < (lhs: EscalationLevel, rhs: EscalationLevel) -> Bool { lhs.value < rhs.value }

    public var description: String { String(value) }
}
