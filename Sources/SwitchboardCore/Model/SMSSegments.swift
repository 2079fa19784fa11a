/// How a text travels as SMS: in GSM-7 when every character is in the GSM 03.38 alphabet, otherwise in
/// UCS-2, and in how many segments. A single message carries 160 septets or 70 UCS-2 units; a long one
/// is concatenated, and the 6-byte concatenation header leaves 153 septets or 67 units per segment.
///
/// Providers split and add those headers themselves (Kannel's smsbox, Twilio); the split here is the same
/// arithmetic, so the segment count — what the customer's phone shows and what the operator bills — is known,
/// and limited, before a reply is queued.
public struct SMSSegments: Sendable, Equatable {
    public enum Encoding: String, Sendable {
        case gsm7 = "GSM-7"
        case ucs2 = "UCS-2"

        /// The data coding Kannel's `sendsms` takes: 0 for the 7-bit default alphabet, 2 for UCS-2.
        public var kannelCoding: Int { self == .gsm7 ? 0 : 2 }
    }

    public var encoding: Encoding
    /// The text of each segment, in order; joined they are the whole text.
    public var segments: [String]
    /// Septets (GSM-7, an escaped character counts two) or UTF-16 units (UCS-2) in the whole text.
    public var units: Int

    public var count: Int { segments.count }

    public init(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        if scalars.allSatisfy({ Self.septets($0) != nil }) {
            self.encoding = .gsm7
            self.units = scalars.reduce(0) { $0 + (Self.septets($1) ?? 0) }
            self.segments = Self.split(scalars, total: units, single: 160, perSegment: 153) { Self.septets($0) ?? 2 }
        } else {
            self.encoding = .ucs2
            self.units = scalars.reduce(0) { $0 + ($1.value > 0xFFFF ? 2 : 1) }
            self.segments = Self.split(scalars, total: units, single: 70, perSegment: 67) { $0.value > 0xFFFF ? 2 : 1 }
        }
    }

    /// Cuts between characters, never inside an escape pair or a surrogate pair.
    private static func split(
        _ scalars: [Unicode.Scalar], total: Int, single: Int, perSegment: Int, cost: (Unicode.Scalar) -> Int
    ) -> [String] {
        if total <= single { return [String(String.UnicodeScalarView(scalars))] }
        var segments: [String] = []
        var current = String.UnicodeScalarView()
        var used = 0
        for scalar in scalars {
            let units = cost(scalar)
            if used + units > perSegment {
                segments.append(String(current))
                current = String.UnicodeScalarView()
                used = 0
            }
            current.append(scalar)
            used += units
        }
        if !current.isEmpty { segments.append(String(current)) }
        return segments
    }

    /// Septets a character takes in GSM-7, or nil when the alphabet lacks it.
    static func septets(_ scalar: Unicode.Scalar) -> Int? {
        if basic.contains(scalar) { return 1 }
        if extensionTable.contains(scalar) { return 2 }
        return nil
    }

    /// The GSM 03.38 default alphabet (less the escape code itself).
    static let basic: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars)

    /// Characters reached through the escape code, two septets each.
    static let extensionTable: Set<Unicode.Scalar> = Set("\u{0C}^{}\\[~]|€".unicodeScalars)
}
