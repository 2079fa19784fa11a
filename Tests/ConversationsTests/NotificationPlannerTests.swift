import Conversations
import Foundation
import Rules
import SwitchboardCore
import Testing

/// Who hears of an event, when, and with what: subscriptions, the names the rules add, queue filters,
/// quiet hours (level 1 never waits) and a payload that names the conversation but not the customer.
@Suite("Notification planner")
struct NotificationPlannerTests {
    /// The shipped Beijing calendar as the rules define it, and a policy on it.
    struct Rules: ClockRules {
        func binding(policy: String) -> ClockBinding? {
            switch policy {
            case "complaint": ClockBinding(targets: [.firstResponse: ClockTarget(policy: "complaint", seconds: 7200, calendar: "cn-support")], pausesWhileWaiting: true)
            case "incident": ClockBinding(targets: [.firstResponse: ClockTarget(policy: "incident", seconds: 1800)], pausesWhileWaiting: true)
            default: nil
            }
        }

        func workingTime(calendar: String?) -> any WorkingTime {
            calendar == "cn-support" ? ServiceClockTests.cnSupport : RoundTheClock()
        }
    }

    static func at(_ text: String) -> Date { ServiceClockTests.at(text) }

    static func event(
        _ kind: NotificationEvent.Kind, at time: String = "2026-03-04T03:00:00Z", priority: Int = 2, policy: String = "complaint",
        queue: String = "complaints", named: [String] = []
    ) -> NotificationEvent {
        var conversation = ConversationLifecycleTableTests.conversation(.escalated, priority: priority)
        conversation.slaPolicy = policy
        conversation.queue = queue
        conversation.customerAddress = "wang.fang@example.com"
        return NotificationEvent(kind: kind, conversation: conversation, at: at(time), actor: "sla-timer", clock: .firstResponse, dueAt: at(time), namedTargets: named)
    }

    static let planner = NotificationPlanner(targets: [
        NotificationTarget(id: "supervisors", events: [.slaWarning, .conversationEscalated], quietHours: .calendar("cn-support")),
        NotificationTarget(id: "complaints-desk", events: [.conversationAssigned, .conversationResolved], queues: ["complaints"], quietHours: .none),
        NotificationTarget(id: "management", events: [], quietHours: .none),
        NotificationTarget(id: "night-watch", quietHours: .policyCalendar),
    ], clocks: Rules())

    @Test("a target hears of the events it subscribes to, of its queues, and of what the rules name it for")
    func subscriptions() {
        func targets(_ event: NotificationEvent) -> [String] { Self.planner.notifications(for: event).map(\.target) }
        #expect(targets(Self.event(.slaWarning)) == ["supervisors", "night-watch"])
        #expect(targets(Self.event(.slaBreached)) == ["night-watch"])
        #expect(targets(Self.event(.slaBreached, named: ["supervisors", "management"])) == ["supervisors", "management", "night-watch"])
        #expect(targets(Self.event(.conversationAssigned)) == ["complaints-desk", "night-watch"])
        #expect(targets(Self.event(.conversationAssigned, queue: "billing")) == ["night-watch"])
        // A name the rules use that the configuration lacks reaches nobody, and breaks nothing.
        #expect(targets(Self.event(.slaBreached, named: ["nobody"])) == ["night-watch"])
    }

