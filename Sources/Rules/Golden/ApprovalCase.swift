import StrictYAML

/// A golden approval case: a reply's text and variables, and the verdict `approval.yaml` should give.
///
/// ```yaml
/// - name: ¥600 is held
///   reply: { text: "我们将补偿您¥600", variables: { amount: "600" } }
///   expect: { needs_approval: true, largest: "600 CNY", amounts: ["600 CNY"] }
/// ```
public struct ApprovalCase: Sendable {
    public var text: String
    public var variables: [String: String]
    /// Whether the reply must be held.
    public var needsApproval: Bool?
    /// The amount the verdict rests on, as `600 CNY` (converted to the base currency unless it has no
    /// rate), or `none`.
    public var largest: String?
    /// The amount variable expected to be refused as malformed.
    public var malformed: String?
    /// Every amount found in `text`, as written (`80 USD`), in order.
    public var amounts: [String]?

    static let replyKeys = ["text", "variables"]
    static let expectKeys = ["needs_approval", "largest", "malformed", "amounts"]

    static func parse(reply: YAMLValue, expect: YAMLValue?, _ log: ProblemLog) -> ApprovalCase? {
        guard let map = reply.mapping(log, what: "reply", allowed: replyKeys),
              let expectation = expect?.mapping(log, what: "expect", allowed: expectKeys) else { return nil }
        let text = map.string("text", in: "reply", log) ?? ""
        if map["text"] == nil, map["variables"] == nil { log.report("reply needs text, variables or both", at: reply) }
        var variables: [String: String] = [:]
        if let value = map["variables"] {
            if case let .mapping(mapping) = value.node {
                for pair in mapping {
                    let key = YAMLValue(node: pair.key, file: value.file)
                    guard let name = key.string(log, what: "a variable name"),
                          let text = YAMLValue(node: pair.value, file: value.file).string(log, what: "variable '\(name)'") else { continue }
                    variables[name] = text
                }
            } else {
                log.report("variables must be a mapping from name to value", at: value)
            }
        }
        if expectation.entries.isEmpty { log.report("expect checks nothing (give needs_approval, largest, malformed or amounts)", at: expectation.position) }
        return ApprovalCase(
            text: text, variables: variables, needsApproval: expectation.bool("needs_approval", log),
            largest: expectation.string("largest", in: "expect", log), malformed: expectation.string("malformed", in: "expect", log),
            amounts: expectation["amounts"].map { $0.stringList(log, what: "amounts")?.map(\.0) ?? [] })
    }

    /// The differences between the expected and the actual verdict; empty when the case passes.
    func failures(_ policy: ApprovalPolicy?) -> [String] {
        guard let policy else { return ["the rules have no approval.yaml, so no reply is checked for approval"] }
        let verdict = policy.check(text: text, variables: variables)
        var failures: [String] = []
        let described: String = switch verdict {
        case let .allowed(largest): "allowed (largest \(largest?.description ?? "none"))"
        case let .needsApproval(.aboveThreshold(amount)): "needs approval (\(amount) is above \(MoneyAmount.format(policy.thresholdMicros)) \(policy.currency))"
        case let .needsApproval(.noRate(amount)): "needs approval (no rate for \(amount.currency), \(amount))"
        case let .malformedAmount(variable): "malformed amount in variable \(variable)"
        }
        if let needsApproval, needsApproval != verdict.needsApproval || verdict.malformedVariable != nil {
            failures.append("needs_approval: expected \(needsApproval), got \(described)")
        }
        if let largest, largest != (verdict.largest?.description ?? "none") {
            failures.append("largest: expected \(largest), got \(described)")
        }
        if let malformed, malformed != verdict.malformedVariable {
            failures.append("malformed: expected variable \(malformed) to be refused, got \(described)")
        } else if malformed == nil, let variable = verdict.malformedVariable {
            failures.append("unexpected: variable \(variable) was refused as a malformed amount")
        }
        if let amounts {
            let found = policy.extractor.amounts(in: text).map(\.description)
            if found != amounts { failures.append("amounts: expected [\(amounts.joined(separator: ", "))], got [\(found.joined(separator: ", "))]") }
        }
        return failures
    }
}
