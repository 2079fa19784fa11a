import Foundation
import SwitchboardCore

/// Decides who hears of an event and when: each target subscribed to the event's kind (and the
/// conversation's queue), plus those the rules name for it; an event below level 1 waits for the opening
/// of the target's calendar instead of waking someone at night, and a level-1 crisis goes at once.
public struct NotificationPlanner: NotificationRules {
    private let targets: [NotificationTarget]
    private let clocks: any ClockRules

    /// - Parameters:
    ///   - targets: the configured targets; a name the rules use that is not among them reaches nobody.
    ///   - clocks: the calendars quiet hours follow, and each policy's own calendar.
    public init(targets: [NotificationTarget], clocks: any ClockRules) {
        self.targets = targets
        self.clocks = clocks
    }

    public func notifications(for event: NotificationEvent) -> [PlannedNotification] {
        let chosen = targets.filter { target in
            if event.namedTargets.contains(target.id) { return true }
            guard target.events.contains(event.kind) else { return false }
            return target.queues?.contains(event.conversation.queue) ?? true
        }
        guard !chosen.isEmpty else { return [] }
        let payload = Self.payload(event)
        return chosen.map { target in
            PlannedNotification(target: target.id, kind: event.kind, payload: payload, notBefore: sendTime(of: event, to: target))
        }
    }

    /// The event's own time, or the next opening of the target's calendar when the event is below level 1
    /// and the calendar is closed.
    func sendTime(of event: NotificationEvent, to target: NotificationTarget) -> Date {
        guard event.level > 1 else { return event.at }
        let calendar: String?
        switch target.quietHours {
        case .none: return event.at
        case let .calendar(id): calendar = id
        case .policyCalendar:
            calendar = clocks.binding(policy: event.conversation.slaPolicy)
                .flatMap { binding in ClockKind.allCases.lazy.compactMap { binding.targets[$0]?.calendar }.first }
        }
        guard let calendar else { return event.at }
        return Self.opening(of: clocks.workingTime(calendar: calendar), at: event.at)
    }

    /// `at` when the calendar is open then, else the moment it next opens: the instant one working second
    /// after `at` has passed, less that second.
    static func opening(of time: any WorkingTime, at: Date) -> Date {
        max(at, time.adding(1, to: at).addingTimeInterval(-1))
    }

    /// The JSON body: Standard Webhooks' recommended `type`, `timestamp` and `data`. It names the
    /// conversation and what happened, never the customer's address or words.
    static func payload(_ event: NotificationEvent) -> String {
        let conversation = event.conversation
        let body = Payload(
            type: event.kind.rawValue, timestamp: event.at,
            data: .init(
                conversationID: conversation.id, reference: conversation.reference, source: conversation.source,
                channel: conversation.channel.rawValue, queue: conversation.queue, level: event.level, state: conversation.state.rawValue,
                owner: conversation.owner, previousOwner: event.previousOwner, urgency: conversation.urgency.rawValue,
                slaPolicy: conversation.slaPolicy, clock: event.clock?.rawValue, dueAt: event.dueAt, actor: event.actor, reason: event.reason,
                outboxID: event.approval?.outboxID, amount: event.approval?.amount, author: event.approval?.author,
                expiresAt: event.approval?.expiresAt,
                surveyID: event.survey?.surveyID, surveyKind: event.survey?.kind.rawValue, score: event.survey?.score,
                followUpConversationID: event.survey?.followUpConversationID))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Every field is a string, a number or a date: encoding cannot fail.
        return String(decoding: (try? encoder.encode(body)) ?? Data("{}".utf8), as: UTF8.self)
    }

    struct Payload: Encodable {
        struct Data: Encodable {
            var conversationID: String
            var reference: String
            var source: String
            var channel: String
            var queue: String
            var level: Int
            var state: String
            var owner: String?
            var previousOwner: String?
            var urgency: String
            var slaPolicy: String
            var clock: String?
            var dueAt: Date?
            var actor: String
            var reason: String?
            /// A held reply's (`approval.*`): its entry, amount, author and expiry.
            var outboxID: String?
            var amount: String?
            var author: String?
            var expiresAt: Date?
            var surveyID: String?
            var surveyKind: String?
            var score: Int?
            var followUpConversationID: String?

            enum CodingKeys: String, CodingKey {
                case reference, source, channel, queue, level, state, owner, urgency, clock, actor, reason, amount, author, score
                case surveyID = "survey_id"
                case surveyKind = "survey_kind"
                case followUpConversationID = "follow_up_conversation_id"
                case conversationID = "conversation_id"
                case previousOwner = "previous_owner"
                case slaPolicy = "sla_policy"
                case dueAt = "due_at"
                case outboxID = "outbox_id"
                case expiresAt = "expires_at"
            }
        }

        var type: String
        var timestamp: Date
        var data: Data
    }
}
