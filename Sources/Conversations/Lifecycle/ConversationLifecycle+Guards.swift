import SwitchboardCore

extension ConversationLifecycle {
    /// Why `actor` may not take `action` on `conversation` although its state allows it; nil if they may.
    static func guardProblem(_ action: LifecycleAction, on conversation: Conversation, by actor: LifecycleActor) -> String? {
        let owner = conversation.owner
        let theirsOrNobodys = owner == nil || owner == actor.id
        switch action {
        case .claim:
            // Claiming is taking what nobody has; moving a conversation between people is an assignment.
            return owner == nil ? nil : "the conversation already has an owner; a supervisor reassigns it with assign"
        case let .assign(newOwner):
            if actor.overridesOwnership { return nil }
            if newOwner != actor.id { return "an agent may assign a conversation only to themselves; a supervisor assigns anyone" }
            return theirsOrNobodys ? nil : "the conversation belongs to another agent; only a supervisor reassigns it"
        case .handoff, .wait, .resolve, .reopen, .close:
            if actor.overridesOwnership || theirsOrNobodys { return nil }
            return "the conversation belongs to another agent; only its owner or a supervisor may \(action.kind.rawValue) it"
        case .escalate, .agentReply, .note, .customerMessage, .waitEnded:
            // Anyone working conversations may raise the alarm, answer (first-contact ownership) or add a note.
            return nil
        }
    }
}
