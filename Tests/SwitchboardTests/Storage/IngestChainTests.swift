import Foundation
import GRDB
import Gateway
import Logging
import Metrics
import Pipeline
import Rules
import SQLiteStorage
import SwitchboardCore
import TestSupport
import Testing

/// A mailbox fetch is committed as a chain in one transaction (issue 19, item 7): a message that fails
/// stops the chain there, and the cursor never passes a message that was not stored.
@Suite("Ingest chains (mailbox batches)")
struct IngestChainTests {
    static let rules = Result { try RuleDirectory.load(Fixtures.shippedRules).rules }

    /// A classified request for `sender`, at mailbox position `position`; `conversation` is the id it takes
    /// should it start one (two new conversations under one id break the key: the way to make one fail).
    static func request(_ sender: String, position: Int64?, conversation: String, messageID: String? = nil) throws -> IngestRequest {
        var thread = ThreadHints()
        thread.messageID = messageID
        let inbound = InboundMessage(
            channel: .email, source: "mail", externalID: "chain-\(sender)-\(position ?? 0)", sender: sender, subject: "订单",
            text: "请问订单到哪了", thread: thread,
            cursor: position.map { IntakeCursor(source: "mail", stream: "INBOX", validity: 7, position: $0) })
        let classification = try rules.get().classify(ClassificationInput(
            channel: "email", source: "mail", sender: sender, subject: inbound.subject, text: inbound.text, receivedAt: inbound.receivedAt))
        return IngestRequest(inbound: inbound, classification: classification, slaDueAt: nil, newConversationID: conversation, autoReply: nil)
    }

    static func chained(_ requests: [IngestRequest]) -> [IngestRequest] {
        var requests = requests
        for index in requests.indices.dropFirst() { requests[index].followsPrevious = true }
        return requests
    }

    static func senders(_ store: SQLiteMessageStore) async throws -> [String] {
        try await testDatabase(store.path).read { db in try String.fetchAll(db, sql: "SELECT sender FROM messages ORDER BY rowid") }
    }

    /// The committer must hand a group to the store whole: split across two transactions, the part after
    /// the cut would start a chain of its own and be stored though a message before it failed.
    @Test("the group committer never splits a group across transactions", .timeLimit(.minutes(1)))
    func committerKeepsGroupsWhole() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteMessageStore(directory: directory.path)
        let committer = IngestCommitter(
            store: store, settings: .init(window: .milliseconds(20), maxBatch: 2), logger: Logger(label: "test"),
            metricsFactory: NOOPMetricsHandler.instance)
        let service = Task { try await committer.run() }
        defer { service.cancel() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while !committer.isRunning, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(committer.isRunning)

        let alone = try Self.request("s@example.com", position: nil, conversation: "conv_group_s")
        async let single = committer.commit(alone)
        let results = try await committer.commit(group: Self.chained([
            try Self.request("a@example.com", position: 41, conversation: "conv_group_a"),
            try Self.request("b@example.com", position: 42, conversation: "conv_group_a"),  // fails: the id is taken
            try Self.request("c@example.com", position: 43, conversation: "conv_group_c"),
        ]))
        _ = try await single
        #expect(results.map { (try? $0.get()) != nil } == [true, false, false])
        #expect(Set(try await Self.senders(store)) == ["a@example.com", "s@example.com"])
        #expect(try await store.intakeCursor(source: "mail", stream: "INBOX")?.position == 41)
    }

