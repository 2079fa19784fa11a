/// Where a hand-off sends a conversation: to a person, or back to a queue for whoever claims it next.
public enum HandoffTarget: Sendable, Hashable {
    case owner(String)
    case queue(String)
}
