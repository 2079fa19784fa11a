import Conversations
import Foundation
import SwitchboardCore
import Testing

/// Every state against every action, checked against an expectation list written here by hand, apart
/// from the table: an action the list leaves out must be refused as `invalid_transition`, naming the
/// state and what it does allow.
@Suite("Conversation lifecycle table")
struct ConversationLifecycleTableTests {
    static let supervisor = LifecycleActor(id: "sue", role: .supervisor)
    static let gateway = LifecycleActor(id: "sla-timer", role: .system)
    static let customer = LifecycleActor(id: "cust@example.com", role: .customer)

    /// A conversation in `state`; owned by "amy" unless it is new (which never has an owner).
    static func conversation(_ state: ConversationState, owner: String?? = .none, priority: Int = 3) -> Conversation {
        var conversation = ThreadingPolicyTests.conversation("conv_1", state: state)
        conversation.owner = owner ?? (state == .new ? nil : "amy")
        conversation.priority = priority
        conversation.queue = "general"
        return conversation
    }

    /// One sample of each action (two for the hand-off), by the name the expectations use.
    static let samples: [(name: String, kind: LifecycleAction.Kind, action: LifecycleAction)] = [
        ("assign", .assign, .assign(owner: "bob")),
        ("claim", .claim, .claim),
        ("handoff-owner", .handoff, .handoff(.owner("bob"))),
        ("handoff-queue", .handoff, .handoff(.queue("billing"))),
        ("escalate", .escalate, .escalate(EscalationLevel(2)!)),
        ("wait", .wait, .wait(until: nil)),
        ("resolve", .resolve, .resolve),
        ("reopen", .reopen, .reopen),
        ("close", .close, .close),
        ("agent_reply", .agentReply, .agentReply),
        ("customer_message", .customerMessage, .customerMessage),
        ("note", .note, .note),
        ("wait_ended", .waitEnded, .waitEnded),
    ]

    /// The state each allowed action leads to, taken by a supervisor (a customer for customer_message) on a
    /// conversation owned by amy (unowned for new, and for claim). Anything not listed is refused.
    static let expected: [ConversationState: [String: ConversationState]] = [
        .new: [
            "assign": .assigned, "claim": .assigned, "handoff-owner": .assigned, "handoff-queue": .new, "escalate": .escalated,
            "resolve": .resolved, "agent_reply": .inProgress, "customer_message": .new, "note": .new,
        ],
        .assigned: [
            "assign": .assigned, "handoff-owner": .assigned, "handoff-queue": .new, "escalate": .escalated,
            "wait": .waitingOnCustomer, "resolve": .resolved, "agent_reply": .inProgress, "customer_message": .assigned,
            "note": .assigned,
        ],
        .inProgress: [
            "assign": .assigned, "handoff-owner": .assigned, "handoff-queue": .new, "escalate": .escalated,
            "wait": .waitingOnCustomer, "resolve": .resolved, "agent_reply": .inProgress, "customer_message": .inProgress,
            "note": .inProgress,
        ],
        .waitingOnCustomer: [
            "assign": .waitingOnCustomer, "claim": .waitingOnCustomer, "handoff-owner": .waitingOnCustomer,
            "handoff-queue": .waitingOnCustomer, "escalate": .escalated, "wait": .waitingOnCustomer, "resolve": .resolved,
            "agent_reply": .waitingOnCustomer, "customer_message": .inProgress, "note": .waitingOnCustomer,
            "wait_ended": .inProgress,
        ],
        .escalated: [
            "assign": .escalated, "claim": .escalated, "handoff-owner": .escalated, "handoff-queue": .escalated,
            "escalate": .escalated, "wait": .waitingOnCustomer, "resolve": .resolved, "agent_reply": .escalated,
            "customer_message": .escalated, "note": .escalated,
        ],
        .resolved: [
            "reopen": .assigned, "close": .closed, "agent_reply": .resolved, "customer_message": .assigned, "note": .resolved,
        ],
        .closed: [
            "customer_message": .closed,
        ],
    ]

    @Test("the expectations cover every state")
    func everyStateListed() {
        #expect(Set(Self.expected.keys) == Set(ConversationState.allCases))
        #expect(Set(Self.samples.map(\.kind)) == Set(LifecycleAction.Kind.allCases))
    }

    @Test("each state allows exactly the actions the expectations list", arguments: ConversationState.allCases)
    func allowedActions(state: ConversationState) {
        let listed = Set(Self.samples.filter { Self.expected[state]?[$0.name] != nil }.map(\.kind))
        #expect(Set(ConversationLifecycle.allowedActions(in: state)) == listed)
        // Listed in table order, each once.
        let allowed = ConversationLifecycle.allowedActions(in: state)
        #expect(allowed == allowed.sorted())
        #expect(Set(allowed).count == allowed.count)
    }

