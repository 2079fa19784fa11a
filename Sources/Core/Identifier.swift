import Foundation

/// Generates time-ordered, collision-resistant ids with a readable prefix (`msg_`, `conv_`, `out_`).
public enum Identifier {
    /// A new id: the prefix, 12 hex digits of milliseconds since 1970, then 16 random hex digits.
    public static func make(_ prefix: String, at date: Date = Date()) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var generator = SystemRandomNumberGenerator()
        let random = generator.next() as UInt64
        return prefix + "_" + hex(millis, width: 12) + hex(random, width: 16)
    }

    private static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
