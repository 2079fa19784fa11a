@testable import Channels
import Curl
import Foundation
import Logging
import Mail
import SwitchboardCore
import Testing

/// SMTPChannel sending an agent's files to a real SMTP server (TestMailServers), read back from the
/// recipient's mailbox.
@Suite(.serialized)
struct SMTPAttachmentTests {
    static let logger: Logger = {
        var logger = Logger(label: "smtp-attachment-tests")
        logger.logLevel = .warning
        return logger
    }()

    static func delivery(to recipient: String, attachments: [MessageAttachment]) -> (ClaimedDelivery, Conversation) {
        let now = Date(timeIntervalSince1970: 1_795_341_600)
        let entry = OutboxEntry(
            id: "out_1", conversationID: "conv_1", channel: .email, source: "mail", recipient: recipient, script: nil,
            body: "附件是您的发票。\nYour invoice is attached.", status: .sending, attempts: 1, nextAttemptAt: nil,
            lastError: nil, automatic: false, author: "agent-li", createdAt: now, updatedAt: now)
        let conversation = Conversation(
            id: "conv_1", channel: .email, source: "mail", customerAddress: recipient, customerTier: .ordinary,
            language: "zh", queue: "billing", priority: 2, urgency: .normal, sentiment: .neutral, state: .inProgress,
            routeID: "default", slaPolicy: "p2", slaDueAt: nil, owner: nil, createdAt: now, updatedAt: now)
        var delivery = ClaimedDelivery(entry: entry, conversation: conversation, replyingTo: nil)
        delivery.attachments = attachments
        return (delivery, conversation)
    }

    static func source(relay: MailServerEndpoint) -> EmailSource {
        EmailSource(
            id: "mail", address: "support@example.com", displayName: "Support", threadSecret: "a-thread-secret-long-enough",
            relay: EmailSource.Relay(endpoint: relay, heloName: "gateway.example.com"))
    }

    @Test func anAgentsFilesReachTheRecipientByteExact() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let user = "user" + String(UUID().uuidString.prefix(8)).lowercased()
        let channel = SMTPChannel(sources: [Self.source(relay: servers.smtpEndpoint())], logger: Self.logger)
        #expect(throws: Never.self) { try channel.validateAttachments(count: 3, source: "mail") }

        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        for value in 0..<4096 { png.append(UInt8(truncatingIfNeeded: value * 7)) }
        // A line of a lone dot inside a file must survive SMTP's dot-stuffing.
        let pdf = Data("%PDF-1.4\r\n.\r\n..\r\n%%EOF\r\n".utf8)
        let name = String(repeating: "客户发票", count: 12) + ".pdf"
        let (delivery, conversation) = Self.delivery(to: "\(user)@example.com", attachments: [
            MessageAttachment(id: "att_1", name: "parcel.png", contentType: "image/png", size: png.count, content: png),
            MessageAttachment(id: "att_2", name: name, contentType: "application/pdf", size: pdf.count, content: pdf),
        ])
        let outcome = await channel.deliver(delivery, conversation: conversation)
        guard case .delivered = outcome else {
            Issue.record("not delivered: \(outcome)")
            return
        }
        let received = try await servers.mailbox(user)
        #expect(received.count == 1)
        let mail = MIMEParser().parse(try #require(received.first))
        #expect(mail.text == "附件是您的发票。\nYour invoice is attached.")
        #expect(mail.attachments.map(\.name) == ["parcel.png", name])
        #expect(mail.attachments.map(\.contentType) == ["image/png", "application/pdf"])
        #expect(mail.attachments.map(\.content) == [png, pdf])
    }

    @Test func aFileWithoutItsBytesFailsTheDeliveryInsteadOfSendingAnEmptyFile() async {
        let unreachable = MailServerEndpoint(url: "smtp://127.0.0.1:9", connectTimeout: .seconds(1), timeout: .seconds(1))
        let channel = SMTPChannel(sources: [Self.source(relay: unreachable)], logger: Self.logger)
        let (delivery, conversation) = Self.delivery(to: "li@example.com", attachments: [
            MessageAttachment(id: "att_1", name: "scan.pdf", contentType: "application/pdf", size: 10, content: nil),
        ])
        let outcome = await channel.deliver(delivery, conversation: conversation)
        guard case let .failed(error) = outcome else {
            Issue.record("expected a permanent failure, got \(outcome)")
            return
        }
        #expect(error.contains("att_1"))
    }
}
