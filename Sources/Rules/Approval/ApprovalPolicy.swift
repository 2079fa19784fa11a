import Foundation

/// The rules of `approval.yaml`: a reply that promises more than ``threshold`` (in ``currency``) must be
/// approved by a supervisor before it is sent. Exactly the threshold is allowed.
public struct ApprovalPolicy: Sendable {
    /// The threshold in millionths of the base currency.
    public var thresholdMicros: UInt128
    /// The base currency (ISO 4217 code) the threshold is in and amounts are converted to.
    public var currency: String
    /// Seconds a held reply waits for a decision before it expires.
    public var expiresAfter: Double
    /// Script variables whose value is an amount (`amount`, `compensation`); a value that is not one is refused.
    public var amountVariables: [String]
    /// How many millionths of the base currency one unit of another is worth.
    public var rateMicros: [String: UInt128]
    public var extractor: MoneyExtractor

    /// Four hours, the default of `expires_after`.
    public static let defaultExpiresAfter = 4.0 * 3600

    public init(
        thresholdMicros: UInt128, currency: String, expiresAfter: Double = ApprovalPolicy.defaultExpiresAfter,
        amountVariables: [String] = [], rateMicros: [String: UInt128] = [:], extractor: MoneyExtractor = MoneyExtractor()
    ) {
        self.thresholdMicros = thresholdMicros
        self.currency = currency
        self.expiresAfter = expiresAfter
        self.amountVariables = amountVariables
        self.rateMicros = rateMicros
        self.extractor = extractor
    }

    /// A policy from plain numbers written as text (`"500"`, `"7.2"`); nil when one is not a plain
    /// number with at most six decimals.
    public init?(
        threshold: String, currency: String, expiresAfter: Double = ApprovalPolicy.defaultExpiresAfter,
        amountVariables: [String] = [], rates: [String: String] = [:], extractor: MoneyExtractor = MoneyExtractor()
    ) {
        guard let thresholdMicros = MoneyAmount.micros(threshold) else { return nil }
        var rateMicros: [String: UInt128] = [:]
        for (code, rate) in rates {
            guard let micros = MoneyAmount.micros(rate) else { return nil }
            rateMicros[code] = micros
        }
        self.init(
            thresholdMicros: thresholdMicros, currency: currency, expiresAfter: expiresAfter, amountVariables: amountVariables,
            rateMicros: rateMicros, extractor: extractor)
    }

    public var threshold: Decimal { MoneyAmount.decimal(thresholdMicros) }

    /// Decides whether a reply needs approval. Pure: the same text and variables give the same verdict.
    ///
    /// Amounts are taken from `text` (the reply as the customer would read it), from every amount
    /// variable (whose whole value must be an amount; a bare number is in the base currency) and from
    /// the other variables' values as free text. An amount in a currency without a rate needs approval:
    /// it cannot be compared, and holding is the safe side.
    public func check(text: String, variables: [String: String] = [:]) -> ApprovalVerdict {
        var amounts: [MoneyAmount] = []
        for name in amountVariables {
            guard let value = variables[name] else { continue }
            guard let amount = extractor.wholeAmount(value.trimmingCharacters(in: .whitespacesAndNewlines), currency: currency) else {
                return .malformedAmount(variable: name)
            }
            amounts.append(amount)
        }
        let amountNames = Set(amountVariables)
        for (name, value) in variables.sorted(by: { $0.key < $1.key }) where !amountNames.contains(name) {
            amounts += extractor.amounts(in: value)
        }
        amounts += extractor.amounts(in: text)

        var largest: MoneyAmount?
        for amount in amounts {
            guard let converted = convert(amount) else { return .needsApproval(.noRate(amount)) }
            if largest.map({ converted.micros > $0.micros }) ?? true { largest = converted }
        }
        if let largest, largest.micros > thresholdMicros { return .needsApproval(.aboveThreshold(largest)) }
        return .allowed(largest: largest)
    }

    /// The amount in the base currency, or nil when there is no rate for its currency.
    public func convert(_ amount: MoneyAmount) -> MoneyAmount? {
        if amount.currency == currency { return amount }
        guard let rate = rateMicros[amount.currency] else { return nil }
        let product = amount.micros.multipliedFullWidth(by: rate)
        var micros = MoneyExtractor.ceilingMicros
        if product.high < 1_000_000 {
            micros = min(UInt128(1_000_000).dividingFullWidth(product).quotient, MoneyExtractor.ceilingMicros)
        }
        return MoneyAmount(currency: currency, micros: micros, range: amount.range)
    }
}
