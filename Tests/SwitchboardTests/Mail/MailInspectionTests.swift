import Channels
import Foundation
import Gateway
import Pipeline
import Rules
import SwitchboardCore
import TestSupport
import Testing

/// `switchboard inspect`: what the report says about a message, without storing it.
@Suite("Mail inspection")
struct MailInspectionTests {
    static let rules = try! RuleDirectory.load(Fixtures.shippedRules).rules
    static let normalizer = EmailNormalizer(source: EmailSource(id: "inspect", address: "support@switchboard.example", threadSecret: "inspect-test-secret"))
    static let monday = ISO8601DateFormatter().date(from: "2026-11-23T10:00:00+08:00")!

    /// An out-of-office answer from 王小明 (RFC 2047 encoded) whose words would otherwise earn an acknowledgement.
    static func mail(autoSubmitted: Bool) -> Data {
        let name = "=?UTF-8?B?" + Data("王小明".utf8).base64EncodedString() + "?="
        var lines = [
            "From: \(name) <wang.xiaoming@example.cn>",
            "To: support@switchboard.example",
            "Subject: =?UTF-8?B?" + Data("自动回复：订单问题".utf8).base64EncodedString() + "?=",
            "Date: Mon, 23 Nov 2026 10:00:00 +0800",
            "Message-ID: <ooo-42@example.cn>",
        ]
        if autoSubmitted { lines.append("Auto-Submitted: auto-replied") }
        lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", "我休假至12月7日。系统故障很着急的话请联系李雷。", ""]
        return Data(lines.joined(separator: "\r\n").utf8)
    }

    /// The report encoded with snake_case keys, as `switchboard inspect` prints it, read back as plain JSON to see which keys it has.
    static func json(_ report: MailInspection) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try APIAnswers.decode(JSONValue.self, from: encoder.encode(report))
    }

    @Test("an out-of-office mail shows why no acknowledgement goes out, and names none")
    func suppressedShowsNoAutoReply() throws {
        let ordinary = MailInspection.inspect(
            file: "a.eml", raw: Self.mail(autoSubmitted: false), rules: Self.rules, normalizer: Self.normalizer, receivedAt: Self.monday)
        #expect(ordinary.autoReplySuppressed == nil)
        let wouldSend = try #require(ordinary.classification?.autoReply)

        let outOfOffice = MailInspection.inspect(
            file: "b.eml", raw: Self.mail(autoSubmitted: true), rules: Self.rules, normalizer: Self.normalizer, receivedAt: Self.monday)
        #expect(outOfOffice.autoReplySuppressed?.contains("Auto-Submitted") == true)
        #expect(outOfOffice.classification?.autoReply == nil, "reported \(wouldSend) although none would be sent")
        #expect(outOfOffice.classification?.route == ordinary.classification?.route)

        let json = try Self.json(outOfOffice)
        let classification = try #require(json["classification"])
        #expect(classification["auto_reply"] == nil)
        #expect(json["auto_reply_suppressed"]?.string != nil)
    }

    @Test("the From display name is kept next to the address")
    func displayName() throws {
        let report = MailInspection.inspect(
            file: "b.eml", raw: Self.mail(autoSubmitted: true), rules: Self.rules, normalizer: Self.normalizer, receivedAt: Self.monday)
        #expect(report.from == "wang.xiaoming@example.cn")
        #expect(report.fromName == "王小明")
        let json = try Self.json(report)
        #expect(json["from_name"]?.string == "王小明")

        let bare = "From: dave@example.net\r\nTo: support@switchboard.example\r\nSubject: hi\r\n\r\nhello\r\n"
        let plain = MailInspection.inspect(file: "c.eml", raw: Data(bare.utf8), rules: Self.rules, normalizer: Self.normalizer)
        #expect(plain.fromName == nil)
        #expect(try Self.json(plain)["from_name"] == nil)
    }
}
