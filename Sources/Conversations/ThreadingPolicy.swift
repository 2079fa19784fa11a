import SwitchboardCore

/// Which conversation an inbound message joins, and why: the order of the threading strategies and
/// the rules each one must pass, as one pure decision over the facts a store looks up.
///
/// 1. The signed conversation token (only our own outgoing mail carries it): joins a conversation on the
///    same channel that is not closed.
/// 2. In-Reply-To, then References, newest first: the cited conversation is joined only when it is not
///    closed and the sender takes part in it (is its customer, or sent or was sent one of its messages).
///    Anyone can copy a Message-ID into a header, and mail from a stranger must not land in a customer's
///    case; a citation passed over for that is reported as `refused`.
/// 3. The sender's open conversation on the same channel and source.
/// 4. Otherwise the message starts a conversation.
///
/// Closed conversations are never joined: a reply to one starts a new conversation, as agents expect of
/// a closed case, linked to it as its continuation (``Decision/previous``): the closed conversation the
/// token or a citation named, else the sender's newest one on the channel and source when it is closed.
public enum ThreadingPolicy {
    /// Most cited ids looked at per header, so a message cannot make a store look up thousands.
    public static let maximumCitations = 50

    /// The outcome: the conversation to join (nil for a new one), the strategy that decided, and the
    /// header whose citation was refused, if any.
    public struct Decision<Candidate> {
        public var joins: Candidate?
        public var strategy: ThreadingStrategy
        public var refused: ThreadingStrategy?
        /// For a new conversation, the closed one it continues.
        public var previous: Candidate?
    }

    /// Decides where `inbound` belongs, asking `lookups` only what the decision needs, in order.
    public static func resolve<Lookups: ThreadingLookups>(
        _ inbound: InboundMessage, using lookups: Lookups
    ) throws -> Decision<Lookups.Candidate> {
        var closed: Lookups.Candidate?
        if let id = inbound.thread.verifiedConversationID, let candidate = try lookups.conversation(id: id) {
            let conversation = lookups.conversation(candidate)
            if conversation.channel == inbound.channel {
                if conversation.state != .closed { return Decision(joins: candidate, strategy: .token, refused: nil) }
                closed = candidate
            }
        }
        var refused: ThreadingStrategy?
        // The newest reference is the likeliest to be ours when a client trimmed In-Reply-To.
        for (strategy, ids) in [(ThreadingStrategy.inReplyTo, inbound.thread.inReplyTo), (.references, inbound.thread.references.reversed())] {
            for id in ids.prefix(maximumCitations) {
                guard let candidate = try lookups.conversation(citing: id) else { continue }
                let isClosed = lookups.conversation(candidate).state == .closed
                if closed != nil, isClosed { continue }
                if try takesPart(inbound.sender, in: candidate, lookups) {
                    if isClosed {
                        closed = candidate
                        continue
                    }
                    return Decision(joins: candidate, strategy: strategy, refused: nil)
                }
                if !isClosed { refused = refused ?? strategy }
            }
        }
        if let candidate = try lookups.openConversationOfSender() {
            return Decision(joins: candidate, strategy: .sender, refused: refused)
        }
        if closed == nil { closed = try lookups.latestClosedConversationOfSender() }
        return Decision(joins: nil, strategy: .new, refused: refused, previous: closed)
    }

    /// Whether `address` takes part in the conversation: it is the customer's, or it sent or was sent one
    /// of the conversation's messages. Addresses compare without regard to case.
    static func takesPart<Lookups: ThreadingLookups>(_ address: String, in candidate: Lookups.Candidate, _ lookups: Lookups) throws -> Bool {
        let address = address.lowercased()
        if lookups.conversation(candidate).customerAddress.lowercased() == address { return true }
        return try lookups.appears(address, in: candidate)
    }
}
