/// Writes one JSON object member by member; members whose value is nil are left out, as the
/// synthesized `Encodable` conformances do. Callers add members in sorted key order.
///
/// It exists for hot paths (every stored message, every accepted request), where `JSONEncoder`'s generic
/// machinery costs more than the document it writes.
public struct JSONObjectWriter: Sendable {
    public init() {}

    private var out = "{"
    private var empty = true

    private mutating func key(_ name: String) {
        if !empty { out += "," }
        empty = false
        Self.appendString(name, to: &out)
        out += ":"
    }

    /// A string member.
    public mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        Self.appendString(value, to: &out)
    }

    /// An integer member.
    public mutating func int(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        out += String(value)
    }

    /// A Boolean member.
    public mutating func bool(_ name: String, _ value: Bool?) {
        guard let value else { return }
        key(name)
        out += value ? "true" : "false"
    }

    /// A number member; whole numbers are written without a fraction.
    public mutating func double(_ name: String, _ value: Double?) {
        guard let value, value.isFinite else { return }
        key(name)
        out += value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// A member whose value is already JSON.
    public mutating func raw(_ name: String, _ json: String) {
        key(name)
        out += json
    }

    /// The finished object.
    public func finish() -> String { out + "}" }

    /// A JSON array of strings.
    public static func array(_ values: [String]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            appendString(value, to: &out)
        }
        return out + "]"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    public static func appendString(_ text: String, to out: inout String) {
        out += "\""
        // Most strings need no escaping and are appended whole.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
            out += text
            out += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + scalar.value.zeroPadded(4, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
