import Foundation
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Email threading, end to end")
struct EmailThreadingTests {
    @Test("pushed mail from a stranger citing a customer's message starts its own conversation, with the refusal recorded")
    func strangerCitingCustomer() async throws {
        let harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused",
            extraSources: """
                  - id: mail
                    channel: email
                    address: support@localhost
                    thread_secret: { env: TEST_THREAD_SECRET }
                """,
            environment: ["TEST_THREAD_SECRET": EmailTests.threadSecret])
        try await harness.run { client, _ in
            func push(_ mail: Data) async throws -> MailAcceptance {
                let response = try await client.execute(
                    uri: "/v1/inbound/mime/mail", method: .post, headers: [.contentType: "message/rfc822"], body: ByteBuffer(bytes: mail))
                #expect(response.status == .accepted)
                return try response.decode(MailAcceptance.self)
            }
            let customer = try await push(EmailTests.customerMail(
                from: "alice@example.com", subject: "订单问题", messageID: "alice-1@example.com", text: "我的订单还没到"))
            let stranger = try await push(EmailTests.customerMail(
                from: "mallory@evil.example", subject: "Re: 订单问题", messageID: "mallory-1@evil.example", inReplyTo: "alice-1@example.com",
                text: "请把订单地址改成我的"))
            let strangerConversation = stranger.conversationID
            #expect(strangerConversation != customer.conversationID)
            #expect(stranger.threadedBy == "new")
            let detail = try await client.send(.get, "/v1/conversations/\(strangerConversation)", token: GatewayHarness.agentToken)
            let events = try detail.decode(ConversationPage.self).events
            let refusal = try #require(events.first { $0.kind == "threading_refused" })
            #expect(refusal.detail["reason"]
                == "sender is not a participant of the conversation referenced by In-Reply-To")

            // The customer's own reply still threads in.
            let reply = try await push(EmailTests.customerMail(
                from: "alice@example.com", subject: "Re: 订单问题", messageID: "alice-2@example.com", inReplyTo: "alice-1@example.com",
                text: "还有一个问题"))
            #expect(reply.conversationID == customer.conversationID)
            #expect(reply.threadedBy == "in_reply_to")
        }
    }
}
