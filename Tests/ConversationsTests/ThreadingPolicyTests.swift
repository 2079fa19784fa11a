import Conversations
import Foundation
import SwitchboardCore
import Testing

@Suite("Threading policy")
struct ThreadingPolicyTests {
    /// An in-memory store's answers, recording what was asked.
    final class Lookups: ThreadingLookups, @unchecked Sendable {
        var conversations: [String: Conversation] = [:]
        /// Channel message id → conversation id.
        var citations: [String: String] = [:]
        /// Conversation id → addresses that sent or were sent its messages.
        var appearances: [String: Set<String>] = [:]
        var senderOpen: String?
        var senderClosed: String?
        var asked: [String] = []

        func conversation(_ candidate: Conversation) -> Conversation { candidate }
        func conversation(id: String) throws -> Conversation? { asked.append("id:\(id)"); return conversations[id] }
        func conversation(citing messageID: String) throws -> Conversation? {
            asked.append("cites:\(messageID)")
            return citations[messageID].flatMap { conversations[$0] }
        }
        func appears(_ address: String, in candidate: Conversation) throws -> Bool {
            asked.append("appears:\(candidate.id)")
            return appearances[candidate.id, default: []].contains(address)
        }
        func openConversationOfSender() throws -> Conversation? { asked.append("open"); return senderOpen.flatMap { conversations[$0] } }
        func latestClosedConversationOfSender() throws -> Conversation? {
            asked.append("closed")
            return senderClosed.flatMap { conversations[$0] }
        }
    }

