import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Where inbound messages go and what they do to the conversation they join: threading in the order of
    /// ``ThreadingPolicy``, rerouting, reopening, and chains that stop at their first failure.
    @Suite("Conversations")
    struct Conversations {
        typealias R = ContractRequests

        @Test("threading tries the token, then In-Reply-To, then References newest first, then the sender's open conversation", arguments: StoreFactory.all)
        func threadingOrder(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let alice = try await store.ingest(R.request(
                    R.mail("a1", from: "alice@example.com", recipients: ["support@shop.example", "carol@example.com"])))
                // Copied in on alice's mail, carol has no conversation of her own until she writes.
                let carol = try await store.ingest(R.request(R.mail("c1", from: "carol@example.com", minute: 1)))
                #expect(carol.newConversation)
                #expect(carol.conversationID != alice.conversationID)

                func thread(_ message: InboundMessage) async throws -> (String, ThreadingStrategy) {
                    let result = try await store.ingest(R.request(message))
                    #expect(!result.newConversation)
                    return (result.conversationID, result.threadedBy)
                }
                // In-Reply-To before the sender's own open conversation.
                #expect(try await thread(R.mail("c2", from: "carol@example.com", minute: 2, inReplyTo: ["a1"])) == (alice.conversationID, .inReplyTo))
                // References newest first.
                #expect(try await thread(R.mail("c3", from: "carol@example.com", minute: 3, references: ["a1", "c1"])) == (carol.conversationID, .references))
                // In-Reply-To before References.
                #expect(try await thread(R.mail("c4", from: "carol@example.com", minute: 4, inReplyTo: ["c1"], references: ["a1"])) == (carol.conversationID, .inReplyTo))
                // The verified token before everything.
                #expect(try await thread(R.mail("c5", from: "carol@example.com", minute: 5, inReplyTo: ["c1"], token: alice.conversationID)) == (alice.conversationID, .token))
                // Nothing to go by: the sender's open conversation.
                #expect(try await thread(R.mail("c6", from: "carol@example.com", minute: 6)) == (carol.conversationID, .sender))
                // Replies cite the messages threaded into a conversation, not only its first.
                #expect(try await thread(R.mail("a2", from: "alice@example.com", minute: 7, inReplyTo: ["c5"])) == (alice.conversationID, .inReplyTo))

                let stored = try await store.messages(carol.conversationID)
                #expect(stored.map(\.externalID) == ["c1@mail.example", "c3@mail.example", "c4@mail.example", "c6@mail.example"])
                #expect(stored.map(\.threadedBy) == [.new, .references, .inReplyTo, .sender])
                #expect(stored.map(\.thread.messageID) == stored.map(\.externalID))
            }
        }

        @Test("a token from another channel, or ids cited on another source, do not thread", arguments: StoreFactory.all)
        func threadingBoundaries(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let alice = try await store.ingest(R.request(R.mail("a1", from: "alice@example.com")))
                // The same message id on another mailbox belongs to that mailbox's mail.
                let elsewhere = try await store.ingest(R.request(R.mail("b1", from: "alice@example.com", source: "other-mailbox", inReplyTo: ["a1"])))
                #expect(elsewhere.newConversation)
                #expect(elsewhere.threadedBy == .new)
                #expect(!(try await store.eventKinds(elsewhere.conversationID)).contains("threading_refused"))
                // A conversation token only joins a conversation of the message's channel.
                var sms = R.inbound("alice@example.com", channel: .sms, source: "sms", externalID: "s1")
                sms.thread.verifiedConversationID = alice.conversationID
                let texted = try await store.ingest(R.request(sms))
                #expect(texted.newConversation)
                #expect(texted.threadedBy == .new)
                #expect(try await store.messages(alice.conversationID).count == 1)
            }
        }

        @Test("a stranger citing a customer's message starts a conversation of their own, and the refusal is recorded there", arguments: StoreFactory.all)
        func strangerIsRefused(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let customer = try await store.ingest(R.request(
                    R.mail("m1", from: "alice@example.com", recipients: ["support@shop.example", "bob@example.com"])))

                let stranger = try await store.ingest(R.request(R.mail("m2", from: "mallory@evil.example", minute: 1, inReplyTo: ["m1"])))
                #expect(stranger.conversationID != customer.conversationID)
                #expect(stranger.newConversation)
                #expect(stranger.threadedBy == .new)
                let refusals = try await store.events(stranger.conversationID).filter { $0.kind == "threading_refused" }
                #expect(refusals.count == 1)
                let refusal = try #require(refusals.first)
                #expect(refusal.subjectID == stranger.messageID)
                #expect(refusal.actor == "system")
                #expect(refusal.detail == [
                    "strategy": "in_reply_to", "reason": "sender is not a participant of the conversation referenced by In-Reply-To",
                ])
                #expect(!(try await store.eventKinds(customer.conversationID)).contains("threading_refused"))

                // Through References, another stranger is refused the same way.
                let other = try await store.ingest(R.request(R.mail("m3", from: "eve@evil.example", minute: 2, references: ["m0", "m1"])))
                #expect(other.conversationID != customer.conversationID)
                #expect(other.threadedBy == .new)
                #expect(try await store.events(other.conversationID).first { $0.kind == "threading_refused" }?.detail["strategy"] == "references")

                // The stranger writing again joins their own conversation by sender; the refusal is noted again.
                let again = try await store.ingest(R.request(R.mail("m4", from: "mallory@evil.example", minute: 3, inReplyTo: ["m1"])))
                #expect(again.conversationID == stranger.conversationID)
                #expect(again.threadedBy == .sender)
                #expect(try await store.eventKinds(stranger.conversationID).filter { $0 == "threading_refused" }.count == 2)
                #expect(try await store.messages(customer.conversationID).count == 1)
            }
        }

        @Test("the customer and the conversation's other participants thread by In-Reply-To and References, whatever the case of their address", arguments: StoreFactory.all)
        func participantsJoin(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let customer = try await store.ingest(R.request(
                    R.mail("m1", from: "alice@example.com", recipients: ["support@shop.example", "Bob@Example.com"])))
                func joins(_ message: InboundMessage, by strategy: ThreadingStrategy) async throws {
                    let result = try await store.ingest(R.request(message))
                    #expect(result.conversationID == customer.conversationID)
                    #expect(result.threadedBy == strategy)
                }
                // The customer, whatever the case of the address.
                try await joins(R.mail("m2", from: "ALICE@example.com", minute: 1, inReplyTo: ["m1"]), by: .inReplyTo)
                // Someone the customer copied in.
                try await joins(R.mail("m3", from: "bob@example.com", minute: 2, references: ["m2"]), by: .references)
                // Someone who appears in the conversation (copied in by bob), then writes themselves.
                try await joins(
                    R.mail("m4", from: "bob@example.com", minute: 3, recipients: ["support@shop.example", "carol@example.com"], inReplyTo: ["m3"]),
                    by: .inReplyTo)
                try await joins(R.mail("m5", from: "carol@example.com", minute: 4, inReplyTo: ["m4"]), by: .inReplyTo)
                #expect(!(try await store.eventKinds(customer.conversationID)).contains("threading_refused"))
                #expect(try await store.messages(customer.conversationID).count == 5)
            }
        }

        @Test("a customer's answer to a delivered reply threads by the id the reply went out with", arguments: StoreFactory.all)
        func repliesToOurMail(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let alice = try await store.ingest(R.request(R.mail("a1", from: "alice@example.com")))
                guard case let .created(reply) = try await store.enqueueReply(
                    PendingReply(script: nil, body: "您好", automatic: false), conversationID: alice.conversationID, author: "agent-1",
                    idempotencyKey: nil, requestFingerprint: nil)
                else { Issue.record("the reply was not queued"); return }
                let now = Date().addingTimeInterval(60)
                #expect(try await store.claimDueOutbox(now: now, limit: 10).map(\.entry.id) == [reply.id])
                try await store.recordDelivery(outboxID: reply.id, outcome: .delivered(detail: "250 ok", messageID: "reply-1@shop.example"), now: now)

                // Written on another mailbox, alice would open a conversation there; the id brings her back.
                let answer = try await store.ingest(R.request(R.mail("a2", from: "alice@example.com", minute: 1, inReplyTo: ["reply-1@shop.example"])))
                #expect(answer.conversationID == alice.conversationID)
                #expect(answer.threadedBy == .inReplyTo)
                let attempt = try #require(try await store.events(alice.conversationID).first { $0.kind == "delivery_attempt" })
                #expect(attempt.subjectID == reply.id)
                #expect(attempt.detail["message_id"] == "reply-1@shop.example")
                #expect(attempt.detail["result"] == "delivered")
            }
        }

        @Test("a message reopens a resolved conversation; a closed one is never joined again", arguments: StoreFactory.all)
        func resolvedAndClosed(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let first = try await store.ingest(R.request(R.mail("a1", from: "alice@example.com"), autoReply: "已收到"))
                try await subject.setState(first.conversationID, .resolved)
                let context = try #require(try await store.conversationContext(for: R.mail("a2", from: "alice@example.com", minute: 1)))
                #expect(context.reopening)
                #expect(context.priorInboundMessages == 1)

                let reopening = try await store.ingest(R.request(R.mail("a2", from: "alice@example.com", minute: 1), autoReply: "已收到"))
                #expect(reopening.conversationID == first.conversationID)
                #expect(reopening.threadedBy == .sender)
                #expect(reopening.autoReplyID == nil)
                // Nobody owned it, so it is new again.
                #expect(try await store.conversation(id: first.conversationID)?.state == .new)
                let reopened = try await store.events(first.conversationID).filter { $0.kind == "reopened" }
                #expect(reopened.map(\.subjectID) == [first.conversationID])
                #expect(reopened.map(\.at) == [R.at(minute: 1)])

                try await subject.setState(first.conversationID, .closed)
                #expect(try await store.conversationContext(for: R.mail("a3", from: "alice@example.com", minute: 2)) == nil)
                // Neither its token nor a citation of its messages joins it: the reply starts a new case.
                let fresh = try await store.ingest(R.request(
                    R.mail("a3", from: "alice@example.com", minute: 2, inReplyTo: ["a2"], token: first.conversationID), autoReply: "已收到"))
                #expect(fresh.newConversation)
                #expect(fresh.conversationID != first.conversationID)
                #expect(fresh.threadedBy == .new)
                #expect(fresh.autoReplyID != nil)
                #expect(try await store.conversation(id: first.conversationID)?.state == .closed)
                #expect(try await store.messages(first.conversationID).count == 2)
                // The new conversation is the one the customer's next message joins.
                let next = try await store.ingest(R.request(R.mail("a4", from: "alice@example.com", minute: 3)))
                #expect(next.conversationID == fresh.conversationID)
                #expect(next.threadedBy == .sender)
            }
        }

        /// A conversation only moves to a more urgent route, never back, so a calm follow-up does not drop
        /// an angry customer to the bottom of a queue; the earlier of two deadlines stands.
        @Test("a joining message reroutes the conversation only to a more urgent route; urgency only rises, sentiment is the latest", arguments: StoreFactory.all)
        func rerouting(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                func write(_ minute: Double, route: RouteDecision, urgency: Urgency, sentiment: Sentiment, slaDueAt: Date?) async throws -> IngestResult {
                    try await store.ingest(R.request(
                        R.inbound("erin@example.com", minute: minute, externalID: "r\(minute)"), route: route, urgency: urgency,
                        sentiment: sentiment, slaDueAt: slaDueAt))
                }
                let first = try await write(0, route: R.route("general", priority: 3, sla: "p3"), urgency: .high, sentiment: .negative, slaDueAt: R.at(minute: 240))
                let id = first.conversationID
                // Calmer, and less urgent: the route stays, and so does the urgency.
                _ = try await write(1, route: R.route("low", priority: 4, sla: "p4"), urgency: .low, sentiment: .positive, slaDueAt: R.at(minute: 1000))
                // As urgent, but another queue: it stays too.
                _ = try await write(2, route: R.route("other", priority: 3, sla: "p3b"), urgency: .normal, sentiment: .neutral, slaDueAt: R.at(minute: 10))
                var conversation = try #require(try await store.conversation(id: id))
                #expect(conversation.queue == "general")
                #expect(conversation.priority == 3)
                #expect(conversation.routeID == "route-general")
                #expect(conversation.slaPolicy == "p3")
                #expect(conversation.slaDueAt == R.at(minute: 240))
                #expect(conversation.urgency == .high)
                #expect(conversation.sentiment == .neutral)
                #expect(!(try await store.eventKinds(id)).contains("rerouted"))

                // More urgent, with a tighter deadline: moved, and the tighter deadline taken.
                _ = try await write(3, route: R.route("billing", priority: 2, sla: "p2"), urgency: .normal, sentiment: .negative, slaDueAt: R.at(minute: 60))
                // More urgent again, with a later deadline: moved, and the earlier deadline stands.
                _ = try await write(4, route: R.route("urgent", priority: 1, sla: "p1"), urgency: .critical, sentiment: .negative, slaDueAt: R.at(minute: 300))
                conversation = try #require(try await store.conversation(id: id))
                #expect(conversation.queue == "urgent")
                #expect(conversation.priority == 1)
                #expect(conversation.routeID == "route-urgent")
                #expect(conversation.slaPolicy == "p1")
                #expect(conversation.slaDueAt == R.at(minute: 60))
                #expect(conversation.urgency == .critical)
                #expect(conversation.state == .new)
                #expect(conversation.createdAt == R.start)
                #expect(conversation.updatedAt == R.at(minute: 4))
                let rerouted = try await store.events(id).filter { $0.kind == "rerouted" }
                #expect(rerouted.map(\.detail) == [
                    ["route": "route-billing", "queue": "billing", "priority": "2"],
                    ["route": "route-urgent", "queue": "urgent", "priority": "1"],
                ])
                #expect(rerouted.map(\.at) == [R.at(minute: 3), R.at(minute: 4)])
                #expect(try await store.messages(id).count == 5)
            }
        }

        /// Two messages that would start a conversation under the same id: the second breaks the key,
        /// the way to make one message of a batch fail.
        @Test("a message that fails in a batch fails alone; the rest of the batch is stored", arguments: StoreFactory.all)
        func failingMessageInBatch(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let results = try await store.ingest([
                    R.request(R.inbound("a@example.com", externalID: "batch-a"), conversationID: "conv_batch_1"),
                    R.request(R.inbound("b@example.com", externalID: "batch-b"), conversationID: "conv_batch_1"),
                    R.request(R.inbound("c@example.com", externalID: "batch-c"), conversationID: "conv_batch_3"),
                ])
                #expect(results.count == 3)
                #expect((try? results[0].get())?.conversationID == "conv_batch_1")
                #expect((try? results[1].get()) == nil)
                #expect((try? results[2].get())?.conversationID == "conv_batch_3")
                #expect(try await store.messages("conv_batch_1").map(\.sender) == ["a@example.com"])
                #expect(try await store.messages("conv_batch_3").map(\.sender) == ["c@example.com"])
                // The failed message left nothing, not even its events.
                #expect(try await store.eventKinds("conv_batch_1") == ["received", "classified"])
                #expect(try await store.conversation(id: "conv_batch_1")?.customerAddress == "a@example.com")
            }
        }

        /// A request in the `mail` source's INBOX at `position`, starting `conversation` should it start one.
        static func fetched(_ sender: String, position: Int64?, conversation: String, messageID: String? = nil) -> IngestRequest {
            var inbound = R.inbound(
                sender, channel: .email, source: "mail", externalID: "chain-\(sender)-\(position ?? 0)",
                cursor: position.map { IntakeCursor(source: "mail", stream: "INBOX", validity: 7, position: $0) })
            inbound.thread.messageID = messageID
            return R.request(inbound, conversationID: conversation)
        }

        @Test("a chain stops at its first failure and its cursor at the last message stored; other requests of the batch are kept", arguments: StoreFactory.all)
        func chainStopsAtFailure(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let chain = R.chained([
                    Self.fetched("a@example.com", position: 11, conversation: "conv_chain_a"),
                    Self.fetched("b@example.com", position: 12, conversation: "conv_chain_b"),
                    Self.fetched("c@example.com", position: 13, conversation: "conv_chain_b"),  // fails: the id is taken
                    Self.fetched("d@example.com", position: 14, conversation: "conv_chain_d"),
                ])
                // Another caller's message in the same transaction (the group committer mixes them) is not chained.
                let other = Self.fetched("e@example.com", position: nil, conversation: "conv_chain_e")
                let results = try await store.ingest(chain + [other])
                #expect(results.map { (try? $0.get()) != nil } == [true, true, false, false, true])
                #expect(try await store.messages("conv_chain_a").map(\.sender) == ["a@example.com"])
                #expect(try await store.messages("conv_chain_b").map(\.sender) == ["b@example.com"])
                #expect(try await store.conversation(id: "conv_chain_d") == nil)
                #expect(try await store.messages("conv_chain_e").map(\.sender) == ["e@example.com"])
                #expect(try await store.intakeCursor(source: "mail", stream: "INBOX") == IntakeCursor(source: "mail", stream: "INBOX", validity: 7, position: 12))
            }
        }

        @Test("a chain whose first message fails stores nothing and leaves the cursor where it was", arguments: StoreFactory.all)
        func chainFailingAtItsStart(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                _ = try await store.ingest(R.chained([Self.fetched("a@example.com", position: 20, conversation: "conv_start_a")]))
                let results = try await store.ingest(R.chained([
                    Self.fetched("b@example.com", position: 21, conversation: "conv_start_a"),  // fails: the id is taken
                    Self.fetched("c@example.com", position: 22, conversation: "conv_start_c"),
                ]))
                #expect(results.count == 2)
                #expect(results.allSatisfy { (try? $0.get()) == nil })
                #expect(try await store.messages("conv_start_a").map(\.sender) == ["a@example.com"])
                #expect(try await store.conversation(id: "conv_start_c") == nil)
                #expect(try await store.intakeCursor(source: "mail", stream: "INBOX")?.position == 20)
            }
        }

        @Test("a chain stored whole moves the cursor to its last message; fetched again, it is recognized and the cursor stays", arguments: StoreFactory.all)
        func chainStoredWhole(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                func fetch() -> [IngestRequest] {
                    R.chained((1...5).map {
                        Self.fetched("w\($0)@example.com", position: Int64(30 + $0), conversation: Identifier.make("conv"), messageID: "whole-\($0)@example.com")
                    })
                }
                let first = try await store.ingest(fetch()).map { try $0.get() }
                #expect(first.map(\.duplicate) == [false, false, false, false, false])
                #expect(try await store.intakeCursor(source: "mail", stream: "INBOX")?.position == 35)
                let again = try await store.ingest(fetch()).map { try $0.get() }
                #expect(again.map(\.duplicate) == [true, true, true, true, true])
                #expect(again.map(\.messageID) == first.map(\.messageID))
                #expect(try await store.intakeCursor(source: "mail", stream: "INBOX")?.position == 35)
                for result in first { #expect(try await store.messages(result.conversationID).count == 1) }
            }
        }
    }
}
