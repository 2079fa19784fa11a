import Foundation
@testable import SQLiteStorage
import StoreSupport
import SwitchboardCore
import Testing

/// The explanation is written by hand for speed; these keep it in step with what `JSONDecoder` reads.
@Suite("Stored JSON")
struct StorageJSONTests {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    static func sample(context: ConversationContext?, reasons: [RouteReason]?) -> Classification {
        var route = RouteDecision(routeID: "vip \"gold\"", fired: ["a", "b\\c"], queue: "vip", priority: 1, slaPolicy: "p1", autoReply: nil)
        route.reasons = reasons
        var classification = Classification(
            rulesVersion: "sha256:abc", language: "zh", customerTier: .vip, urgency: .high, urgencyScore: -3,
            sentiment: .negative, sentimentScore: 7,
            matches: [
                SignalMatch(
                    classifier: "urgency", signal: "anger", kind: .keyword, term: "态度太差", field: "text", start: 3, end: 15,
                    text: "態度太差\u{0}\n\t\r\u{1F}😀", weight: 4, negated: false, intensified: true),
                SignalMatch(classifier: "sentiment", signal: "wait", kind: .regex, term: "等了\\d+小时", field: "subject", start: nil, end: 9, weight: 2, negated: true),
                SignalMatch(classifier: "urgency", signal: "vip", kind: .field, term: "customer_tier=vip", field: nil, start: nil, end: nil, weight: 5, negated: false),
            ],
            route: route)
        classification.context = context
        return classification
    }

    @Test("the hand-written explanation decodes to the classification it was written from", arguments: [
        (ConversationContext?.none, [RouteReason]?.none),
        (ConversationContext(priorInboundMessages: 2, lastInboundAt: Date(timeIntervalSince1970: 1_763_827_200.125), waitingSince: nil, reopening: true),
         [RouteReason(route: "vip", condition: "customer_tier=vip"), RouteReason(route: "x", condition: "signal=a|b")]),
        (ConversationContext(priorInboundMessages: 0, lastInboundAt: nil, waitingSince: Date(timeIntervalSince1970: 1_700_000_000), reopening: false), []),
    ])
    func roundTrip(context: ConversationContext?, reasons: [RouteReason]?) throws {
        let original = Self.sample(context: context, reasons: reasons)
        let written = StoredJSON.classification(original)
        let decoded = try Self.decoder.decode(Classification.self, from: Data(written.utf8))
        #expect(decoded == original)
        // And it is the same document Foundation's encoder writes.
        let foundation = try APIAnswers.decode(JSONValue.self, from: SQLiteMessageStore.encoder.encode(original))
        let ours = try APIAnswers.decode(JSONValue.self, from: Data(written.utf8))
        #expect(ours == foundation)
    }
}