    static func conversation(_ id: String, customer: String = "cust@example.com", state: ConversationState = .new, channel: ChannelKind = .email) -> Conversation {
        Conversation(
            id: id, channel: channel, source: "mail", customerAddress: customer, customerTier: .ordinary, language: "en", queue: "general",
            priority: 1, urgency: .normal, sentiment: .neutral, state: state, routeID: "default", slaPolicy: "standard", slaDueAt: nil,
            owner: nil, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    }

    static func mail(from sender: String, token: String? = nil, inReplyTo: [String] = [], references: [String] = []) -> InboundMessage {
        InboundMessage(
            channel: .email, source: "mail", sender: sender, text: "hi",
            thread: ThreadHints(messageID: "new@example.com", inReplyTo: inReplyTo, references: references, verifiedConversationID: token))
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var message: InboundMessage
        var joins: String?
        var strategy: ThreadingStrategy
        var refused: ThreadingStrategy?
        /// The closed conversation a new one continues.
        var previous: String?
    }

    /// conv_a: the customer's open case, citable as <a@x>; conv_b: closed, citable as <b@x>; conv_c: another
    /// customer's case, citable as <c@x>, where cc@example.com was copied; conv_d: the sender's own open case.
    static func world() -> Lookups {
        let lookups = Lookups()
        for conversation in [
            conversation("conv_a"), conversation("conv_b", state: .closed),
            conversation("conv_c", customer: "other@example.com"), conversation("conv_sms", channel: .sms),
        ] {
            lookups.conversations[conversation.id] = conversation
        }
        lookups.citations = ["a@x": "conv_a", "b@x": "conv_b", "c@x": "conv_c"]
        lookups.appearances = ["conv_c": ["cc@example.com", "other@example.com"]]
        return lookups
    }

    static let cases: [Case] = [
        Case(description: "the token joins", message: mail(from: "stranger@example.com", token: "conv_c"), joins: "conv_c", strategy: .token),
        Case(description: "a token to a closed case is passed over, and continued", message: mail(from: "cust@example.com", token: "conv_b"), joins: nil, strategy: .new, previous: "conv_b"),
        Case(description: "a token to another channel's case is passed over", message: mail(from: "cust@example.com", token: "conv_sms"), joins: nil, strategy: .new),
        Case(description: "In-Reply-To from the customer joins, any case of address", message: mail(from: "CUST@example.com", inReplyTo: ["a@x"]), joins: "conv_a", strategy: .inReplyTo),
        Case(description: "In-Reply-To from a copied address joins", message: mail(from: "cc@example.com", inReplyTo: ["c@x"]), joins: "conv_c", strategy: .inReplyTo),
        Case(description: "In-Reply-To from a stranger is refused", message: mail(from: "stranger@example.com", inReplyTo: ["a@x"]), joins: nil, strategy: .new, refused: .inReplyTo),
        Case(description: "References: the newest citation decides", message: mail(from: "cust@example.com", references: ["c@x", "a@x"]), joins: "conv_a", strategy: .references),
        Case(description: "a refused In-Reply-To, then a good reference", message: mail(from: "cust@example.com", inReplyTo: ["c@x"], references: ["a@x"]), joins: "conv_a", strategy: .references),
        Case(description: "a closed case cited is never joined, but continued", message: mail(from: "cust@example.com", inReplyTo: ["b@x"]), joins: nil, strategy: .new, previous: "conv_b"),
        Case(description: "a stranger citing a closed case does not continue it", message: mail(from: "stranger@example.com", inReplyTo: ["b@x"]), joins: nil, strategy: .new),
        Case(description: "unknown ids start a new conversation", message: mail(from: "cust@example.com", inReplyTo: ["zz@x"]), joins: nil, strategy: .new),
    ]

    @Test("the strategies in order, each with its rule", arguments: cases)
    func decides(_ testCase: Case) throws {
        let decision = try ThreadingPolicy.resolve(testCase.message, using: Self.world())
        #expect(decision.joins?.id == testCase.joins)
        #expect(decision.strategy == testCase.strategy)
        #expect(decision.refused == testCase.refused)
        #expect(decision.previous?.id == testCase.previous)
    }

    @Test("with nothing open and nothing cited, a new conversation continues the sender's newest closed one; an open one is joined instead")
    func continuesClosed() throws {
        let lookups = Self.world()
        lookups.conversations["conv_old"] = Self.conversation("conv_old", state: .closed)
        lookups.senderClosed = "conv_old"
        let fresh = try ThreadingPolicy.resolve(Self.mail(from: "cust@example.com"), using: lookups)
        #expect(fresh.joins == nil && fresh.previous?.id == "conv_old" && fresh.strategy == .new)
        lookups.senderOpen = "conv_a"
        let joined = try ThreadingPolicy.resolve(Self.mail(from: "cust@example.com"), using: lookups)
        #expect(joined.joins?.id == "conv_a" && joined.previous == nil)
    }

    @Test("a refused citation falls back to the sender's own open conversation, still reporting the refusal")
    func refusedThenSender() throws {
        let lookups = Self.world()
        lookups.conversations["conv_d"] = Self.conversation("conv_d", customer: "stranger@example.com")
        lookups.senderOpen = "conv_d"
        let decision = try ThreadingPolicy.resolve(Self.mail(from: "stranger@example.com", references: ["a@x"]), using: lookups)
        #expect(decision.joins?.id == "conv_d")
        #expect(decision.strategy == .sender)
        #expect(decision.refused == .references)
    }

    @Test("the store is asked only what the decision needs, and at most 50 citations per header")
    func asksLittle() throws {
        let lookups = Self.world()
        _ = try ThreadingPolicy.resolve(Self.mail(from: "cust@example.com", inReplyTo: ["a@x"]), using: lookups)
        // The customer's own case: no message lookup, no sender lookup.
        #expect(lookups.asked == ["cites:a@x"])
        let flood = Self.world()
        _ = try ThreadingPolicy.resolve(Self.mail(from: "cust@example.com", references: (0..<500).map { "n\($0)@x" }), using: flood)
        #expect(flood.asked.filter { $0.hasPrefix("cites:") }.count == ThreadingPolicy.maximumCitations)
    }
}
