import Foundation
import SwitchboardCore

/// The JSON both SQL stores keep in their text columns, written the same way by each, so a database moved
/// from one store to the other reads back as it was written.
public enum StoredJSON {
    /// Sorted keys and dates as seconds since 1970: the columns' encoding.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    /// Reads what ``encoder`` wrote.
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    /// `value` as a JSON string in the columns' encoding.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// An event's detail as a JSON object with sorted keys, written directly: every message writes two or
    /// three events inside its write transaction, where JSONEncoder's cost holds up every other writer.
    public static func object(_ detail: [String: String]) -> String {
        var object = JSONObjectWriter()
        for key in detail.keys.sorted() { object.string(key, detail[key]) }
        return object.finish()
    }

    /// A message's explanation as stored: the same JSON `JSONEncoder` writes for ``Classification``
    /// (sorted keys, absent optionals left out, dates as seconds since 1970), written directly. Every
    /// inbound message stores one, and Foundation's encoder was the largest single cost of accepting a
    /// message. `StorageJSONTests` decodes the output with `JSONDecoder` to keep the two in step.
    public static func classification(_ classification: Classification) -> String {
        // Written into one growing string: nested objects and arrays go straight into it.
        var object = JSONObjectWriter(capacity: 1024 + 256 * classification.matches.count)
        if let context = classification.context {
            object.object("context") { nested in
                nested.double("lastInboundAt", context.lastInboundAt?.timeIntervalSince1970)
                nested.int("priorInboundMessages", context.priorInboundMessages)
                nested.bool("reopening", context.reopening)
                nested.double("waitingSince", context.waitingSince?.timeIntervalSince1970)
            }
        }
        object.string("customerTier", classification.customerTier.rawValue)
        object.string("intent", classification.intent)
        object.string("language", classification.language)
        object.objects("matches", classification.matches) { write(match: $1, into: &$0) }
        object.object("route") { write(route: classification.route, into: &$0) }
        object.string("rulesVersion", classification.rulesVersion)
        object.string("sentiment", classification.sentiment.rawValue)
        object.int("sentimentScore", classification.sentimentScore)
        object.string("sentimentStrength", classification.sentimentStrength?.rawValue)
        object.string("urgency", classification.urgency.rawValue)
        object.int("urgencyScore", classification.urgencyScore)
        return object.finish()
    }

    private static func write(match: SignalMatch, into object: inout JSONObjectWriter) {
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
    }

    private static func write(route: RouteDecision, into object: inout JSONObjectWriter) {
        object.string("autoReply", route.autoReply)
        object.strings("fired", route.fired)
        object.int("priority", route.priority)
        object.string("queue", route.queue)
        if let reasons = route.reasons {
            object.objects("reasons", reasons) { nested, reason in
                nested.string("condition", reason.condition)
                nested.string("route", reason.route)
            }
        }
        object.string("routeID", route.routeID)
        object.string("slaPolicy", route.slaPolicy)
    }
}
