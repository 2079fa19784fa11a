import Foundation
import SwitchboardCore

/// The rules of `surveys.yaml`: when a resolved conversation's satisfaction survey goes out, how long
/// its answer is accepted, which question is asked, and where a low score's follow-up opens.
public struct SurveyPolicy: Sendable, Equatable {
    /// One question the gateway can ask: the script that asks it, and the scores that open a follow-up.
    public struct Kind: Sendable, Equatable {
        public var script: String
        /// A score at or below this opens a follow-up; inside the kind's scale.
        public var followUpAtOrBelow: Int

        public init(script: String, followUpAtOrBelow: Int) {
            self.script = script
            self.followUpAtOrBelow = followUpAtOrBelow
        }
    }

    /// Where a low score's follow-up conversation opens.
    public struct FollowUp: Sendable, Equatable {
        /// A queue of `routes.yaml`.
        public var queue: String
        /// A policy of `sla.yaml`.
        public var slaPolicy: String
        /// 1 (most urgent) to 4.
        public var priority: Int

        public init(queue: String, slaPolicy: String, priority: Int = SurveyPolicy.defaultFollowUpPriority) {
            self.queue = queue
            self.slaPolicy = slaPolicy
            self.priority = priority
        }
    }

    /// Seconds from the resolution to the question.
    public var delay: Double
    /// Seconds after the question an answer is still accepted.
    public var window: Double
    /// At most one survey per customer in this many seconds (0: no limit).
    public var minInterval: Double
    /// The kind a resolution sends; always one of ``kinds``.
    public var send: SurveyKind
    /// The kinds configured: the one sent, and any other whose answers are still accepted (a survey
    /// sent before `send` changed is still answered and followed up under its own kind's rules).
    public var kinds: [SurveyKind: Kind]
    public var followUp: FollowUp

    /// One hour, the default of `delay`.
    public static let defaultDelay = 3600.0
    /// Seven days, the default of `window`.
    public static let defaultWindow = 7 * 86400.0
    /// Seven days, the default of `min_interval`.
    public static let defaultMinInterval = 7 * 86400.0
    public static let defaultFollowUpPriority = 2

    public init(
        delay: Double = SurveyPolicy.defaultDelay, window: Double = SurveyPolicy.defaultWindow,
        minInterval: Double = SurveyPolicy.defaultMinInterval, send: SurveyKind = .csat, kinds: [SurveyKind: Kind], followUp: FollowUp
    ) {
        precondition(kinds[send] != nil, "the kind a resolution sends must be configured")
        self.delay = delay
        self.window = window
        self.minInterval = minInterval
        self.send = send
        self.kinds = kinds
        self.followUp = followUp
    }

    /// The default low-score line of a kind: 2 of 1–5 for CSAT (the standards' "at or below 2"), 6 of
    /// 0–10 for NPS (the detractors).
    public static func defaultFollowUpAtOrBelow(_ kind: SurveyKind) -> Int {
        switch kind {
        case .csat: 2
        case .nps: 6
        }
    }

    /// The settings of the kind a resolution sends.
    public var sent: Kind { kinds[send]! }
}
