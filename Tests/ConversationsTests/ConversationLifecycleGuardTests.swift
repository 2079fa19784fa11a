import Conversations
import Foundation
import SwitchboardCore
import Testing

/// Who may take an action that the state allows.
@Suite("Conversation lifecycle guards")
struct ConversationLifecycleGuardTests {
    typealias T = ConversationLifecycleTableTests

    static func actor(_ id: String, _ role: LifecycleActor.Role) -> LifecycleActor { LifecycleActor(id: id, role: role) }

    @Test("an agent may assign a conversation only to themselves, and only one that is nobody's or theirs", arguments: [
        LifecycleActor.Role.agent, .ops,
    ])
    func agentAssigns(role: LifecycleActor.Role) {
        let amy = Self.actor("amy", role)
        // Taking an unowned conversation for themselves.
        let taken = ConversationLifecycle.apply(.assign(owner: "amy"), to: T.conversation(.new), by: amy).transition
        #expect(taken?.state == .assigned)
        #expect(taken?.owner == "amy")
        #expect(taken?.ownerChanged == true)
        #expect(taken?.events == [LifecycleEvent(kind: .ownerAssigned, actor: amy, detail: ["owner": "amy"])])

        // Giving it to someone else, or taking someone else's.
        let toBob = ConversationLifecycle.apply(.assign(owner: "bob"), to: T.conversation(.new), by: amy).refusal
        #expect(toBob?.code == .notPermitted)
        #expect(toBob?.state == .new)
        let bobs = T.conversation(.inProgress, owner: "bob")
        #expect(ConversationLifecycle.apply(.assign(owner: "amy"), to: bobs, by: amy).refusal?.code == .notPermitted)
        // Their own again: nothing moves.
        let own = ConversationLifecycle.apply(.assign(owner: "amy"), to: T.conversation(.inProgress), by: amy).transition
        #expect(own?.state == .inProgress)
        #expect(own?.ownerChanged == false)
    }

