import Conversations
import Foundation
import SwitchboardCore
import Testing

/// What transitions ask of the store and the clocks, and the audit events they imply.
@Suite("Conversation lifecycle effects")
struct ConversationLifecycleEffectsTests {
    typealias T = ConversationLifecycleTableTests
    static let amy = LifecycleActor(id: "amy", role: .agent)

    @Test("waiting on the customer pauses the clock once; the customer's answer resumes it")
    func waitAndResume() throws {
        let until = Date(timeIntervalSince1970: 1_796_000_000)
        let waiting = try #require(ConversationLifecycle.apply(.wait(until: until), to: T.conversation(.inProgress), by: Self.amy, reason: "asked for the order number").transition)
        #expect(waiting.state == .waitingOnCustomer)
        #expect(waiting.waitUntil == until)
        #expect(waiting.effects == [.pauseClock])
        #expect(waiting.events == [LifecycleEvent(
            kind: .waitingOnCustomer, actor: Self.amy, reason: "asked for the order number", detail: ["until": "2026-11-30T00:53:20Z"])])

        let conversation = waiting.applied(to: T.conversation(.inProgress))
        // Waiting again moves the end of the wait, and pauses nothing more.
        let again = try #require(ConversationLifecycle.apply(.wait(until: nil), to: conversation, by: Self.amy).transition)
        #expect(again.effects == [])
        #expect(again.events.map(\.detail) == [[:]])

        let answered = try #require(ConversationLifecycle.apply(.customerMessage, to: conversation, by: T.customer).transition)
        #expect(answered.state == .inProgress)
        #expect(answered.effects == [.resumeClock])
        #expect(answered.events == [LifecycleEvent(kind: .resumed, actor: T.customer)])
        // Handed to a queue while it waited: nobody has it, so the answer makes it new.
        let unowned = T.conversation(.waitingOnCustomer, owner: .some(nil))
        #expect(ConversationLifecycle.apply(.customerMessage, to: unowned, by: T.customer).transition?.state == .new)
    }

    @Test("a customer's message on a resolved conversation reopens it and counts the reopen; an agent's reopen does the same")
    func reopen() throws {
        for actor in [T.customer, Self.amy] {
            let action: LifecycleAction = actor.role == .customer ? .customerMessage : .reopen
            let reopened = try #require(ConversationLifecycle.apply(action, to: T.conversation(.resolved), by: actor).transition)
            #expect(reopened.state == .assigned)
            #expect(reopened.owner == "amy")
            #expect(reopened.effects == [.countReopen, .restartClocks])
            #expect(reopened.events == [LifecycleEvent(kind: .reopened, actor: actor)])
        }
        let nobodys = try #require(ConversationLifecycle.apply(.customerMessage, to: T.conversation(.resolved, owner: .some(nil)), by: T.customer).transition)
        #expect(nobodys.state == .new)
    }

    @Test("a customer's message on a closed conversation starts a new one linked to it, and leaves it closed")
    func closedStartsLinked() throws {
        let closed = T.conversation(.closed)
        let transition = try #require(ConversationLifecycle.apply(.customerMessage, to: closed, by: T.customer).transition)
        #expect(transition.state == .closed)
        #expect(transition.effects == [.startLinkedConversation(previousConversationID: closed.id)])
        #expect(transition.events == [])
        #expect(transition.applied(to: closed) == closed)
    }

    @Test("an escalation raises the priority to its level, never lowers it, moves the queue by the rules and re-binds the clock", arguments: [
        (3, 1, 1), (3, 3, 3), (1, 4, 1), (2, 3, 2),
    ])
    func escalate(priority: Int, level: Int, expected: Int) throws {
        let escalation = try #require(EscalationLevel(level))
        let conversation = T.conversation(.inProgress, priority: priority)
        let transition = try #require(ConversationLifecycle.apply(.escalate(escalation), to: conversation, by: Self.amy, reason: "third complaint").transition)
        #expect(transition.state == .escalated)
        #expect(transition.priority == expected)
        #expect(transition.effects == [.moveToEscalationQueue(escalation), .rebindClock])
        #expect(transition.events == [LifecycleEvent(
            kind: .escalated, actor: Self.amy, reason: "third complaint", detail: ["level": String(level), "priority": String(expected)])])
        #expect(transition.applied(to: conversation).priority == expected)
        #expect(transition.applied(to: conversation).queue == "general")
    }

    @Test("escalating a conversation that waits on the customer resumes its clock")
    func escalateWhileWaiting() {
        let level = EscalationLevel(1)!
        let transition = ConversationLifecycle.apply(.escalate(level), to: T.conversation(.waitingOnCustomer), by: Self.amy).transition
        #expect(transition?.effects == [.resumeClock, .moveToEscalationQueue(level), .rebindClock])
    }

    @Test("a hand-off to a queue leaves the conversation unowned in that queue, with the note on the event")
    func handoffToQueue() throws {
        let conversation = T.conversation(.inProgress)
        let transition = try #require(ConversationLifecycle.apply(.handoff(.queue("billing")), to: conversation, by: Self.amy, reason: "a refund").transition)
        #expect(transition.state == .new)
        #expect(transition.owner == nil)
        #expect(transition.ownerChanged)
        #expect(transition.queue == "billing")
        #expect(transition.effects == [.rebindClock])
        #expect(transition.events == [LifecycleEvent(
            kind: .handedOff, actor: Self.amy, reason: "a refund", detail: ["to_queue": "billing", "previous_owner": "amy"])])
        let applied = transition.applied(to: conversation)
        #expect(applied.queue == "billing")
        #expect(applied.owner == nil)
        #expect(applied.state == .new)
    }

    @Test("a hand-off to a person makes them the owner; the conversation waits for their answer")
    func handoffToOwner() throws {
        let transition = try #require(ConversationLifecycle.apply(.handoff(.owner("bob")), to: T.conversation(.inProgress), by: Self.amy).transition)
        #expect(transition.state == .assigned)
        #expect(transition.owner == "bob")
        #expect(transition.queue == nil)
        #expect(transition.effects == [])
        #expect(transition.events == [LifecycleEvent(kind: .handedOff, actor: Self.amy, detail: ["to_owner": "bob", "previous_owner": "amy"])])
    }

    @Test("resolve stops the clocks; close and notes only write their event")
    func resolveCloseNote() throws {
        let resolved = try #require(ConversationLifecycle.apply(.resolve, to: T.conversation(.waitingOnCustomer), by: Self.amy, reason: "refunded").transition)
        #expect(resolved.effects == [.stopClocks])
        #expect(resolved.events == [LifecycleEvent(kind: .resolved, actor: Self.amy, reason: "refunded")])
        let closed = try #require(ConversationLifecycle.apply(.close, to: T.conversation(.resolved), by: Self.amy).transition)
        #expect(closed.state == .closed)
        #expect(closed.effects == [])
        #expect(closed.events == [LifecycleEvent(kind: .closed, actor: Self.amy)])
        let note = try #require(ConversationLifecycle.apply(.note, to: T.conversation(.resolved), by: Self.amy, reason: "called back").transition)
        #expect(note.state == .resolved)
        #expect(note.events == [LifecycleEvent(kind: .noteAdded, actor: Self.amy, reason: "called back")])
    }

    @Test("first-contact ownership: the first reply makes its author the owner and the conversation in progress")
    func firstReply() throws {
        let first = try #require(ConversationLifecycle.apply(.agentReply, to: T.conversation(.new), by: Self.amy).transition)
        #expect(first.state == .inProgress)
        #expect(first.owner == "amy")
        #expect(first.events == [LifecycleEvent(kind: .ownerAssigned, actor: Self.amy, detail: ["owner": "amy"])])
        let bob = LifecycleActor(id: "bob", role: .agent)
        let second = try #require(ConversationLifecycle.apply(.agentReply, to: first.applied(to: T.conversation(.new)), by: bob).transition)
        #expect(second.owner == "amy")
        #expect(second.events == [])
    }
}
