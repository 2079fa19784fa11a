import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SwitchboardCore
import Testing

/// SMS through a real Kannel (bearerbox and smsbox, private configuration on free 127.0.0.1 ports) whose
/// HTTP SMSC talks to a fake operator in the test: Kannel's own splitting, queueing, delivery report
/// storage and `sms-service` routing are all exercised.
@Suite("SMS through a real Kannel, end to end", .serialized)
struct KannelTests {
    static let secret = "kannel-inbound-secret-0001"
    static let shortCode = "10690000"

    /// Runs `body` with the gateway, the operator and Kannel started and wired to each other.
    static func withKannel(
        autoDeliver: Bool = true, sendRate: Int = 50, moPost: Bool = false, time: ManualTime? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol, Gateway.Parts, FakeSMSOperator, TestKannel) async throws -> Void
    ) async throws {
        let ports = try TestKannel.reservePorts()
        let smsOperator = FakeSMSOperator(autoDeliver: autoDeliver)
        try await smsOperator.start()
        try await stopping(smsOperator) {
            var harness = try GatewayHarness(
                replyURL: "http://127.0.0.1:9/unused",
                extraSources: """
                      - id: kan
                        channel: sms
                        number: "\(shortCode)"
                        default_country_code: "86"
                        max_segments: 6
                        send_rate: \(sendRate)
                        kannel:
                          sendsms_url: http://127.0.0.1:\(ports.sendsms)/cgi-bin/sendsms
                          username: \(TestKannel.sendsmsUsername)
                          password: { env: TEST_KANNEL_PASSWORD }
                          inbound_secret: { env: TEST_KANNEL_SECRET }
                    """,
                environment: ["TEST_KANNEL_PASSWORD": TestKannel.sendsmsPassword, "TEST_KANNEL_SECRET": secret])
            if let time { harness.timerClock = { time.value } }
            try await harness.run { (client, parts) async throws in
                let port = try #require(client.port)
                let kannel = try await TestKannel.start(
                    ports: ports, operator: smsOperator, moURL: "http://127.0.0.1:\(port)/v1/inbound/sms/kan?secret=\(secret)", moPost: moPost)
                defer { kannel.stop() }
                do {
                    try await body(client, parts, smsOperator, kannel)
                } catch {
                    Issue.record("Kannel log: \(kannel.log().suffix(3000))")
                    throw error
                }
            }
        }
    }

    static func inboundMessages(_ parts: Gateway.Parts) async throws -> [Row] {
        try testDatabase(parts.sqlitePath).read { db in
            try Row.fetchAll(db, sql: "SELECT id, conversation_id, sender, text, external_id FROM messages WHERE channel = 'sms' AND direction = 'inbound' ORDER BY received_at")
        }
    }

    static func reply(_ client: any TestClientProtocol, conversationID: String, text: String) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["conversation_id": conversationID, "text": text])
        let response = try await client.send(.post, "/v1/outbox", json: String(decoding: body, as: UTF8.self), token: GatewayHarness.agentToken)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try response.decode(OutboxEntryAnswer.self).id
    }

    @Test("MO in Chinese → conversation; acknowledgement and agent replies → Kannel → operator, split as GSM-7 and UCS-2 → DLR → delivered")
    func roundTrip() async throws {
        try await Self.withKannel { client, parts, smsOperator, _ in
            let complaint = "我的订单A123三天了还没到，太慢了！"
            try await smsOperator.sendMO(from: "13800138000", to: Self.shortCode, text: complaint)
            #expect(try await eventually { try await Self.inboundMessages(parts).count == 1 })
            let message = try #require(try await Self.inboundMessages(parts).first)
            #expect(message["sender"] as String? == "+8613800138000")
            #expect(message["text"] as String? == complaint)
            #expect((message["external_id"] as String?)?.hasPrefix("kannel:") == true)
            let conversationID: String = try #require(message["conversation_id"])

            // The automatic acknowledgement (the SMS script, Chinese: UCS-2) reaches the operator and is delivered.
            let ack = try #require(try await testDatabase(parts.sqlitePath).read { db in
                try String.fetchOne(db, sql: "SELECT id FROM outbox WHERE conversation_id = ? AND automatic = 1", arguments: [conversationID])
            })
            #expect(try await eventually { try await parts.store.outboxEntry(id: ack)?.status == .delivered })
            let ackParts = smsOperator.received
            #expect(!ackParts.isEmpty)
            for part in ackParts {
                #expect(part.coding == 2)
                #expect(part.to == "+8613800138000")
                #expect(part.from == Self.shortCode)
            }
            #expect(ackParts.map(\.text).joined().contains("工单"))

            // 200 characters of English: two GSM-7 parts of one concatenated message.
            let english = String(String(repeating: "Your parcel A123 left our warehouse today and should arrive within two days! ", count: 3).prefix(199)) + "."
            #expect(english.count == 200)
            let englishID = try await Self.reply(client, conversationID: conversationID, text: english)
            let afterEnglish = try await smsOperator.waitForMTs(count: ackParts.count + 2)
            let englishParts = afterEnglish.dropFirst(ackParts.count).sorted { ($0.concatenation?.number ?? 0) < ($1.concatenation?.number ?? 0) }
            #expect(englishParts.count == 2)
            #expect(englishParts.allSatisfy { $0.coding == 0 && $0.concatenation?.count == 2 })
            #expect(englishParts.map(\.text).joined() == english)
            #expect(try await eventually { try await parts.store.outboxEntry(id: englishID)?.status == .delivered })

            // 100 Chinese characters: two UCS-2 parts (67 + 33).
            let chinese = String(String(repeating: "您的包裹已从仓库发出，预计两天内送达，请保持电话畅通。", count: 4).prefix(100))
            let chineseID = try await Self.reply(client, conversationID: conversationID, text: chinese)
            let afterChinese = try await smsOperator.waitForMTs(count: ackParts.count + 4)
            let chineseParts = afterChinese.dropFirst(ackParts.count + 2).sorted { ($0.concatenation?.number ?? 0) < ($1.concatenation?.number ?? 0) }
            #expect(chineseParts.count == 2)
            #expect(chineseParts.allSatisfy { $0.coding == 2 && $0.concatenation?.count == 2 })
            #expect(chineseParts.map { $0.text.count } == [67, 33])
            #expect(chineseParts.map(\.text).joined() == chinese)
            #expect(try await eventually { try await parts.store.outboxEntry(id: chineseID)?.status == .delivered })

            // The same customer writing again joins the open conversation.
            try await smsOperator.sendMO(from: "+8613800138000", to: Self.shortCode, text: "收到了，谢谢")
            #expect(try await eventually { try await Self.inboundMessages(parts).count == 2 })
            #expect(try await Self.inboundMessages(parts).last?["conversation_id"] as String? == conversationID)
        }
    }

    @Test("Kannel's post-url: the text as the body, sender and coding in X-Kannel headers, Chinese and GSM alike")
    func postURL() async throws {
        try await Self.withKannel(moPost: true) { _, parts, smsOperator, _ in
            try await smsOperator.sendMO(from: "13800138000", to: Self.shortCode, text: "退款什么时候到账？")
            try await smsOperator.sendMO(from: "13900139000", to: Self.shortCode, text: "Where is my refund? Ref #42 & co")
            #expect(try await eventually { try await Self.inboundMessages(parts).count == 2 })
            let rows = try await Self.inboundMessages(parts)
            #expect(Set(rows.compactMap { $0["text"] as String? }) == ["退款什么时候到账？", "Where is my refund? Ref #42 & co"])
            #expect(Set(rows.compactMap { $0["sender"] as String? }) == ["+8613800138000", "+8613900139000"])
            #expect(rows.allSatisfy { ($0["external_id"] as String?)?.hasPrefix("kannel:") == true })
        }
    }

    @Test("delivery reports: SMSC acceptance makes the entry sent; failed, buffered then delivered, and repeats, handled")
    func deliveryReports() async throws {
        try await Self.withKannel(autoDeliver: false) { client, parts, smsOperator, _ in
            try await smsOperator.sendMO(from: "13900139000", to: Self.shortCode, text: "hello, where is my refund?")
            #expect(try await eventually { try await Self.inboundMessages(parts).count == 1 })
            let conversationID: String = try #require(try await Self.inboundMessages(parts).first?["conversation_id"])
            // Let the acknowledgement go out first, so the parts below are the agent's.
            #expect(try await eventually { smsOperator.received.count >= 1 })
            try await smsOperator.waitForWholeMessages()
            let before = smsOperator.received.count

            // Kannel reports the operator's acceptance (type 8) once it has read the operator's answer, and only
            // from then on does it know the operator's id: a report sent before is refused as unknown. The
            // entry can be sent earlier (Kannel took the submission), so the test waits for that report.
            @Sendable func acceptanceReported(_ outboxID: String) async throws -> Bool {
                try await testDatabase(parts.sqlitePath).read { db in
                    try Bool.fetchOne(db, sql: """
                        SELECT COUNT(*) > 0 FROM events WHERE subject_id = ? AND kind = 'delivery_report' AND detail LIKE '%"state":"accepted"%'
                        """, arguments: [outboxID]) ?? false
                }
            }

            let failing = try await Self.reply(client, conversationID: conversationID, text: "Your refund was issued today.")
            let failingPart = try #require(try await smsOperator.waitForMTs(count: before + 1).last)
            #expect(try await eventually { try await acceptanceReported(failing) })
            #expect(try await parts.store.outboxEntry(id: failing)?.status == .sent)
            #expect(try await smsOperator.sendDeliveryReport(foreignID: try #require(failingPart.foreignID), status: .failed, errorCode: 5))
            #expect(try await eventually { try await parts.store.outboxEntry(id: failing)?.status == .failed })
            #expect(try await parts.store.outboxEntry(id: failing)?.lastError?.contains("delivery report: DLR 2") == true)

            let delivered = try await Self.reply(client, conversationID: conversationID, text: "Please check your bank app.")
            let deliveredPart = try #require(try await smsOperator.waitForMTs(count: before + 2).last)
            let foreignID = try #require(deliveredPart.foreignID)
            #expect(try await eventually { try await acceptanceReported(delivered) })
            #expect(try await parts.store.outboxEntry(id: delivered)?.status == .sent)
            #expect(try await smsOperator.sendDeliveryReport(foreignID: foreignID, status: .buffered))
            #expect(try await smsOperator.sendDeliveryReport(foreignID: foreignID, status: .delivered))
            #expect(try await eventually { try await parts.store.outboxEntry(id: delivered)?.status == .delivered })
            // Kannel forgets a message after its final report: a repeat stops there and changes nothing here.
            #expect(try await smsOperator.sendDeliveryReport(foreignID: foreignID, status: .failed) == false)
            #expect(try await parts.store.outboxEntry(id: delivered)?.status == .delivered)

            @Sendable func reportEvents() async throws -> [String] {
                try await testDatabase(parts.sqlitePath).read { db in
                    try String.fetchAll(db, sql: "SELECT detail FROM events WHERE subject_id = ? AND kind = 'delivery_report' ORDER BY seq", arguments: [delivered])
                }
            }
            #expect(try await eventually { try await reportEvents().count == 3 })
            let reports = try await reportEvents()
            // SMSC acceptance (8), buffered (4), delivered (1): smsbox calls dlr-urls concurrently, so they may
            // arrive in any order, and exactly one of them moves the entry to delivered.
            #expect(reports.count == 3, "\(reports)")
            #expect(reports.filter { $0.contains(#""result":"delivered""#) }.count == 1, "\(reports)")
        }
    }

    @Test("MO callbacks: a wrong secret is refused with 403; a retried MO (same Kannel id) is stored once")
    func moCallbacks() async throws {
        try await Self.withKannel { client, parts, _, _ in
            let query = "from=8613700137000&to=\(Self.shortCode)&text=hello&coding=0&charset=UTF-8&smsc=op&id=retry-1"
            let wrong = try await client.execute(uri: "/v1/inbound/sms/kan?secret=guess&\(query)", method: .get, headers: [:], body: nil)
            #expect(wrong.status == .forbidden)
            #expect(!String(buffer: wrong.body).contains(Self.secret))
            let missing = try await client.execute(uri: "/v1/inbound/sms/kan?\(query)", method: .get, headers: [:], body: nil)
            #expect(missing.status == .forbidden)
            for _ in 0..<2 {
                let accepted = try await client.execute(uri: "/v1/inbound/sms/kan?secret=\(Self.secret)&\(query)", method: .get, headers: [:], body: nil)
                #expect(accepted.status == .ok)
                #expect(accepted.body.readableBytes == 0)  // smsbox must send nothing back to the handset
            }
            let badNumber = try await client.execute(
                uri: "/v1/inbound/sms/kan?secret=\(Self.secret)&from=%2B86abc&text=hi&id=x", method: .get, headers: [:], body: nil)
            #expect(badNumber.status == .badRequest)
            #expect(String(buffer: badNumber.body).contains("'from'"))
            let rows = try await Self.inboundMessages(parts)
            #expect(rows.count == 1)
            #expect(rows.first?["sender"] as String? == "+8613700137000")
            // A forged delivery report (no valid token) is refused.
            let forged = try await client.execute(uri: "/v1/inbound/sms/kan/report?outbox=out_x&token=00&type=1", method: .get, headers: [:], body: nil)
            #expect(forged.status == .forbidden)
        }
    }

    @Test("throughput through the local Kannel: MOs in, acknowledgements out and delivered (printed, not asserted)")
    func throughput() async throws {
        let count = 200
        try await Self.withKannel(sendRate: 1000) { _, parts, smsOperator, _ in
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        for index in stride(from: lane, to: count, by: 4) {
                            try await smsOperator.sendMO(from: String(format: "1380000%04d", index), to: Self.shortCode, text: "请问发票怎么开？订单\(index)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await eventually(within: 60) { try await Self.inboundMessages(parts).count == count })
            let moTime = clock.now - start
            @Sendable func entries(_ statuses: String) async throws -> Int {
                try await testDatabase(parts.sqlitePath).read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE status IN (\(statuses))") ?? 0
                }
            }
            // Every new conversation gets an acknowledgement: that many MTs through Kannel, then their reports.
            #expect(try await eventually(within: 120) { try await entries("'sent', 'delivered'") == count })
            let submitted = clock.now - start
            #expect(try await eventually(within: 120) { try await entries("'delivered'") == count })
            let total = clock.now - start
            let seconds = { (duration: Duration) in duration / .seconds(1) }
            let rate = { (duration: Duration) in String(format: "%.2fs, %.0f msg/s", seconds(duration), Double(count) / seconds(duration)) }
            print("Kannel throughput (\(count) messages): MO into the store \(rate(moTime)); "
                + "MO → acknowledgement accepted by Kannel \(rate(submitted)); MO → MT → DLR delivered \(rate(total))")
        }
    }
}
