import Foundation
import SwitchboardCore

extension SQLiteMessageStore {
    /// A message's explanation as stored: the same JSON `JSONEncoder` writes for ``Classification``
    /// (sorted keys, absent optionals left out, dates as seconds since 1970), written directly. Every
    /// inbound message stores one, and Foundation's encoder was the largest single cost of accepting a
    /// message. `StorageJSONTests` decodes the output with `JSONDecoder` to keep the two in step.
    static func json(_ classification: Classification) -> String {
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
        object.string("language", classification.language)
        object.objects("matches", classification.matches) { write(match: $1, into: &$0) }
        object.object("route") { write(route: classification.route, into: &$0) }
        object.string("rulesVersion", classification.rulesVersion)
        object.string("sentiment", classification.sentiment.rawValue)
        object.int("sentimentScore", classification.sentimentScore)
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
