/// What ``ApprovalPolicy/check(text:variables:)`` decides about a reply.
public enum ApprovalVerdict: Sendable, Equatable {
    /// The reply may be sent: no amount, or the largest (converted to the base currency) is at most the threshold.
    case allowed(largest: MoneyAmount?)
    /// A supervisor must approve the reply before it is sent.
    case needsApproval(Reason)
    /// An amount variable's value is not an amount (`lots`, `12abc`); the reply is refused, not held.
    case malformedAmount(variable: String)

    public enum Reason: Sendable, Equatable {
        /// The largest amount, converted to the base currency, is above the threshold.
        case aboveThreshold(MoneyAmount)
        /// An amount is in a currency the rules give no rate for, so it cannot be compared: held to be safe.
        case noRate(MoneyAmount)
    }

    public var needsApproval: Bool {
        if case .needsApproval = self { return true }
        return false
    }

    /// The variable refused as malformed, if that is the verdict.
    public var malformedVariable: String? {
        if case let .malformedAmount(variable) = self { return variable }
        return nil
    }

    /// The amount the verdict rests on: the largest in the base currency, or the one that could not be converted.
    public var largest: MoneyAmount? {
        switch self {
        case let .allowed(largest): largest
        case let .needsApproval(.aboveThreshold(amount)), let .needsApproval(.noRate(amount)): amount
        case .malformedAmount: nil
        }
    }
}
