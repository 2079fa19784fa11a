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