    @Test("every state × action pair is applied or refused as expected", arguments: ConversationState.allCases)
    func everyPair(state: ConversationState) {
        for sample in Self.samples {
            let actor = sample.kind == .customerMessage ? Self.customer : sample.kind == .waitEnded ? Self.gateway : Self.supervisor
            let subject = sample.kind == .claim ? Self.conversation(state, owner: .some(nil)) : Self.conversation(state)
            let outcome = ConversationLifecycle.apply(sample.action, to: subject, by: actor)
            if let target = Self.expected[state]?[sample.name] {
                let transition = outcome.transition
                #expect(transition?.state == target, "\(state.rawValue) + \(sample.name)")
                #expect(transition?.from == state)
                #expect(transition?.action == sample.action)
            } else {
                let refusal = outcome.refusal
                #expect(refusal?.code == .invalidTransition, "\(state.rawValue) + \(sample.name)")
                #expect(refusal?.state == state)
                #expect(refusal?.action == sample.kind)
                // What the refusal offers instead: this state's actions the actor takes, none a customer's.
                #expect(refusal?.allowedActions == ConversationLifecycle.allowedActions(in: state, for: actor.role))
                #expect(refusal?.allowedActions.contains(.customerMessage) == false)
                #expect(refusal?.message.contains(state.rawValue) == true)
            }
        }
    }

    @Test("a closed conversation takes no agent action: each is refused with its state and no allowed actions")
    func closedRefusesAgents() {
        for sample in Self.samples where sample.kind != .customerMessage {
            // Only the gateway ends a wait; the others are refused that before the state is looked at.
            for role in sample.kind == .waitEnded ? [LifecycleActor.Role.system] : [.agent, .supervisor, .ops, .system] {
                let refusal = ConversationLifecycle.apply(
                    sample.action, to: Self.conversation(.closed), by: LifecycleActor(id: "amy", role: role)).refusal
                #expect(refusal == LifecycleRefusal(
                    code: .invalidTransition, state: .closed, action: sample.kind, allowedActions: [],
                    message: "a conversation that is closed does not take \(sample.kind.rawValue)"))
            }
        }
    }

    @Test("a refusal names the current state and the actions it allows the actor")
    func refusalNamesAllowedActions() {
        let refusal = ConversationLifecycle.apply(.reopen, to: Self.conversation(.inProgress), by: LifecycleActor(id: "amy", role: .agent)).refusal
        #expect(refusal?.code == .invalidTransition)
        #expect(refusal?.state == .inProgress)
        #expect(refusal?.action == .reopen)
        #expect(refusal?.allowedActions == [.assign, .handoff, .escalate, .wait, .resolve, .agentReply, .note])
        #expect(refusal.map { $0.code.rawValue } == "invalid_transition")

        // A customer is offered what a customer can do.
        let customer = ConversationLifecycle.apply(.resolve, to: Self.conversation(.resolved), by: Self.customer).refusal
        #expect(customer?.code == .notPermitted)
        #expect(customer?.allowedActions == [.customerMessage])
    }

    /// Whatever is done to it, by whom, in whatever order: `new` never has an owner, and `assigned` and
    /// `in_progress` always have one. Explores every (state, owner) reachable from a new conversation.
    @Test("the owner invariants hold in every reachable state")
    func ownerInvariants() {
        let actors = [
            Self.supervisor, Self.customer, LifecycleActor(id: "amy", role: .agent), LifecycleActor(id: "bob", role: .ops),
            LifecycleActor(id: "timer", role: .system),
        ]
        struct Node: Hashable { var state: ConversationState; var owner: String? }
        var seen: Set<Node> = [Node(state: .new, owner: nil)]
        var pending = Array(seen)
        while let node = pending.popLast() {
            #expect(node.state != .new || node.owner == nil, "new with owner \(node.owner ?? "")")
            #expect(![.assigned, .inProgress].contains(node.state) || node.owner != nil, "\(node.state.rawValue) without owner")
            for sample in Self.samples + [(name: "assign-amy", kind: LifecycleAction.Kind.assign, action: LifecycleAction.assign(owner: "amy"))] {
                for actor in actors {
                    guard let transition = ConversationLifecycle.apply(
                        sample.action, to: Self.conversation(node.state, owner: .some(node.owner)), by: actor).transition else { continue }
                    let next = Node(state: transition.state, owner: transition.owner)
                    if seen.insert(next).inserted { pending.append(next) }
                }
            }
        }
        // Every state is reachable from a new conversation.
        #expect(Set(seen.map(\.state)) == Set(ConversationState.allCases))
    }
}