    @Test("a supervisor (and the gateway) assigns anyone, taking a conversation from its owner", arguments: [
        LifecycleActor.Role.supervisor, .system,
    ])
    func supervisorAssigns(role: LifecycleActor.Role) {
        let sue = Self.actor("sue", role)
        let moved = ConversationLifecycle.apply(.assign(owner: "bob"), to: T.conversation(.inProgress), by: sue, reason: "amy is out").transition
        #expect(moved?.state == .assigned)
        #expect(moved?.owner == "bob")
        #expect(moved?.events == [
            LifecycleEvent(kind: .ownerAssigned, actor: sue, reason: "amy is out", detail: ["owner": "bob", "previous_owner": "amy"]),
        ])
    }

    @Test("nobody claims a conversation that has an owner; an unowned one goes to the claimant")
    func claim() {
        for role in [LifecycleActor.Role.agent, .ops, .supervisor, .system] {
            let refusal = ConversationLifecycle.apply(.claim, to: T.conversation(.escalated), by: Self.actor("bob", role)).refusal
            #expect(refusal?.code == .notPermitted, "\(role)")
            #expect(refusal?.state == .escalated)
        }
        let bob = Self.actor("bob", .agent)
        let claimed = ConversationLifecycle.apply(.claim, to: T.conversation(.escalated, owner: .some(nil)), by: bob).transition
        #expect(claimed?.state == .escalated)
        #expect(claimed?.owner == "bob")
        #expect(claimed?.events == [LifecycleEvent(kind: .claimed, actor: bob, detail: ["owner": "bob"])])
    }

    /// The actions only the owner (or anyone, while nobody owns it) and supervisors take.
    static let ownerActions: [(state: ConversationState, action: LifecycleAction)] = [
        (.inProgress, .handoff(.owner("carl"))), (.inProgress, .handoff(.queue("billing"))), (.inProgress, .wait(until: nil)),
        (.inProgress, .resolve), (.resolved, .reopen), (.resolved, .close),
    ]

    @Test("hand-off, wait, resolve, reopen and close: the owner, anyone while unowned, or a supervisor; not another agent")
    func ownerGuard() {
        for (state, action) in Self.ownerActions {
            let amys = T.conversation(state), nobodys = T.conversation(state, owner: .some(nil))
            for role in [LifecycleActor.Role.agent, .ops] {
                let bob = Self.actor("bob", role)
                let refusal = ConversationLifecycle.apply(action, to: amys, by: bob).refusal
                #expect(refusal?.code == .notPermitted, "\(role) \(action)")
                #expect(refusal?.state == state)
                #expect(refusal?.allowedActions == ConversationLifecycle.allowedActions(in: state).filter { $0 != .customerMessage })
                #expect(ConversationLifecycle.apply(action, to: amys, by: Self.actor("amy", role)).transition != nil, "\(role) \(action)")
                #expect(ConversationLifecycle.apply(action, to: nobodys, by: bob).transition != nil, "\(role) \(action)")
            }
            for role in [LifecycleActor.Role.supervisor, .system] {
                #expect(ConversationLifecycle.apply(action, to: amys, by: Self.actor("sue", role)).transition != nil, "\(role) \(action)")
            }
        }
    }

    @Test("any agent may escalate, answer or annotate another agent's conversation; the owner stays")
    func openToAnyAgent() {
        let bob = Self.actor("bob", .agent)
        for action in [LifecycleAction.escalate(EscalationLevel(1)!), .agentReply, .note] {
            let transition = ConversationLifecycle.apply(action, to: T.conversation(.inProgress), by: bob).transition
            #expect(transition?.owner == "amy", "\(action)")
            #expect(transition?.ownerChanged == false)
        }
    }

    @Test("only a customer sends a customer message, and a customer does nothing else")
    func customerRole() {
        for role in [LifecycleActor.Role.agent, .ops, .supervisor, .system] {
            let refusal = ConversationLifecycle.apply(.customerMessage, to: T.conversation(.inProgress), by: Self.actor("amy", role)).refusal
            #expect(refusal?.code == .notPermitted, "\(role)")
            #expect(refusal?.allowedActions.contains(.customerMessage) == false)
        }
        for sample in T.samples where sample.kind != .customerMessage {
            for state in ConversationState.allCases {
                let refusal = ConversationLifecycle.apply(sample.action, to: T.conversation(state), by: T.customer).refusal
                #expect(refusal?.code == .notPermitted, "\(state) \(sample.name)")
                #expect(refusal?.allowedActions == [.customerMessage])
            }
        }
    }

    @Test("only the gateway ends a wait on the customer: agents, supervisors and ops are refused, and not offered it")
    func waitEndedIsTheGateways() {
        for role in [LifecycleActor.Role.agent, .ops, .supervisor] {
            let refusal = ConversationLifecycle.apply(.waitEnded, to: T.conversation(.waitingOnCustomer), by: Self.actor("amy", role)).refusal
            #expect(refusal?.code == .notPermitted, "\(role)")
            #expect(refusal?.allowedActions.contains(.waitEnded) == false)
        }
        let ended = ConversationLifecycle.apply(.waitEnded, to: T.conversation(.waitingOnCustomer), by: Self.actor("sla-timer", .system)).transition
        #expect(ended?.state == .inProgress && ended?.effects == [.resumeClock] && ended?.events.map(\.kind) == [.waitEnded])
        let unowned = ConversationLifecycle.apply(
            .waitEnded, to: T.conversation(.waitingOnCustomer, owner: .some(nil)), by: Self.actor("sla-timer", .system)).transition
        #expect(unowned?.state == .new)
    }

    @Test("escalation levels are 1 to 4")
    func escalationLevels() {
        #expect(EscalationLevel(0) == nil)
        #expect(EscalationLevel(5) == nil)
        #expect(EscalationLevel(-1) == nil)
        #expect((1...4).compactMap(EscalationLevel.init).map(\.value) == [1, 2, 3, 4])
    }
}
