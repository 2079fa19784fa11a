import Foundation
import SwitchboardCore

/// A customer's phone number in E.164 (`+8613800138000`), so the same customer writing through two
/// gateways, or with and without a trunk prefix, is one conversation.
public enum PhoneNumber {
    /// Normalizes a number as a gateway reports it.
    ///
    /// - `+…` and `00…` are international already.
    /// - A national number drops its trunk `0` and takes the default country code (`07700 900123` with
    ///   44 → `+447700900123`); one without a trunk prefix that does not already begin with the country code
    ///   takes it too (`13800138000` with 86 → `+8613800138000`).
    /// - Short codes (up to 6 digits) and alphanumeric sender names are kept as they are: they are
    ///   addresses, not E.164 numbers.
    ///
    /// - Parameter defaultCountryCode: digits only, without `+` (`86`, `44`, `1`).
    /// - Returns: nil when the text holds no usable number (empty, letters mixed into digits, too long).
    public static func e164(_ raw: String, defaultCountryCode: String) -> String? {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= 32 else { return nil }
        let separators: Set<Character> = [" ", "-", ".", "(", ")", "/", "\u{A0}"]
        let compact = trimmed.filter { !separators.contains($0) }
        guard !compact.isEmpty else { return nil }

        var international = false
        var digits = Substring(compact)
        if digits.hasPrefix("+") {
            international = true
            digits = digits.dropFirst()
        }
        guard digits.allSatisfy(\.isASCIIDigitCharacter) else {
            // An alphanumeric sender id ("BANK") is an address of its own; anything else mixed is not a number.
            return !international && isSenderName(trimmed, allowingSpaces: true) ? trimmed : nil
        }
        if international {
            return (7...15).contains(digits.count) && !digits.hasPrefix("0") ? "+" + digits : nil
        }
        if digits.count <= 6 { return digits.isEmpty ? nil : String(digits) }
        if digits.hasPrefix("00") {
            let rest = digits.dropFirst(2)
            return (7...15).contains(rest.count) && !rest.hasPrefix("0") ? "+" + rest : nil
        }
        let national: Substring
        if digits.hasPrefix("0") {
            national = digits.dropFirst()
        } else if digits.hasPrefix(defaultCountryCode), digits.count - defaultCountryCode.count >= 7, digits.count <= 15 {
            // Gateways often report international numbers without the plus (Kannel: 8613800138000).
            return "+" + digits
        } else {
            national = digits
        }
        let number = defaultCountryCode + national
        return (7...15).contains(number.count) ? "+" + number : nil
    }

    /// Whether the text is an alphanumeric sender id (`ACMEBANK`): 1 to 11 ASCII letters and digits with at
    /// least one letter, the most the GSM originating-address field carries.
    public static func isSenderName(_ text: String, allowingSpaces: Bool) -> Bool {
        (1...11).contains(text.count) && text.contains(where: \.isLetter)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || (allowingSpaces && $0 == " ")) }
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isWholeNumber }
}
