import Foundation

/// Durations as ops write them: `30s`, `5m`, `2h`, `1d`, `3y` (365-day years), or combinations such as `1h30m`.
public enum DurationText {
    /// Seconds, or nil when the text is not a positive duration in this form (`250ms` is accepted too).
    /// - Parameter allowingZero: also accept zero, written `0` or with any unit (`0ms`, `0s`), for
    ///   settings where zero means "do not wait".
    public static func seconds(_ text: String, allowingZero: Bool = false) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if allowingZero, !trimmed.isEmpty, trimmed.allSatisfy({ $0 == "0" }) { return 0 }
        if trimmed.hasSuffix("ms") {
            guard let millis = Double(trimmed.dropLast(2)), millis > 0 || (allowingZero && millis == 0) else { return nil }
            return millis / 1000
        }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in trimmed {
            if character.isASCII, character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            case "y": total += value * 365 * 86400
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total > 0 || (allowingZero && total == 0) else { return nil }
        return total
    }
}
