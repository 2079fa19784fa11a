import Foundation

/// An amount of money found in text or in a variable's value: what was written, not converted.
public struct MoneyAmount: Sendable, Equatable, CustomStringConvertible {
    /// ISO 4217 code of the currency the marks around the number name (`CNY`, `USD`).
    public var currency: String
    /// The value in millionths of the currency's unit. Amounts are read to six decimals, and kept as
    /// integers because Decimal arithmetic costs microseconds per operation on a hot path.
    public var micros: UInt128
    /// Where the amount is written, marks included (`人民币600元` as a whole), in the string it was found in
    /// (the text, or a variable's value).
    public var range: Range<String.Index>

    public init(currency: String, micros: UInt128, range: Range<String.Index>) {
        self.currency = currency
        self.micros = micros
        self.range = range
    }

    public var value: Decimal { Self.decimal(micros) }

    /// Millionths as a Decimal, exactly.
    public static func decimal(_ micros: UInt128) -> Decimal {
        let split = UInt128(1_000_000_000_000_000_000)
        var significand = Decimal(UInt64(micros % split))
        if micros >= split { significand += Decimal(UInt64(micros / split)) * Decimal(sign: .plus, exponent: 18, significand: 1) }
        return Decimal(sign: .plus, exponent: -6, significand: significand)
    }

    /// `600 CNY`, `1200.5 CNY`: the form golden tests and messages use.
    public var description: String { "\(MoneyAmount.format(micros)) \(currency)" }

    /// A value without grouping or trailing zeros, `.` as the decimal point whatever the locale.
    public static func format(_ micros: UInt128) -> String {
        let whole = micros / 1_000_000
        var fraction = String(micros % 1_000_000)
        if fraction == "0" { return String(whole) }
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    /// `500`, `7.2`, `0.000001`: digits with an optional fraction of at most six digits and at most
    /// twelve whole digits, as millionths; nil for anything else (signs, exponents, grouping).
    public static func micros(_ text: String) -> UInt128? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].count <= 12, parts.count == 1 || parts[1].count <= 6,
              parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else { return nil }
        var value = UInt128(parts[0])! * 1_000_000
        if parts.count == 2 { value += UInt128(parts[1] + String(repeating: "0", count: 6 - parts[1].count))! }
        return value
    }
}