    @Test("below level 1 a notification waits for the calendar to open; a level-1 crisis goes at once")
    func quietHours() throws {
        // Wednesday 2026-03-04 at 20:00 in Beijing (12:00Z): the desk closed at 18:00 and opens at 09:00.
        let evening = "2026-03-04T12:00:00Z"
        let held = try #require(Self.planner.notifications(for: Self.event(.slaWarning, at: evening)).first { $0.target == "supervisors" })
        #expect(held.notBefore == Self.at("2026-03-05T01:00:00Z"))
        let crisis = try #require(Self.planner.notifications(for: Self.event(.slaWarning, at: evening, priority: 1)).first { $0.target == "supervisors" })
        #expect(crisis.notBefore == Self.at(evening))
        // Friday evening waits for Monday morning.
        let friday = try #require(Self.planner.notifications(for: Self.event(.slaWarning, at: "2026-03-06T11:30:00Z")).first { $0.target == "supervisors" })
        #expect(friday.notBefore == Self.at("2026-03-09T01:00:00Z"))
        // Inside the hours it goes at once; `none` never waits.
        let noon = Self.planner.notifications(for: Self.event(.slaWarning, at: "2026-03-04T03:00:00Z"))
        #expect(noon.allSatisfy { $0.notBefore == Self.at("2026-03-04T03:00:00Z") })
        let assigned = try #require(Self.planner.notifications(for: Self.event(.conversationAssigned, at: evening)).first { $0.target == "complaints-desk" })
        #expect(assigned.notBefore == Self.at(evening))
    }

    @Test("quiet hours follow the conversation's own policy calendar by default: none for a round-the-clock policy")
    func policyCalendar() throws {
        let evening = "2026-03-04T12:00:00Z"
        let complaint = try #require(Self.planner.notifications(for: Self.event(.slaBreached, at: evening)).first)
        #expect(complaint.target == "night-watch" && complaint.notBefore == Self.at("2026-03-05T01:00:00Z"))
        let incident = try #require(Self.planner.notifications(for: Self.event(.slaBreached, at: evening, policy: "incident")).first)
        #expect(incident.notBefore == Self.at(evening))
    }

    @Test("the payload is Standard Webhooks' type, timestamp and data: the conversation and what happened, not the customer")
    func payload() throws {
        let planned = try #require(Self.planner.notifications(for: Self.event(.slaBreached, named: ["management"])).first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(planned.payload.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "sla.breached")
        #expect(object["timestamp"] as? String == "2026-03-04T03:00:00Z")
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["conversation_id"] as? String == "conv_1")
        #expect(data["clock"] as? String == "first_response")
        #expect(data["level"] as? Int == 2)
        #expect(data["queue"] as? String == "complaints")
        #expect(data["actor"] as? String == "sla-timer")
        #expect(!planned.payload.contains("wang.fang"))
    }

    @Test("lifecycle events that notify: assignment (not a hand-off to a queue), escalation, resolution")
    func lifecycleEvents() {
        let conversation = ConversationLifecycleTableTests.conversation(.assigned)
        let amy = LifecycleActor(id: "amy", role: .agent)
        func kind(_ event: LifecycleEvent) -> NotificationEvent.Kind? { NotificationEvent(event, conversation: conversation, at: Date())?.kind }
        #expect(kind(LifecycleEvent(kind: .claimed, actor: amy, detail: ["owner": "amy"])) == .conversationAssigned)
        #expect(kind(LifecycleEvent(kind: .ownerAssigned, actor: amy, detail: ["owner": "bob"])) == .conversationAssigned)
        #expect(kind(LifecycleEvent(kind: .handedOff, actor: amy, reason: "over to you", detail: ["to_owner": "bob"])) == .conversationAssigned)
        #expect(kind(LifecycleEvent(kind: .handedOff, actor: amy, reason: "over to you", detail: ["to_queue": "billing"])) == nil)
        #expect(kind(LifecycleEvent(kind: .escalated, actor: amy, reason: "angry", detail: ["level": "2"])) == .conversationEscalated)
        #expect(kind(LifecycleEvent(kind: .resolved, actor: amy, reason: "refunded")) == .conversationResolved)
        for quiet in [LifecycleEvent.Kind.waitingOnCustomer, .resumed, .reopened, .closed, .noteAdded] {
            #expect(kind(LifecycleEvent(kind: quiet, actor: amy)) == nil)
        }
        // The hand-off note is internal: it is not carried to the receiver.
        let handoff = NotificationEvent(
            LifecycleEvent(kind: .handedOff, actor: amy, reason: "customer is rude", detail: ["to_owner": "bob"]), conversation: conversation, at: Date())
        #expect(handoff?.reason == nil)
    }
}
