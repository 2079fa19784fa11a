import Conversations
import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Queues as agents and supervisors see them: ordered, filtered and paged by each conversation's next
    /// clock deadline, which every clock log write keeps; counted by the same deadlines.
    @Suite("Queues")
    struct Queues {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle

        /// Starts conversation `id` in `queue` at `minute` under `sla` (`standard`: first response 60
        /// minutes, warned at 48; `crisis`: 15 minutes, warned at 10).
        static func start(
            _ store: any MessageStore, _ id: String, queue: String = "triage", minute: Double, sla: String = "standard", source: String = "demo"
        ) async throws {
            let result = try await store.ingest(R.request(
                R.inbound("\(id)@example.com", minute: minute, source: source, externalID: id), route: R.route(queue, priority: 3, sla: sla),
                conversationID: id))
            #expect(result.conversationID == id)
        }

        /// Applies `action` and fails the test when the store refuses it.
        static func act(_ lifecycle: any LifecycleStore, _ id: String, _ action: LifecycleAction, by actor: LifecycleActor = L.ana, minute: Double) async throws {
            let result = try await lifecycle.perform(L.command(id, action, by: actor, reason: "test", minute: minute))
            #expect(result.conversation != nil, "\(action) on \(id) was not applied: \(result)")
        }

        static func ids(_ store: any MessageStore, _ listing: QueueListing) async throws -> [String] {
            try await store.queuePage(listing).entries.map(\.conversation.id)
        }

        @Test("a queue lists by next clock deadline (an open breach first, none last), then age, then id; each filter narrows it", arguments: StoreFactory.all)
        func orderingAndFilters(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                try await Self.start(store, "conv_t1", minute: 0)                     // due 60
                try await Self.start(store, "conv_t2", minute: 5, sla: "crisis")     // due 20
                try await Self.start(store, "conv_t3", minute: 10)                    // due 70
                try await Self.start(store, "conv_t4", minute: 2)                     // waiting: paused, no deadline
                try await Self.act(lifecycle, "conv_t4", .claim, minute: 3)
                try await Self.act(lifecycle, "conv_t4", .wait(until: nil), minute: 4)
                try await Self.start(store, "conv_t5", minute: 3)                     // due 63, Bo's
                try await Self.act(lifecycle, "conv_t5", .claim, by: L.bo, minute: 4)
                try await Self.start(store, "conv_t6", minute: 1)                     // resolved: follow-up due a day later
                try await Self.act(lifecycle, "conv_t6", .claim, minute: 2)
                try await Self.act(lifecycle, "conv_t6", .resolve, minute: 3)
                try await Self.start(store, "conv_t7", minute: 4, source: "other")    // due 64
                try await Self.start(store, "conv_t8", queue: "elsewhere", minute: 0)
                try await Self.start(store, "conv_t9", minute: 0, sla: "crisis")     // due 15
                try await Self.start(store, "conv_t11", minute: 10)                   // due 70, as t3: by id
                try await Self.start(store, "conv_t12", minute: 10)

                let now = R.at(minute: 30)
                func list(
                    _ states: Set<ConversationState> = QueueListing.openStates, owner: QueueListing.Owner? = nil, breached: Bool? = nil,
                    dueWithin: Double? = nil, sources: Set<String>? = nil, queue: String = "triage"
                ) async throws -> [String] {
                    try await Self.ids(store, QueueListing(
                        queue: queue, states: states, owner: owner, breached: breached, dueWithin: dueWithin, sources: sources, now: now))
                }
                let all = ["conv_t9", "conv_t2", "conv_t1", "conv_t5", "conv_t7", "conv_t11", "conv_t12", "conv_t3", "conv_t4"]
                #expect(try await list() == all)
                #expect(try await list(breached: true) == ["conv_t9", "conv_t2"])
                #expect(try await list(breached: false) == ["conv_t1", "conv_t5", "conv_t7", "conv_t11", "conv_t12", "conv_t3", "conv_t4"])
                #expect(try await list(dueWithin: 35 * 60) == ["conv_t9", "conv_t2", "conv_t1", "conv_t5", "conv_t7"])
                #expect(try await list(breached: false, dueWithin: 35 * 60) == ["conv_t1", "conv_t5", "conv_t7"])
                #expect(try await list(owner: .agent("ana")) == ["conv_t4"])
                #expect(try await list(owner: .agent("bo")) == ["conv_t5"])
                #expect(try await list(owner: .nobody) == ["conv_t9", "conv_t2", "conv_t1", "conv_t7", "conv_t11", "conv_t12", "conv_t3"])
                #expect(try await list([.assigned, .waitingOnCustomer]) == ["conv_t5", "conv_t4"])
                #expect(try await list([.resolved]) == ["conv_t6"])
                #expect(try await list([.resolved, .new]) == ["conv_t9", "conv_t2", "conv_t1", "conv_t7", "conv_t11", "conv_t12", "conv_t3", "conv_t6"])
                #expect(try await list(sources: ["demo"]) == all.filter { $0 != "conv_t7" })
                #expect(try await list(sources: []) == [])
                #expect(try await list(queue: "elsewhere") == ["conv_t8"])
                #expect(try await list(queue: "nobody") == [])

                // Each entry carries its next deadline and its clocks at the listing's instant.
                let entries = try await store.queuePage(QueueListing(queue: "triage", now: now)).entries
                let breached = try #require(entries.first)
                #expect(breached.nextDueAt == R.at(minute: 15))
                let firstResponse = try #require(breached.clocks.first { $0.kind == .firstResponse })
                #expect(firstResponse.status == .breached && firstResponse.remainingSeconds == -900 && firstResponse.dueAt == R.at(minute: 15))
                #expect(breached.clocks.first { $0.kind == .resolution }?.status == .running)
                #expect(entries.first { $0.conversation.id == "conv_t1" }?.nextDueAt == R.at(minute: 60))
                let waiting = try #require(entries.last)
                #expect(waiting.nextDueAt == nil && waiting.clocks.map(\.status) == [.paused, .paused])
                let detail = try #require(try await store.conversationDetail(id: "conv_t5", page: ConversationDetailPage()))
                #expect(entries.first { $0.conversation.id == "conv_t5" }?.conversation == detail.conversation)
            }
        }

        @Test("pages follow each other by cursor through ties and the no-deadline tail, nothing lost or repeated", arguments: StoreFactory.all)
        func paging(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                // Three at each instant: ties on deadline and age, told apart by id; two without any clock.
                var expected: [String] = []
                for minute in [20.0, 0, 10] {
                    for index in 0..<3 { try await Self.start(store, "conv_m\(Int(minute))_\(index)", minute: minute) }
                }
                for minute in [0.0, 10, 20] { expected += (0..<3).map { "conv_m\(Int(minute))_\($0)" } }
                for index in 0..<2 { try await Self.start(store, "conv_free\(index)", minute: Double(index), sla: "unbound") }
                expected += ["conv_free0", "conv_free1"]

                var seen: [String] = []
                var listing = QueueListing(queue: "triage", limit: 2, now: R.at(minute: 30))
                var pages = 0
                while pages < 20 {
                    let page = try await store.queuePage(listing)
                    pages += 1
                    #expect(page.entries.count <= 2)
                    seen += page.entries.map(\.conversation.id)
                    guard let next = page.next else { break }
                    #expect(QueueCursor(text: next.text) == next)
                    listing.after = next
                }
                #expect(seen == expected)
                #expect(pages == 6)
                #expect(try await store.queuePage(QueueListing(queue: "triage", limit: 11, now: R.at(minute: 30))).next == nil)
                #expect(try await store.queuePage(QueueListing(queue: "triage", limit: 10, now: R.at(minute: 30))).next != nil)
            }
        }

        @Test("the next deadline follows the clock logs: a pause clears it, a resume moves it, a reply and an escalation retarget it, resolving ends it", arguments: StoreFactory.all)
        func nextDeadlineFollowsTheLogs(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let id = "conv_life"
                func nextDue() async throws -> Date?? {
                    let conversation = try #require(try await store.conversation(id: id))
                    let listing = QueueListing(queue: conversation.queue, states: Set(ConversationState.allCases), now: R.at(minute: 0))
                    return try await store.queuePage(listing).entries.first { $0.conversation.id == id }.map(\.nextDueAt)
                }
                try await Self.start(store, id, minute: 0)
                #expect(try await nextDue() == .some(R.at(minute: 60)))
                try await Self.act(lifecycle, id, .claim, minute: 5)
                #expect(try await nextDue() == .some(R.at(minute: 60)))
                try await Self.act(lifecycle, id, .wait(until: nil), minute: 10)
                #expect(try await nextDue() == .some(nil))
                // The customer answers 20 minutes later: the clocks count on from where they stopped.
                _ = try await store.ingest(R.request(
                    R.inbound("\(id)@example.com", minute: 30, externalID: "\(id)-2"), route: R.route("triage", priority: 3)))
                #expect(try await nextDue() == .some(R.at(minute: 80)))
                // The first response is given: what is left is the resolution, 8 hours less the pause.
                try await Self.act(lifecycle, id, .agentReply, minute: 40)
                #expect(try await nextDue() == .some(R.at(minute: 500)))
                // The customer writes again: the next response is due in 30 minutes.
                _ = try await store.ingest(R.request(
                    R.inbound("\(id)@example.com", minute: 50, externalID: "\(id)-3"), route: R.route("triage", priority: 3)))
                #expect(try await nextDue() == .some(R.at(minute: 80)))
                // Escalated to the crisis policy: its 15-minute updates start and come first.
                let placement = LifecycleCommand.Placement(queue: "escalations", slaPolicy: "crisis", priority: 1, slaDueAt: nil)
                let escalated = try await lifecycle.perform(L.command(id, .escalate(EscalationLevel(1)!), by: L.ana, reason: "outage", minute: 55, placement: placement))
                #expect(escalated.conversation?.queue == "escalations")
                #expect(try await nextDue() == .some(R.at(minute: 70)))
                try await Self.act(lifecycle, id, .resolve, minute: 60)
                #expect(try await nextDue() == .some(nil))
            }
        }

        @Test("queue counts: open, unassigned, due soon (a running clock in its warning window) and breached (an open breach, recorded or not), by state", arguments: StoreFactory.all)
        func counts(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle, timers) = (subject.store, subject.lifecycle, subject.timers)
                try await Self.start(store, "conv_a", queue: "general", minute: 0)                 // warned at 48, due 60
                try await Self.start(store, "conv_b", queue: "general", minute: 20)                // warned at 68, due 80
                try await Self.start(store, "conv_c", queue: "general", minute: 0)                 // Ana's, as a
                try await Self.act(lifecycle, "conv_c", .claim, minute: 1)
                try await Self.start(store, "conv_d", queue: "general", minute: 0)                 // answered: resolution due at 480
                try await Self.act(lifecycle, "conv_d", .claim, minute: 1)
                try await Self.act(lifecycle, "conv_d", .agentReply, minute: 2)
                try await Self.start(store, "conv_e", queue: "general", minute: 0, sla: "crisis")  // due 15
                try await Self.start(store, "conv_f", queue: "billing", minute: 0)                 // waiting: paused
                try await Self.act(lifecycle, "conv_f", .claim, minute: 1)
                try await Self.act(lifecycle, "conv_f", .wait(until: nil), minute: 2)
                try await Self.start(store, "conv_g", queue: "general", minute: 0)                 // resolved: not open
                try await Self.act(lifecycle, "conv_g", .claim, minute: 1)
                try await Self.act(lifecycle, "conv_g", .resolve, minute: 2)

                func counts(_ minute: Double, sources: Set<String>? = nil) async throws -> [String] {
                    try await store.queueSummaries(now: R.at(minute: minute), sources: sources).map {
                        "\($0.queue) open \($0.open) unassigned \($0.unassigned) due_soon \($0.dueSoon) breached \($0.breached)"
                    }
                }
                #expect(try await counts(40) == [
                    "billing open 1 unassigned 0 due_soon 0 breached 0", "general open 5 unassigned 3 due_soon 0 breached 1",
                ])
                #expect(try await counts(50) == [
                    "billing open 1 unassigned 0 due_soon 0 breached 0", "general open 5 unassigned 3 due_soon 2 breached 1",
                ])
                #expect(try await counts(61) == [
                    "billing open 1 unassigned 0 due_soon 0 breached 0", "general open 5 unassigned 3 due_soon 0 breached 3",
                ])
                #expect(try await counts(70) == [
                    "billing open 1 unassigned 0 due_soon 0 breached 0", "general open 5 unassigned 3 due_soon 1 breached 3",
                ])
                #expect(try await counts(70, sources: ["other"]) == [])
                let general = try #require(try await store.queueSummaries(now: R.at(minute: 50), sources: nil).first { $0.queue == "general" })
                #expect(general.openByState == [.new: 3, .assigned: 1, .inProgress: 1])

                // The timers record the breaches and escalate a and c: a recorded breach counts until its clock
                // is fulfilled.
                _ = try await timers.fireDueClockTimers(now: R.at(minute: 61), limit: 100)
                #expect(try await counts(61) == [
                    "billing open 1 unassigned 0 due_soon 0 breached 0", "escalations open 2 unassigned 1 due_soon 0 breached 2",
                    "general open 3 unassigned 2 due_soon 0 breached 1",
                ])
                try await Self.act(lifecycle, "conv_c", .agentReply, minute: 62)
                #expect(try await counts(62) == [
                    "billing open 1 unassigned 0 due_soon 0 breached 0", "escalations open 2 unassigned 1 due_soon 0 breached 1",
                    "general open 3 unassigned 2 due_soon 0 breached 1",
                ])
            }
        }
    }
}
