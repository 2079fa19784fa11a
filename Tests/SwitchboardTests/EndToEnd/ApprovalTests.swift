import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Compensation approval over real HTTP, on the shipped rules (`approval.yaml`: above ¥500 waits for a
/// supervisor, four hours at most): held replies are not sent until approved by someone other than their
/// author, a rejected or expired one never is, and supervisors are notified.
@Suite("Compensation approval, end to end")
struct ApprovalTests {
    static let sueToken = "sue-supervisor-token-for-tests"
    static let maxToken = "max-supervisor-token-for-tests"
    static let notifySecret = "whsec_bm90aWZpY2F0aW9uLXNlY3JldC1mb3ItdGhlLXRlc3Rz"
    static let alice = GatewayHarness.agentToken

    /// Runs `body` against a gateway whose replies and notifications go to two receivers, on a clock the
    /// test moves, starting at a working morning.
    static func withGateway(
        _ body: @escaping @Sendable (any TestClientProtocol, Gateway.Parts, ReplyReceiver, ReplyReceiver, ManualTime) async throws -> Void
    ) async throws {
        let replies = ReplyReceiver()
        try await replies.start()
        let notices = ReplyReceiver()
        try await notices.start()
        defer { Task { await notices.stop() } }
        let time = ManualTime(ManualTime.workingMorning)
        try await stopping(replies) {
            try await Self.harness(replies: replies.url, notifications: notices.url, time: time).run { client, parts in
                try await body(client, parts, replies, notices, time)
            }
        }
    }

    static func harness(replies: String, notifications: String, time: ManualTime) throws -> GatewayHarness {
        var harness = try GatewayHarness(
            replyURL: replies, maxBodyBytes: 8192,
            environment: ["TEST_SUE": sueToken, "TEST_MAX": maxToken, "TEST_NOTIFY_URL": notifications, "TEST_NOTIFY_SECRET": notifySecret],
            extraTokens: """
                  - { id: sue, name: Sue, role: supervisor, token: { env: TEST_SUE } }
                  - { id: max, name: Max, role: supervisor, token: { env: TEST_MAX } }
                """,
            extraSections: """
                notifications:
                  targets:
                    - id: supervisors
                      url: { env: TEST_NOTIFY_URL }
                      secret: { env: TEST_NOTIFY_SECRET }
                      events: [approval.requested, approval.expired]
                      quiet_hours: none
                """)
        harness.timerClock = { time.value }
        return harness
    }

    /// An outbox entry as the API answers it, with its approval hold.
    struct Entry: Decodable {
        struct Approval: Decodable {
            var amount: String
            var reason: String
            var expiresAt: Date
            var contentSha256: String
            var decidedBy: String?
            var note: String?

            enum CodingKeys: String, CodingKey {
                case amount, reason, note
                case expiresAt = "expires_at", contentSha256 = "content_sha256", decidedBy = "decided_by"
            }
        }
        var id: String
        var status: String
        var attempts: Int
        var author: String
        var body: String
        var lastError: String?
        var approval: Approval?

        enum CodingKeys: String, CodingKey {
            case id, status, attempts, author, body, approval, lastError = "last_error"
        }
    }

    struct ApprovalList: Decodable {
        struct Held: Decodable {
            var id: String
            var body: String
            var author: String
            var amount: String
            var reason: String
            var contentSha256: String

            enum CodingKeys: String, CodingKey {
                case id, body, author, amount, reason, contentSha256 = "content_sha256"
            }
        }
        var approvals: [Held]
        var next: String?
    }

    struct Refusal: Decodable {
        struct Detail: Decodable {
            var code: String
            var message: String
            var state: String?
        }
        var error: Detail
    }

    static func startConversation(_ client: any TestClientProtocol, from: String) async throws -> String {
        let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"\#(from)","text":"快递延误了一周，请问怎么回事？"}"#)
        #expect(posted.status == .accepted)
        return try posted.decode(WebhookAcceptance.self).conversationID
    }

    static func compensation(_ conversationID: String, _ amount: String) -> String {
        #"{"conversation_id":"\#(conversationID)","script":"delay-compensation","variables":{"progress":"包裹已到达本地分拣中心","new_time":"明天 18:00","compensation":"\#(amount)"}}"#
    }

    static func entry(_ client: any TestClientProtocol, _ id: String) async throws -> Entry {
        try await client.send(.get, "/v1/outbox/\(id)", token: GatewayHarness.opsToken).decode(Entry.self)
    }

    /// The outbox ids the receiver was sent (its `webhook-id`s).
    static func sent(_ receiver: ReplyReceiver) -> [String] {
        receiver.received.compactMap { $0.headers["webhook-id"] }
    }

    @Test("¥800 is held until another supervisor approves it, then delivered; a rejected one never goes; ¥500 goes at once; a malformed amount is refused")
    func holdApproveReject() async throws {
        try await Self.withGateway { client, _, replies, notices, time in
            let conversationID = try await Self.startConversation(client, from: "li@example.com")

            // Held: 202 with the hold, and not queued.
            let posted = try await client.send(.post, "/v1/outbox", json: Self.compensation(conversationID, "800"), token: Self.alice)
            #expect(posted.status == .accepted)
            let held = try posted.decode(Entry.self)
            #expect(held.status == "awaiting_approval")
            let hold = try #require(held.approval)
            #expect(hold.amount == "CNY 800.00" && hold.reason == "above_threshold")
            #expect(hold.expiresAt == ManualTime.workingMorning.addingTimeInterval(4 * 3600))
            #expect(hold.contentSha256.count == 64)

            // Exactly ¥500 goes out at once, and the held reply, created before it, is still untouched.
            let allowed = try await client.send(.post, "/v1/outbox", json: Self.compensation(conversationID, "500"), token: Self.alice)
            #expect(allowed.status == .created)
            let allowedID = try allowed.decode(Entry.self).id
            #expect(try await eventually { Self.sent(replies).contains(allowedID) })
            #expect(try await Self.entry(client, held.id).status == "awaiting_approval")
            #expect(try await Self.entry(client, held.id).attempts == 0)
            #expect(!Self.sent(replies).contains(held.id))

            // Supervisors see it; agents do not.
            let list = try await client.send(.get, "/v1/approvals", token: Self.sueToken)
            #expect(list.status == .ok)
            let listed = try list.decode(ApprovalList.self).approvals
            #expect(listed.map(\.id) == [held.id])
            #expect(listed.first?.author == "alice" && listed.first?.amount == "CNY 800.00" && listed.first?.body == held.body)
            #expect(try await client.send(.get, "/v1/approvals", token: Self.alice).status == .forbidden)

            // The author (an agent) may not approve; nor may ops; a wrong hash is a conflict.
            let byAuthor = try await client.send(.post, "/v1/outbox/\(held.id)/approve", json: #"{"note":"ok"}"#, token: Self.alice)
            #expect(byAuthor.status == .forbidden)
            let byOps = try await client.send(.post, "/v1/outbox/\(held.id)/approve", json: #"{"note":"ok"}"#, token: GatewayHarness.opsToken)
            #expect(byOps.status == .forbidden)
            let wrongHash = try await client.send(
                .post, "/v1/outbox/\(held.id)/approve", json: #"{"note":"ok","content_sha256":"\#(String(repeating: "0", count: 64))"}"#,
                token: Self.sueToken)
            #expect(wrongHash.status == .conflict)
            #expect(try wrongHash.decode(Refusal.self).error.code == "content_changed")

            // A supervisor's own reply: held, and they cannot approve it themselves.
            let own = try await client.send(.post, "/v1/outbox", json: Self.compensation(conversationID, "¥900"), token: Self.sueToken)
            #expect(own.status == .accepted)
            let ownID = try own.decode(Entry.self).id
            let selfApproval = try await client.send(.post, "/v1/outbox/\(ownID)/approve", json: #"{"note":"mine"}"#, token: Self.sueToken)
            #expect(selfApproval.status == .forbidden)
            #expect(try selfApproval.decode(Refusal.self).error.code == "self_approval")

            // Approved by another supervisor with the hash they read: delivered.
            let approved = try await client.send(
                .post, "/v1/outbox/\(held.id)/approve", json: #"{"note":"goodwill for the delay","content_sha256":"\#(hold.contentSha256)"}"#,
                token: Self.sueToken)
            #expect(approved.status == .ok)
            let approvedEntry = try approved.decode(Entry.self)
            #expect(approvedEntry.status == "queued" && approvedEntry.approval?.decidedBy == "sue")
            #expect(try await eventually { Self.sent(replies).contains(held.id) })
            #expect(try await eventually { try await Self.entry(client, held.id).status == "delivered" })
            let again = try await client.send(.post, "/v1/outbox/\(held.id)/approve", json: "{}", token: Self.sueToken)
            #expect(again.status == .conflict)
            let refusal = try again.decode(Refusal.self).error
            #expect(refusal.code == "invalid_outbox_state" && refusal.state == "delivered")

            // Rejected: never sent, and a retry cannot send it.
            let rejected = try await client.send(.post, "/v1/outbox/\(ownID)/reject", json: #"{"note":"too generous"}"#, token: Self.maxToken)
            #expect(rejected.status == .ok)
            #expect(try rejected.decode(Entry.self).status == "rejected")
            #expect(try await client.send(.post, "/v1/outbox/\(ownID)/retry", token: GatewayHarness.opsToken).status == .conflict)
            #expect(!Self.sent(replies).contains(ownID))

            // A malformed amount is refused, naming the variable and not its value.
            let malformed = try await client.send(.post, "/v1/outbox", json: Self.compensation(conversationID, "lots"), token: Self.alice)
            #expect(malformed.status == .unprocessableContent)
            let error = try malformed.decode(Refusal.self).error
            #expect(error.code == "malformed_amount" && error.message.contains("compensation") && !error.message.contains("lots"))

            // A hand-off's message goes with the hand-off and cannot wait: one needing approval refuses it.
            let handoff = try await client.send(
                .post, "/v1/conversations/\(conversationID)/handoff",
                json: #"{"to_owner":"max","note":"billing","script":"delay-compensation","variables":{"progress":"已退款","new_time":"明天 18:00","compensation":"¥800"}}"#,
                token: Self.sueToken)
            #expect(handoff.status == .unprocessableContent)
            #expect(try handoff.decode(Refusal.self).error.code == "approval_required")

            // Free text is checked too.
            let text = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"我们将补偿您¥800，明天 18:00 前到账。"}"#, token: Self.alice)
            #expect(text.status == .accepted)

            // The timeline, the notification and the metrics.
            let timeline = String(buffer: try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.opsToken).body)
            for kind in ["reply_held", "reply_approved", "reply_rejected"] { #expect(timeline.contains(#""\#(kind)""#)) }
            #expect(try await eventually { notices.received.count == 3 })
            let requested = try #require(notices.received.first)
            let payload = String(decoding: requested.body, as: UTF8.self)
            #expect(payload.contains("approval.requested") && payload.contains(held.id) && !payload.contains("li@example.com") && !payload.contains("补偿"))
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_approvals_total{outcome="held"} 3"#))
            #expect(metrics.contains(#"switchboard_approvals_total{outcome="approved"} 1"#))
            #expect(metrics.contains(#"switchboard_approvals_total{outcome="rejected"} 1"#))
            #expect(metrics.contains("switchboard_approvals_pending 1"))
        }
    }

    @Test("a hold with no decision within four hours expires on the gateway's clock: never sent, audited, supervisors notified")
    func expiry() async throws {
        try await Self.withGateway { client, _, replies, notices, time in
            let conversationID = try await Self.startConversation(client, from: "wang@example.com")
            let posted = try await client.send(.post, "/v1/outbox", json: Self.compensation(conversationID, "八百元"), token: Self.alice)
            #expect(posted.status == .accepted)
            let held = try posted.decode(Entry.self)

            time.value = ManualTime.workingMorning.addingTimeInterval(4 * 3600 + 1)
            #expect(try await eventually { try await Self.entry(client, held.id).status == "expired" })
            #expect(try await eventually {
                notices.received.contains { String(decoding: $0.body, as: UTF8.self).contains("approval.expired") }
            })
            let late = try await client.send(.post, "/v1/outbox/\(held.id)/approve", json: "{}", token: Self.sueToken)
            #expect(late.status == .conflict)
            #expect(try late.decode(Refusal.self).error.state == "expired")
            #expect(!Self.sent(replies).contains(held.id))
            let timeline = String(buffer: try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.opsToken).body)
            #expect(timeline.contains(#""reply_expired""#))
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_approvals_total{outcome="expired"} 1"#))
            #expect(metrics.contains("switchboard_approvals_pending 0"))
        }
    }

    @Test("an approved reply whose body was changed in the store is failed by the dispatcher, never sent")
    func changedAfterApproval() async throws {
        try await Self.withGateway { client, parts, replies, notices, time in
            let conversationID = try await Self.startConversation(client, from: "zhao@example.com")
            let tampered = try await client.send(.post, "/v1/outbox", json: Self.compensation(conversationID, "800"), token: Self.alice)
                .decode(Entry.self)
            let untouched = try await client.send(.post, "/v1/outbox", json: Self.compensation(conversationID, "900"), token: Self.alice)
                .decode(Entry.self)
            // Someone with the database edits the held text after the supervisor read it.
            try await testDatabase(parts.sqlitePath).write { db in
                try db.execute(sql: "UPDATE outbox SET body = body || ' 另加¥5000' WHERE id = ?", arguments: [tampered.id])
            }
            for id in [tampered.id, untouched.id] {
                #expect(try await client.send(.post, "/v1/outbox/\(id)/approve", json: "{}", token: Self.sueToken).status == .ok)
            }
            #expect(try await eventually { Self.sent(replies).contains(untouched.id) })
            #expect(try await eventually { try await Self.entry(client, tampered.id).status == "failed" })
            let failed = try await Self.entry(client, tampered.id)
            #expect(failed.lastError == "content changed after approval")
            #expect(!Self.sent(replies).contains(tampered.id))
        }
    }
}
