import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// What agents and supervisors see of the queues over HTTP, on a clock the test moves: a queue's list by
/// next deadline with each conversation's clocks, its filters and pages, the counts of GET /v1/queues
/// and the queue gauges of /metrics after a warning and a breach.
@Suite("Queue views, end to end")
struct QueueViewTests {
    static let alice = GatewayHarness.agentToken

    @Test("a queue lists by next deadline with clocks; owner=me, state, breached, due_within and paging filter it; counts and gauges follow a warning and a breach")
    func queueViews() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        var harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused")
        harness.deliverReplies = false
        harness.timerClock = { time.value }
        try await harness.run { (client, _) async throws in
            // A second apart on the gateway's clock, so their deadlines come in this order.
            let a = try await LifecycleActionsTests.customer(client, "where is my invoice for March", from: "a@example.com")
            time.value = time.value.addingTimeInterval(1)
            let b = try await LifecycleActionsTests.customer(client, "where is my invoice for April", from: "b@example.com")
            time.value = time.value.addingTimeInterval(1)
            let c = try await LifecycleActionsTests.customer(client, "where is my invoice for May", from: "c@example.com")
            let queue = try await LifecycleActionsTests.conversation(client, a).conversation.queue
            for id in [b, c] { #expect(try await LifecycleActionsTests.conversation(client, id).conversation.queue == queue) }

            // Alice claims the earliest deadline (a) and waits on its customer: its clocks pause, it has no deadline.
            let claimed = try await client.send(.post, "/v1/queues/\(queue)/claim", token: Self.alice)
            #expect(try claimed.decode(ConversationAnswer.self).id == a)
            #expect(try await LifecycleActionsTests.act(client, a, "wait", #"{"reason":"asked for the invoice number"}"#).status == .ok)
            // Alice answers b: its first response is met, and its next deadline is the resolution, much later.
            let reply = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(b)","text":"您好，发票已开具。"}"#, token: Self.alice)
            #expect(reply.status == .created)

            func list(_ query: String = "", token: String = Self.alice) async throws -> ConversationList {
                try await client.send(.get, "/v1/queues/\(queue)/conversations\(query)", token: token).decode(ConversationList.self)
            }
            let listed = try await list()
            #expect(listed.conversations.map(\.id) == [c, b, a])
            #expect(listed.next == nil)
            let (first, second, last) = (listed.conversations[0], listed.conversations[1], listed.conversations[2])
            let firstResponse = try #require(first.clocks.first { $0.kind == "first_response" })
            let dueC = try #require(firstResponse.dueAt), warnC = try #require(firstResponse.warnAt)
            #expect(firstResponse.status == "running" && firstResponse.remainingSeconds > 0)
            #expect(first.nextDueAt == dueC)
            #expect(second.clocks.first { $0.kind == "first_response" }?.status == "met")
            let resolutionB = try #require(second.clocks.first { $0.kind == "resolution" })
            #expect(resolutionB.status == "running" && second.nextDueAt == resolutionB.dueAt)
            #expect(last.nextDueAt == nil && !last.clocks.isEmpty && last.clocks.allSatisfy { $0.status == "paused" })

            // Filters.
            #expect(try await list("?owner=me").conversations.map(\.id) == [b, a])
            #expect(try await list("?owner=alice").conversations.map(\.id) == [b, a])
            #expect(try await list("?owner=none").conversations.map(\.id) == [c])
            #expect(try await list("?state=waiting_on_customer").conversations.map(\.id) == [a])
            #expect(try await list("?state=new,in_progress").conversations.map(\.id) == [c, b])
            #expect(try await list("?state=resolved").conversations.isEmpty)
            #expect(try await list("?breached=true").conversations.isEmpty)
            #expect(try await list("?breached=false").conversations.map(\.id) == [c, b, a])
            let untilC = Int(dueC.timeIntervalSince(time.value).rounded(.up)) + 60
            #expect(try await list("?due_within=\(untilC)").conversations.map(\.id) == [c])
            #expect(try await list("?due_within=\(untilC / 60 + 1)m").conversations.map(\.id) == [c])

            // Pages of one, by cursor.
            var paged: [String] = []
            var query = "?limit=1"
            for _ in 0..<5 {
                let page = try await list(query)
                #expect(page.conversations.count == 1)
                paged += page.conversations.map(\.id)
                guard let next = page.next else { break }
                query = "?limit=1&cursor=\(next)"
            }
            #expect(paged == [c, b, a])

            // Bad values are 400s that name their parameter.
            for (bad, parameter) in [
                ("state=bogus", "state"), ("state=new,", "state"), ("breached=yes", "breached"), ("due_within=soon", "due_within"),
                ("due_within=-5", "due_within"), ("limit=0", "limit"), ("limit=501", "limit"), ("cursor=nonsense", "cursor"),
                ("owner=", "owner"), ("due_within=400d", "due_within"),
            ] {
                let refused = try await client.send(.get, "/v1/queues/\(queue)/conversations?\(bad)", token: Self.alice)
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(try refused.decode(ErrorAnswer.self).error.message.contains("'\(parameter)"), "\(bad)")
            }

            func counts(_ id: String) async throws -> QueueList.Queue? {
                try await client.send(.get, "/v1/queues", token: Self.alice).decode(QueueList.self).queues.first { $0.id == id }
            }
            func gauge(_ series: String) async throws -> Double? {
                let metrics = String(buffer: try await client.send(.get, "/metrics").body)
                return metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            var before = try #require(try await counts(queue))
            #expect((before.open, before.unassigned, before.dueSoon, before.breached) == (3, 1, 0, 0))
            #expect(try await gauge(#"switchboard_conversations_open{queue="\#(queue)",state="new"}"#) == 1)
            #expect(try await gauge(#"switchboard_conversations_open{queue="\#(queue)",state="waiting_on_customer"}"#) == 1)
            #expect(try await gauge(#"switchboard_conversations_open{queue="\#(queue)",state="in_progress"}"#) == 1)
            #expect(try await gauge(#"switchboard_conversations_due_soon{queue="\#(queue)"}"#) == 0)

            // c's warning: due soon.
            time.value = warnC.addingTimeInterval(1)
            @Sendable func kinds(_ id: String) async throws -> [String] {
                try await LifecycleActionsTests.conversation(client, id).events.map(\.kind).filter { $0.hasPrefix("sla_") || $0 == "escalated" }
            }
            #expect(try await eventually { try await kinds(c) == ["sla_warning"] })
            before = try #require(try await counts(queue))
            #expect((before.open, before.unassigned, before.dueSoon, before.breached) == (3, 1, 1, 0))
            #expect(try await gauge(#"switchboard_conversations_due_soon{queue="\#(queue)"}"#) == 1)

            // c's breach: escalated to its policy's queue, where it counts as breached until it is answered.
            time.value = dueC.addingTimeInterval(60)
            #expect(try await eventually { try await kinds(c) == ["sla_warning", "sla_breached", "escalated"] })
            let escalations = try await LifecycleActionsTests.conversation(client, c).conversation.queue
            #expect(escalations != queue)
            let after = try #require(try await counts(queue))
            #expect((after.open, after.unassigned, after.dueSoon, after.breached) == (2, 0, 0, 0))
            let moved = try #require(try await counts(escalations))
            #expect(moved.breached == 1 && moved.dueSoon == 0)
            #expect(try await gauge(#"switchboard_conversations_breached{queue="\#(escalations)"}"#) == 1)
            #expect(try await gauge(#"switchboard_conversations_breached{queue="\#(queue)"}"#) == 0)
            #expect(try await gauge(#"switchboard_conversations_due_soon{queue="\#(queue)"}"#) == 0)
            let breached = try await client.send(.get, "/v1/queues/\(escalations)/conversations?breached=true", token: Self.alice)
                .decode(ConversationList.self).conversations
            #expect(breached.map(\.id) == [c])
            let late = try #require(breached.first?.clocks.first { $0.kind == "first_response" })
            #expect(late.status == "breached" && late.remainingSeconds < 0)
            #expect(try await list("?breached=true").conversations.isEmpty)
        }
    }
}
