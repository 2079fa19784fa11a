import Foundation

/// Generates time-ordered, collision-resistant ids with a readable prefix (`msg_`, `conv_`, `out_`).
public enum Identifier {
    /// A new id: the prefix, 12 hex digits of milliseconds since 1970, then 16 random hex digits.
    public static func make(_ prefix: String, at date: Date = Date()) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var generator = SystemRandomNumberGenerator()
        let random = generator.next() as UInt64
        return prefix + "_" + millis.zeroPadded(12, radix: 16) + random.zeroPadded(16, radix: 16)
    }
}
