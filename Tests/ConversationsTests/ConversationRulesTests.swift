import Conversations
import Foundation
import SwitchboardCore
import Testing

@Suite("Conversation rules")
struct ConversationRulesTests {
    static let due = Date(timeIntervalSince1970: 10_000)

    static func conversation(priority: Int = 3, state: ConversationState = .new, owner: String? = nil) -> Conversation {
        var conversation = ThreadingPolicyTests.conversation("conv_1", state: state)
        conversation.priority = priority
        conversation.queue = "general"
        conversation.routeID = "default"
        conversation.slaPolicy = "standard"
        conversation.slaDueAt = due
        conversation.urgency = .high
        conversation.owner = owner
        return conversation
    }

    static func route(priority: Int) -> RouteDecision {
        RouteDecision(routeID: "r\(priority)", fired: [], queue: "q\(priority)", priority: priority, slaPolicy: "p\(priority)", autoReply: nil)
    }

    @Test("a conversation moves only to a more urgent route, keeping the earlier deadline", arguments: [
        (1, true), (2, true), (3, false), (5, false),
    ])
    func reroute(priority: Int, moves: Bool) {
        let later = Self.due.addingTimeInterval(3600), earlier = Self.due.addingTimeInterval(-3600)
        for newDue in [later, earlier] {
            let joined = ConversationRules.join(Self.conversation(priority: 3), route: Self.route(priority: priority), urgency: .low, sentiment: .negative, slaDueAt: newDue)
            #expect(joined.rerouted == moves)
            #expect(joined.conversation.queue == (moves ? "q\(priority)" : "general"))
            #expect(joined.conversation.priority == (moves ? priority : 3))
            #expect(joined.conversation.slaPolicy == (moves ? "p\(priority)" : "standard"))
            #expect(joined.conversation.slaDueAt == (moves ? min(Self.due, newDue) : Self.due))
            // Urgency only rises; sentiment is the latest message's.
            #expect(joined.conversation.urgency == .high)
            #expect(joined.conversation.sentiment == .negative)
        }
        let critical = ConversationRules.join(Self.conversation(), route: Self.route(priority: 3), urgency: .critical, sentiment: .neutral, slaDueAt: nil)
        #expect(critical.conversation.urgency == .critical)
    }

    @Test("a customer's message reopens a resolved conversation and resumes a waiting one; other states stay", arguments: ConversationState.allCases, [nil, "amy"] as [String?])
    func customerMessage(state: ConversationState, owner: String?) {
        let joined = ConversationRules.join(
            Self.conversation(state: state, owner: owner), route: Self.route(priority: 3), urgency: .low, sentiment: .neutral, slaDueAt: nil)
        #expect(joined.reopened == (state == .resolved))
        let expected: ConversationState = switch state {
        case .resolved: owner == nil ? .new : .assigned
        case .waitingOnCustomer: owner == nil ? .new : .inProgress
        default: state
        }
        #expect(joined.conversation.state == expected)
        #expect(joined.conversation.owner == owner)
        #expect(joined.lifecycle.transition?.effects.contains(.resumeClock) == (state == .waitingOnCustomer))
    }

    @Test("first-contact ownership: the first to answer owns the conversation; a new or assigned one moves to in progress", arguments: ConversationState.allCases)
    func ownership(state: ConversationState) {
        let first = ConversationRules.reply(to: Self.conversation(state: state), by: "alice")
        guard state != .closed else {
            // A closed conversation takes no agent action: the table refuses, and nothing changes.
            #expect(!first.ownerAssigned)
            #expect(first.conversation == Self.conversation(state: state))
            #expect(first.lifecycle.refusal?.code == .invalidTransition)
            return
        }
        #expect(first.ownerAssigned)
        #expect(first.conversation.owner == "alice")
        #expect(first.conversation.state == ([.new, .assigned].contains(state) ? .inProgress : state))
        let second = ConversationRules.reply(to: first.conversation, by: "bob")
        #expect(!second.ownerAssigned)
        #expect(second.conversation.owner == "alice")
    }
}
