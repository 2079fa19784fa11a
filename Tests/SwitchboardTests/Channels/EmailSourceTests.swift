@testable import Channels
import Foundation
import Gateway
import StrictYAML
import TestSupport
import Testing

@Suite("Email source: conversation tokens and configuration")
struct EmailSourceTests {
    @Test("a conversation token verifies only unchanged and under the same secret")
    func conversationToken() {
        let token = ConversationToken(secret: "first-secret-0123456789", domain: "example.com")
        let id = token.messageID(conversationID: "conv_abc", outboxID: "out_def")
        #expect(id.hasPrefix("sb.conv_abc.out_def."))
        #expect(id.hasSuffix("@example.com"))
        #expect(token.conversationID(fromMessageID: id) == "conv_abc")
        #expect(token.conversationID(fromMessageID: id.replacingOccurrences(of: "conv_abc", with: "conv_xyz")) == nil)
        let signature = id.split(separator: ".")[3]
        #expect(token.conversationID(fromMessageID: id.replacingOccurrences(of: signature, with: String(signature.reversed()))) == nil)
        #expect(ConversationToken(secret: "other-secret-0123456789", domain: "example.com").conversationID(fromMessageID: id) == nil)
        #expect(token.conversationID(fromMessageID: "20261122.4242@mail.example.cn") == nil)
        #expect(token.conversationID(fromMessageID: "sb...@x") == nil)
    }

    @Test("reply subjects get one Re: prefix")
    func replySubjects() {
        #expect(SMTPChannel.replySubject("投诉") == "Re: 投诉")
        #expect(SMTPChannel.replySubject("RE: order 77") == "RE: order 77")
        #expect(SMTPChannel.replySubject("回复：发票") == "回复：发票")
        #expect(SMTPChannel.replySubject(nil) == "Re: your message")
    }

    private func problems(_ source: String) throws -> [String] {
        try Fixtures.configurationProblems("sources:\n" + source, environment: ["SECRET": "a-thread-secret-long-enough", "PASSWORD": "hunter2-password"])
    }

    @Test("a complete email source loads, with its mailbox and relay")
    func validSource() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.write(["Config/switchboard.yaml": """
            sources:
              - id: mail
                channel: email
                address: support@example.com
                thread_secret: { env: SECRET }
                imap: { url: "imaps://imap.example.com:993", username: support, password: { env: PASSWORD }, after_import: move, move_to: Done, poll_interval: 15s }
                smtp: { url: "smtps://smtp.example.com:465", username: support, password: { env: PASSWORD }, helo_name: sb.example.com }
            """], under: directory)
        let configuration = try GatewayConfiguration.load(
            path: directory.appendingPathComponent("Config/switchboard.yaml").path,
            environment: ["SECRET": "a-thread-secret-long-enough", "PASSWORD": "hunter2-password"])
        let email = try #require(configuration.sources.first?.settings(as: EmailSource.self))
        #expect(email.mailbox?.afterImport == .move(to: "Done"))
        #expect(email.mailbox?.pollInterval == .seconds(15))
        #expect(email.mailbox?.endpoint.url == "imaps://imap.example.com:993")
        #expect(email.relay?.heloName == "sb.example.com")
        #expect(!"\(email.mailbox!.endpoint)".contains("hunter2"))
    }

    @Test("unsafe or wrong email settings are refused at their position")
    func refusedSettings() throws {
        let base = "  - id: mail\n    channel: email\n    address: support@example.com\n    thread_secret: { env: SECRET }\n"
        let credentials = try problems(base + "    imap: { url: \"imaps://u:p@imap.example.com\" }\n")
        #expect(credentials.contains { $0.contains("must not carry credentials") }, "\(credentials)")
        let clearText = try problems(base + "    imap: { url: \"imap://imap.example.com\", username: u, password: { env: PASSWORD } }\n")
        #expect(clearText.contains { $0.contains("clear text") })
        #expect(!clearText.joined().contains("hunter2"))
        let delete = try problems(base + "    imap: { url: \"imaps://imap.example.com\", after_import: delete }\n")
        #expect(delete.contains { $0.contains("never deletes") })
        let webhookKey = try problems(base + "    reply_url: \"http://x\"\n")
        #expect(webhookKey.contains { $0.contains("reply_url is for webhook sources") })
        let inline = try problems("  - id: mail\n    channel: email\n    address: support@example.com\n    thread_secret: plain-text-secret-here\n")
        #expect(inline.contains { $0.contains("thread_secret of mail is a secret") })
        let scheme = try problems(base + "    smtp: { url: \"http://smtp.example.com\" }\n")
        #expect(scheme.contains { $0.contains("smtps://host:port") })
    }
}
