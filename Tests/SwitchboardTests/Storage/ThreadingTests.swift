import Foundation
import SQLiteStorage
import SwitchboardCore
import Testing

@Suite("Threading by In-Reply-To and References")
struct ThreadingTests {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    static func mail(
        _ index: Int, from sender: String, recipients: [String] = ["support@shop.example"], inReplyTo: [String] = [],
        references: [String] = []
    ) -> InboundMessage {
        InboundMessage(
            channel: .email, source: "mailbox", externalID: "m\(index)@mail.example", sender: sender, recipients: recipients,
            subject: "订单问题", text: "请问订单 \(index) 到哪了", receivedAt: start.addingTimeInterval(Double(index) * 60),
            thread: ThreadHints(messageID: "m\(index)@mail.example", inReplyTo: inReplyTo, references: references))
    }

    static func events(_ store: SQLiteMessageStore, _ conversationID: String) async throws -> [AuditEvent] {
        try #require(try await store.conversationDetail(id: conversationID, page: ConversationDetailPage(limit: 200))).events
    }

    @Test("a stranger citing a customer's message starts a conversation of their own, and the refusal is recorded there")
    func strangerIsRefused() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, intake) = try ConversationContextTests.storeAndIntake(in: directory)
        let customer = try await intake.accept(Self.mail(1, from: "alice@example.com", recipients: ["support@shop.example", "bob@example.com"]))

        let stranger = try await intake.accept(Self.mail(2, from: "mallory@evil.example", inReplyTo: ["m1@mail.example"]))
        #expect(stranger.conversationID != customer.conversationID)
        #expect(stranger.newConversation)
        #expect(stranger.threadedBy == .new)
        let refusal = try #require(try await Self.events(store, stranger.conversationID).first { $0.kind == "threading_refused" })
        #expect(refusal.subjectID == stranger.messageID)
        #expect(refusal.detail["strategy"] == "in_reply_to")
        #expect(refusal.detail["reason"] == "sender is not a participant of the conversation referenced by In-Reply-To")
        #expect(!refusal.detail.values.contains { $0.contains("@") })
        #expect(!(try await Self.events(store, customer.conversationID)).contains { $0.kind == "threading_refused" })

        // Through References, another stranger is refused the same way.
        let other = try await intake.accept(Self.mail(3, from: "eve@evil.example", references: ["m0@elsewhere", "m1@mail.example"]))
        #expect(other.conversationID != customer.conversationID)
        #expect(other.threadedBy == .new)
        #expect(try await Self.events(store, other.conversationID).first { $0.kind == "threading_refused" }?.detail["strategy"] == "references")

        // The stranger writing again joins their own conversation by sender; the refusal is noted again.
        let again = try await intake.accept(Self.mail(4, from: "mallory@evil.example", inReplyTo: ["m1@mail.example"]))
        #expect(again.conversationID == stranger.conversationID)
        #expect(again.threadedBy == .sender)
        #expect(try await Self.events(store, stranger.conversationID).filter { $0.kind == "threading_refused" }.count == 2)
    }

    @Test("the customer and the conversation's other participants still thread by In-Reply-To and References")
    func participantsJoin() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, intake) = try ConversationContextTests.storeAndIntake(in: directory)
        let customer = try await intake.accept(Self.mail(1, from: "alice@example.com", recipients: ["support@shop.example", "Bob@Example.com"]))

        // The customer, whatever the case of the address.
        let reply = try await intake.accept(Self.mail(2, from: "ALICE@example.com", inReplyTo: ["m1@mail.example"]))
        #expect(reply.conversationID == customer.conversationID)
        #expect(reply.threadedBy == .inReplyTo)
        // Someone the customer copied in.
        let copied = try await intake.accept(Self.mail(3, from: "bob@example.com", references: ["m2@mail.example"]))
        #expect(copied.conversationID == customer.conversationID)
        #expect(copied.threadedBy == .references)
        // Someone who wrote in the conversation before (copied in by bob, then writing themselves).
        _ = try await intake.accept(
            Self.mail(4, from: "bob@example.com", recipients: ["support@shop.example", "carol@example.com"], inReplyTo: ["m3@mail.example"]))
        let carol = try await intake.accept(Self.mail(5, from: "carol@example.com", inReplyTo: ["m4@mail.example"]))
        #expect(carol.conversationID == customer.conversationID)
        #expect(carol.threadedBy == .inReplyTo)
        #expect(!(try await Self.events(store, customer.conversationID)).contains { $0.kind == "threading_refused" })
    }
}
