/// Writes one JSON object member by member; members whose value is nil are left out, as the
/// synthesized `Encodable` conformances do. Callers add members in sorted key order.
///
/// It exists for hot paths (every stored message, every accepted request), where `JSONEncoder`'s generic
/// machinery costs more than the document it writes.
public struct JSONObjectWriter: Sendable {
    public init() {}

    /// A writer whose output is expected to reach about `capacity` bytes, so it grows once.
    public init(capacity: Int) {
        out.reserveCapacity(capacity)
    }

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

    /// An object member, written by `body` into this writer's own output rather than into a string of its
    /// own that is then copied in.
    public mutating func object(_ name: String, _ body: (inout JSONObjectWriter) -> Void) {
        key(name)
        writeObject(body)
    }

    /// An array member holding one object per element, each written in place by `body`.
    public mutating func objects<Elements: Sequence>(
        _ name: String, _ elements: Elements, _ body: (inout JSONObjectWriter, Elements.Element) -> Void
    ) {
        key(name)
        out += "["
        var first = true
        for element in elements {
            if !first { out += "," }
            first = false
            writeObject { body(&$0, element) }
        }
        out += "]"
    }

    /// An array-of-strings member.
    public mutating func strings(_ name: String, _ values: [String]) {
        key(name)
        Self.appendArray(values, to: &out)
    }

    /// Hands this writer's output to a nested writer and takes it back, so nesting copies nothing.
    private mutating func writeObject(_ body: (inout JSONObjectWriter) -> Void) {
        var nested = JSONObjectWriter()
        swap(&nested.out, &out)
        nested.out += "{"
        body(&nested)
        nested.out += "}"
        swap(&nested.out, &out)
    }

    /// The finished object.
    public func finish() -> String { out + "}" }

    /// A JSON array of strings.
    public static func array(_ values: [String]) -> String {
        var out = ""
        appendArray(values, to: &out)
        return out
    }

    private static func appendArray(_ values: [String], to out: inout String) {
        out += "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            appendString(value, to: &out)
        }
        out += "]"
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
