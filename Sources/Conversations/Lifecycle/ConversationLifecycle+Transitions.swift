import Foundation
import SwitchboardCore

extension ConversationLifecycle {
    /// What an allowed action does. Only called once the role, the table and the guards have let it through.
    static func transition(
        _ action: LifecycleAction, on conversation: Conversation, by actor: LifecycleActor, reason: String?
    ) -> LifecycleTransition {
        let from = conversation.state
        var change = LifecycleTransition(
            action: action, actor: actor, from: from, state: from, owner: conversation.owner, ownerChanged: false,
            queue: nil, priority: conversation.priority, waitUntil: nil, events: [], effects: [])
        func record(_ kind: LifecycleEvent.Kind, _ detail: [String: String] = [:]) {
            change.events.append(LifecycleEvent(kind: kind, actor: actor, reason: reason, detail: detail))
        }
        /// The owner's id under `previous_owner`, when the conversation had one and it changes hands.
        func previousOwner(_ detail: [String: String]) -> [String: String] {
            guard let owner = conversation.owner, owner != change.owner else { return detail }
            return detail.merging(["previous_owner": owner]) { kept, _ in kept }
        }
        /// Gives the conversation to `owner`. A new owner has not answered yet, so the conversation is
        /// `assigned`, unless it waits on the customer or is escalated; the same owner again changes nothing.
        func take(_ owner: String) {
            change.ownerChanged = change.owner != owner
            change.owner = owner
            if change.ownerChanged, !Self.keepsStateAcrossOwners(from) { change.state = .assigned }
        }
        func reopen() {
            change.state = conversation.owner == nil ? .new : .assigned
            change.effects += [.countReopen, .restartClocks]
            record(.reopened)
        }

        switch action {
        case let .assign(owner):
            take(owner)
            record(.ownerAssigned, previousOwner(["owner": owner]))
        case .claim:
            take(actor.id)
            record(.claimed, ["owner": actor.id])
        case let .handoff(.owner(owner)):
            take(owner)
            record(.handedOff, previousOwner(["to_owner": owner]))
        case let .handoff(.queue(queue)):
            change.owner = nil
            change.ownerChanged = conversation.owner != nil
            change.queue = queue
            // Back in a queue with nobody on it is new again; a conversation waiting on the customer or
            // escalated stays so, unowned, until someone claims it.
            if !Self.keepsStateAcrossOwners(from) { change.state = .new }
            change.effects.append(.rebindClock)
            record(.handedOff, previousOwner(["to_queue": queue]))
        case let .escalate(level):
            change.state = .escalated
            change.priority = min(conversation.priority, level.value)
            if from == .waitingOnCustomer { change.effects.append(.resumeClock) }
            change.effects += [.moveToEscalationQueue(level), .rebindClock]
            record(.escalated, ["level": String(level.value), "priority": String(change.priority)])
        case let .wait(until):
            change.state = .waitingOnCustomer
            change.waitUntil = until
            // Waiting again only moves the end of the wait; the clock is paused already.
            if from != .waitingOnCustomer { change.effects.append(.pauseClock) }
            record(.waitingOnCustomer, until.map { ["until": $0.formatted(.iso8601)] } ?? [:])
        case .resolve:
            change.state = .resolved
            change.effects.append(.stopClocks)
            record(.resolved)
        case .reopen:
            reopen()
        case .close:
            change.state = .closed
            record(.closed)
        case .agentReply:
            // First-contact ownership: whoever answers first owns the conversation until it is handed over.
            if conversation.owner == nil {
                change.owner = actor.id
                change.ownerChanged = true
                record(.ownerAssigned, ["owner": actor.id])
            }
            if from == .new || from == .assigned { change.state = .inProgress }
        case .customerMessage:
            switch from {
            case .resolved:
                reopen()
            case .waitingOnCustomer:
                // The customer answered: the conversation is under way again with its owner (in progress),
                // or back to new when it was handed to a queue while it waited.
                change.state = conversation.owner == nil ? .new : .inProgress
                change.effects.append(.resumeClock)
                record(.resumed)
            case .closed:
                change.effects.append(.startLinkedConversation(previousConversationID: conversation.id))
            case .new, .assigned, .inProgress, .escalated:
                break
            }
        case .note:
            record(.noteAdded)
        case .waitEnded:
            // As if the customer had answered: back to its owner (in progress), or new when unowned.
            change.state = conversation.owner == nil ? .new : .inProgress
            change.effects.append(.resumeClock)
            record(.waitEnded)
        }
        return change
    }

    /// States an owner change leaves as they are: the wait on the customer and the escalation go on
    /// whoever has the conversation.
    static func keepsStateAcrossOwners(_ state: ConversationState) -> Bool {
        state == .waitingOnCustomer || state == .escalated
    }
}