    /// Accepting a fetch together must decide what accepting its messages one by one decides: a customer
    /// writing twice gets one acknowledgement and a second message that knows of the first.
    @Test("accepting a batch stores what accepting its messages one by one stores", arguments: [false, true])
    func batchMatchesOneByOne(withCommitter: Bool) async throws {
        func messages(_ start: Date) -> [InboundMessage] {
            func mail(_ index: Int, from sender: String, inReplyTo: String? = nil, references: String? = nil, text: String) -> InboundMessage {
                var thread = ThreadHints()
                thread.messageID = "equal-\(index)@example.com"
                thread.inReplyTo = inReplyTo.map { [$0] } ?? []
                thread.references = references.map { [$0] } ?? []
                return InboundMessage(
                    channel: .email, source: "mail", externalID: "equal-\(index)@example.com", sender: sender,
                    recipients: ["support@example.com"], subject: "订单 \(index)", text: text,
                    receivedAt: start.addingTimeInterval(Double(index)), thread: thread,
                    cursor: IntakeCursor(source: "mail", stream: "INBOX", validity: 1, position: Int64(index + 1)))
            }
            return [
                mail(0, from: "a@example.com", text: "请问订单到哪了"),
                mail(1, from: "b@example.com", text: "Where is my parcel? It has been a week."),
                mail(2, from: "a@example.com", text: "怎么还没有回复？我的订单到底到哪了"),  // writes again
                mail(3, from: "c@example.com", text: "发票怎么开？"),
                mail(4, from: "b@example.com", inReplyTo: "equal-1@example.com", text: "Any news?"),  // cites their first
                mail(5, from: "d@example.com", text: "谢谢"),
                mail(6, from: "a@example.com", text: "第三次问了"),
                // Two colleagues the customer who wrote before the fetch copied, answering in that conversation:
                // the second must see the first in it, though neither names the other.
                mail(7, from: "e@example.com", inReplyTo: "prelude@example.com", text: "Same problem here, still waiting."),
                mail(8, from: "f@example.com", references: "prelude@example.com", text: "我们也在等，很着急"),
                mail(9, from: "g@example.com", text: "Thanks!"),
            ]
        }
        func prelude(_ start: Date) -> InboundMessage {
            var thread = ThreadHints()
            thread.messageID = "prelude@example.com"
            return InboundMessage(
                channel: .email, source: "mail", externalID: "prelude@example.com", sender: "z@example.com",
                recipients: ["support@example.com", "e@example.com", "f@example.com"], subject: "Our team cannot log in", text: "None of us can log in since this morning.",
                receivedAt: start.addingTimeInterval(-60), thread: thread)
        }
        func outcome(batch: Bool) async throws -> [String] {
            let directory = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteMessageStore(directory: directory.path)
            let committer = withCommitter
                ? IngestCommitter(store: store, logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance) : nil
            let service = committer.map { committer in Task { try await committer.run() } }
            defer { service?.cancel() }
            let intake = Intake(
                store: store, rules: RuleBook(try RuleDirectory.load(Fixtures.shippedRules)), timeZone: TimeZone(identifier: "UTC")!,
                logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance, committer: committer, outboxChanged: {})
            let start = Date(timeIntervalSince1970: 1_795_000_000)
            _ = try await intake.accept(prelude(start))
            if batch {
                let results = await intake.accept(batch: messages(start))
                for result in results { _ = try result.get() }
            } else {
                for message in messages(start) { _ = try await intake.accept(message) }
            }
            #expect(try await store.intakeCursor(source: "mail", stream: "INBOX")?.position == 10)
            return try await testDatabase(store.path).read { db in
                // Conversations are named by their first message, so both runs compare.
                try Row.fetchAll(db, sql: """
                    SELECT m.external_id, m.threaded_by, m.classification,
                        (SELECT external_id FROM messages f WHERE f.conversation_id = m.conversation_id ORDER BY rowid LIMIT 1) AS first,
                        (SELECT COUNT(*) FROM outbox o WHERE o.conversation_id = m.conversation_id) AS acks,
                        c.urgency, c.queue
                    FROM messages m JOIN conversations c ON c.id = m.conversation_id ORDER BY m.rowid
                    """).map { row in
                    let classification = try APIAnswers.decode(JSONValue.self, from: Data((row["classification"] as String).utf8))
                    let context = classification["context"].map { "\($0)" } ?? "none"
                    return "\(row["external_id"] as String) \(row["threaded_by"] as String) in \(row["first"] as String) acks \(row["acks"] as Int) \(row["urgency"] as String) \(row["queue"] as String) context \(context)"
                }
            }
        }
        let oneByOne = try await outcome(batch: false)
        let together = try await outcome(batch: true)
        #expect(oneByOne.count == 11)
        #expect(together == oneByOne)
        // The test means something only if later messages did see earlier ones.
        #expect(oneByOne[3].contains("in equal-0@example.com"))
        #expect(oneByOne[5].contains("in equal-1@example.com"))
        #expect(oneByOne[8].contains("in prelude@example.com") && oneByOne[9].contains("in prelude@example.com"))
        #expect(oneByOne[9].contains(#""priorInboundMessages":2"#))
    }
}
