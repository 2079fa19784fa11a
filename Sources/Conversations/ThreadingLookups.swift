import SwitchboardCore

/// The facts threading needs, looked up by a store inside its transaction. The store answers questions;
/// ``ThreadingPolicy`` decides, so every store threads the same way.
public protocol ThreadingLookups {
    /// A conversation as the store holds it (its row), from which ``conversation(_:)`` reads the domain value.
    associatedtype Candidate

    /// The domain value of a candidate.
    func conversation(_ candidate: Candidate) -> Conversation
    /// The conversation with this id, in any state; nil when there is none.
    func conversation(id: String) throws -> Candidate?
    /// The conversation that holds a message with this channel id on the message's source, in any state.
    func conversation(citing messageID: String) throws -> Candidate?
    /// Whether `address` (lower-cased) sent, or was sent (To, Cc), one of the candidate's messages.
    func appears(_ address: String, in candidate: Candidate) throws -> Bool
    /// The sender's open conversation on the message's channel and source.
    func openConversationOfSender() throws -> Candidate?
    /// The sender's newest closed conversation on the message's channel and source: asked only when there
    /// is no open one, for the conversation a new one continues.
    func latestClosedConversationOfSender() throws -> Candidate?
}
