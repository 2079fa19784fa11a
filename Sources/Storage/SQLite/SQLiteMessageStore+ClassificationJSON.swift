import Foundation
import SwitchboardCore

extension SQLiteMessageStore {
    /// A message's explanation as stored: the same JSON `JSONEncoder` writes for ``Classification``
    /// (sorted keys, absent optionals left out, dates as seconds since 1970), written directly. Every
    /// inbound message stores one, and Foundation's encoder was the largest single cost of accepting a
    /// message. `StorageJSONTests` decodes the output with `JSONDecoder` to keep the two in step.
    static func json(_ classification: Classification) -> String {
        var object = JSONObjectWriter()
        if let context = classification.context {
            var nested = JSONObjectWriter()
            nested.double("lastInboundAt", context.lastInboundAt?.timeIntervalSince1970)
            nested.int("priorInboundMessages", context.priorInboundMessages)
            nested.bool("reopening", context.reopening)
            nested.double("waitingSince", context.waitingSince?.timeIntervalSince1970)
            object.raw("context", nested.finish())
        }
        object.string("customerTier", classification.customerTier.rawValue)
        object.string("language", classification.language)
        object.raw("matches", "[" + classification.matches.map(json(match:)).joined(separator: ",") + "]")
        object.raw("route", json(route: classification.route))
        object.string("rulesVersion", classification.rulesVersion)
        object.string("sentiment", classification.sentiment.rawValue)
        object.int("sentimentScore", classification.sentimentScore)
        object.string("urgency", classification.urgency.rawValue)
        object.int("urgencyScore", classification.urgencyScore)
        return object.finish()
    }

    private static func json(match: SignalMatch) -> String {
        var object = JSONObjectWriter()
        object.string("classifier", match.classifier)
        object.int("end", match.end)
        object.string("field", match.field)
        object.bool("intensified", match.intensified)
        object.string("kind", match.kind.rawValue)
        object.bool("negated", match.negated)
        object.string("signal", match.signal)
        object.int("start", match.start)
        object.string("term", match.term)
        object.string("text", match.text)
        object.int("weight", match.weight)
        return object.finish()
    }

    private static func json(route: RouteDecision) -> String {
        var object = JSONObjectWriter()
        object.string("autoReply", route.autoReply)
        object.raw("fired", JSONObjectWriter.array(route.fired))
        object.int("priority", route.priority)
        object.string("queue", route.queue)
        if let reasons = route.reasons {
            object.raw("reasons", "[" + reasons.map { reason in
                var nested = JSONObjectWriter()
                nested.string("condition", reason.condition)
                nested.string("route", reason.route)
                return nested.finish()
            }.joined(separator: ",") + "]")
        }
        object.string("routeID", route.routeID)
        object.string("slaPolicy", route.slaPolicy)
        return object.finish()
    }
}

/// Writes one JSON object member by member; members whose value is nil are left out, as the
/// synthesized `Encodable` conformances do. Callers add members in sorted key order.
struct JSONObjectWriter {
    private var out = "{"
    private var empty = true

    private mutating func key(_ name: String) {
        if !empty { out += "," }
        empty = false
        Self.appendString(name, to: &out)
        out += ":"
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        Self.appendString(value, to: &out)
    }

    mutating func int(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        out += String(value)
    }

    mutating func bool(_ name: String, _ value: Bool?) {
        guard let value else { return }
        key(name)
        out += value ? "true" : "false"
    }

    mutating func double(_ name: String, _ value: Double?) {
        guard let value, value.isFinite else { return }
        key(name)
        out += value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// A member whose value is already JSON.
    mutating func raw(_ name: String, _ json: String) {
        key(name)
        out += json
    }

    func finish() -> String { out + "}" }

    /// A JSON array of strings.
    static func array(_ values: [String]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            appendString(value, to: &out)
        }
        return out + "]"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func appendString(_ text: String, to out: inout String) {
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
