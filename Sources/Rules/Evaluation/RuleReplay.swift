import Foundation
import SwitchboardCore

/// Runs the same messages through two rule sets and reports every message whose outcome (urgency,
/// sentiment and its strength, intent, queue, route) would change,
/// so ops see the effect of an edit before it goes live.
public enum RuleReplay {
    /// One message to replay, with an id to report it by.
    public struct Item: Sendable {
        public var id: String
        public var input: ClassificationInput

        public init(id: String, input: ClassificationInput) {
            self.id = id
            self.input = input
        }
    }

    /// How one message's outcome differs; each changed field maps to `[old, new]`.
    public struct Difference: Sendable, Encodable, Equatable {
        public var id: String
        public var changes: [String: [String]]
        public var oldSignals: [String]
        public var newSignals: [String]
    }

    /// Counts over the whole replay.
    public struct Summary: Sendable, Encodable, Equatable {
        public var messages = 0
        public var changed = 0
        public var urgency = 0
        public var sentiment = 0
        /// Messages negative under both whose strength (mild, strong) changed.
        public var strength = 0
        public var intent = 0
        public var queue = 0
        public var route = 0
        public var oldVersion = ""
        public var newVersion = ""
    }

    /// Compares every item under `old` and `new`; `report` receives each difference as it is found.
    public static func run(
        _ items: some Sequence<Item>, old: RuleSet, new: RuleSet, report: (Difference) -> Void
    ) -> Summary {
        var summary = Summary(oldVersion: old.version, newVersion: new.version)
        for item in items {
            summary.messages += 1
            let before = old.classify(item.input)
            let after = new.classify(item.input)
            var changes: [String: [String]] = [:]
            if before.urgency != after.urgency {
                changes["urgency"] = [before.urgency.rawValue, after.urgency.rawValue]
                summary.urgency += 1
            }
            if before.sentiment != after.sentiment {
                changes["sentiment"] = [before.sentiment.rawValue, after.sentiment.rawValue]
                summary.sentiment += 1
            }
            if before.sentiment == after.sentiment, before.sentimentStrength != after.sentimentStrength {
                changes["sentiment_strength"] = [before.sentimentStrength?.rawValue ?? "none", after.sentimentStrength?.rawValue ?? "none"]
                summary.strength += 1
            }
            if before.intent != after.intent {
                changes["intent"] = [before.intent ?? "none", after.intent ?? "none"]
                summary.intent += 1
            }
            if before.route.queue != after.route.queue {
                changes["queue"] = [before.route.queue, after.route.queue]
                summary.queue += 1
            }
            if before.route.routeID != after.route.routeID {
                changes["route"] = [before.route.routeID, after.route.routeID]
                summary.route += 1
            }
            guard !changes.isEmpty else { continue }
            summary.changed += 1
            report(Difference(id: item.id, changes: changes, oldSignals: before.firedSignals, newSignals: after.firedSignals))
        }
        return summary
    }
}
