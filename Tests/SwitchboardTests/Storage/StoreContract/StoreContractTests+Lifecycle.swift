import Conversations
import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Agents' actions: the store applies what the lifecycle table answers, with its audit events, in one
    /// transaction; refusals change nothing; a retried action is answered, not applied again; claims are
    /// atomic, earliest deadline first, and capped.
    @Suite("Lifecycle actions")
    struct Lifecycle {
        typealias R = ContractRequests

        static let ana = LifecycleActor(id: "ana", role: .agent)
        static let bo = LifecycleActor(id: "bo", role: .agent)
        static let sue = LifecycleActor(id: "sue", role: .supervisor)

        static func command(
            _ id: String, _ action: LifecycleAction, by actor: LifecycleActor, reason: String? = nil, minute: Double = 10,
            key: String? = nil, fingerprint: String? = nil, placement: LifecycleCommand.Placement? = nil
        ) -> LifecycleCommand {
            LifecycleCommand(
                conversationID: id, action: action, actor: actor, reason: reason, placement: placement, at: R.at(minute: minute),
                idempotencyKey: key, fingerprint: fingerprint)
        }

        /// A new conversation from `sender` under `sla` (`standard`: first response 60 minutes; `crisis`: 15;
        /// a policy the rules do not define runs no clocks).
        static func conversation(
            _ store: any MessageStore, _ sender: String, minute: Double = 0, due: Double? = nil, queue: String = "general", sla: String = "standard"
        ) async throws -> String {
            try await store.ingest(R.request(
                R.inbound(sender, minute: minute, externalID: "\(sender)-\(minute)"), route: R.route(queue, priority: 3, sla: sla),
                slaDueAt: due.map { R.at(minute: $0) })).conversationID
        }

        @Test("an applied action writes the conversation and its audit events; a refused one changes nothing", arguments: StoreFactory.all)
        func appliesAndRefuses(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let id = try await Self.conversation(store, "cust@example.com")

                // An agent may not give a conversation to someone else; nothing is written.
                guard case let .refused(refusal) = try await lifecycle.perform(Self.command(id, .assign(owner: "bo"), by: Self.ana)) else {
                    Issue.record("an agent assigned someone else")
                    return
                }
                #expect(refusal.code == .notPermitted)
                #expect(try await store.conversation(id: id)?.owner == nil)

                guard case let .applied(claimed) = try await lifecycle.perform(Self.command(id, .claim, by: Self.ana, minute: 5)) else {
                    Issue.record("the claim was not applied")
                    return
                }
                #expect(claimed.owner == "ana" && claimed.state == .assigned)
                #expect(try await store.conversation(id: id) == claimed)

                let waited = try await lifecycle.perform(Self.command(id, .wait(until: nil), by: Self.ana, reason: "asked for the order number", minute: 6))
                #expect(waited == .applied(try #require(try await store.conversation(id: id))))
                #expect(try await store.conversation(id: id)?.state == .waitingOnCustomer)

                // Resolved, then a state that does not take the action: 409's refusal names the state and what it allows.
                _ = try await lifecycle.perform(Self.command(id, .resolve, by: Self.ana, reason: "sent the tracking link", minute: 7))
                _ = try await lifecycle.perform(Self.command(id, .close, by: Self.ana, minute: 8))
                let late = try await lifecycle.perform(Self.command(id, .assign(owner: "bo"), by: Self.sue, minute: 9))
                #expect(late.refusal?.code == .invalidTransition)
                #expect(late.refusal?.state == .closed)
                #expect(late.refusal?.allowedActions == [])
                let closed = try #require(try await store.conversation(id: id))
                #expect(closed.state == .closed && closed.owner == "ana")

                let detail = try #require(try await store.conversationDetail(id: id, page: ConversationDetailPage()))
                let events = detail.events.filter { $0.subjectKind == "conversation" && $0.kind != "routed" && $0.kind != "created" }
                #expect(events.map(\.kind) == ["claimed", "waiting_on_customer", "resolved", "closed"])
                #expect(events.map(\.actor) == ["ana", "ana", "ana", "ana"])
                #expect(events[1].detail["reason"] == "asked for the order number")
                #expect(events[2].detail["reason"] == "sent the tracking link")
                #expect(events[0].at == R.at(minute: 5))
                #expect(try await lifecycle.perform(Self.command("conv_none", .claim, by: Self.ana)) == .notFound)
            }
        }

        @Test("a retried action with the same key is answered as the first was and applied once; another request under the key is refused", arguments: StoreFactory.all)
        func idempotency(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let id = try await Self.conversation(store, "cust@example.com")
                let first = try await lifecycle.perform(Self.command(id, .note, by: Self.ana, reason: "called back", key: "k1", fingerprint: "f1"))
                guard case let .applied(after) = first else {
                    Issue.record("the note was not applied")
                    return
                }
                #expect(try await lifecycle.perform(Self.command(id, .note, by: Self.ana, reason: "called back", minute: 11, key: "k1", fingerprint: "f1")) == .replayed(after))
                #expect(try await lifecycle.perform(Self.command(id, .note, by: Self.ana, reason: "other", key: "k1", fingerprint: "f2")) == .idempotencyConflict)
                // Keys are each actor's own: another agent's first use of the same key is applied.
                #expect(try await lifecycle.perform(Self.command(id, .note, by: Self.bo, reason: "mine", key: "k1", fingerprint: "f2")).conversation != nil)
                let detail = try #require(try await store.conversationDetail(id: id, page: ConversationDetailPage()))
                #expect(detail.events.filter { $0.kind == "note_added" }.map(\.actor) == ["ana", "bo"])
            }
        }

        @Test("an escalation moves the conversation where the caller's placement says, raising its priority and re-binding its deadline", arguments: StoreFactory.all)
        func escalationPlacement(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let id = try await Self.conversation(store, "cust@example.com", due: 240)
                let placement = LifecycleCommand.Placement(queue: "escalations", slaPolicy: "crisis", priority: 1, slaDueAt: R.at(minute: 30))
                let result = try await lifecycle.perform(Self.command(id, .escalate(EscalationLevel(1)!), by: Self.ana, reason: "outage", placement: placement))
                let escalated = try #require(try await store.conversation(id: id))
                #expect(result == .applied(escalated))
                #expect(escalated.state == .escalated && escalated.queue == "escalations" && escalated.priority == 1)
                #expect(escalated.slaPolicy == "crisis" && escalated.slaDueAt == R.at(minute: 30))
                let events = try #require(try await store.conversationDetail(id: id, page: ConversationDetailPage())).events
                let event = try #require(events.first { $0.kind == "escalated" })
                #expect(event.detail["level"] == "1" && event.detail["reason"] == "outage" && event.detail["queue"] == "escalations")
            }
        }

        @Test("claiming the next conversation gives the earliest clock deadline first (none last), skips owned and waiting ones, and respects the cap", arguments: StoreFactory.all)
        func claimNext(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                // The clocks' deadlines order claims, not the stored first-response deadline: `late` is due at
                // minute 60 by its clock, `soon` at minute 16, `none` runs no clock.
                let late = try await Self.conversation(store, "late@example.com", minute: 0, due: 10)
                let soon = try await Self.conversation(store, "soon@example.com", minute: 1, due: 120, sla: "crisis")
                let none = try await Self.conversation(store, "none@example.com", minute: 2, due: 5, sla: "unbound")
                _ = try await Self.conversation(store, "other@example.com", minute: 3, due: 1, queue: "billing")
                let taken = try await Self.conversation(store, "taken@example.com", minute: 4, due: 5)
                _ = try await lifecycle.perform(Self.command(taken, .claim, by: Self.bo))
                let waiting = try await Self.conversation(store, "waiting@example.com", minute: 5, due: 6)
                // Waiting on its customer, then handed back to the queue: unowned, but nothing to do yet.
                _ = try await lifecycle.perform(Self.command(waiting, .claim, by: Self.bo))
                _ = try await lifecycle.perform(Self.command(waiting, .wait(until: nil), by: Self.bo))
                let handedBack = try await lifecycle.perform(Self.command(waiting, .handoff(.queue("general")), by: Self.sue))
                #expect(handedBack.conversation?.state == .waitingOnCustomer && handedBack.conversation?.owner == nil)

                func next(_ actor: LifecycleActor, maxOpen: Int? = nil, key: String? = nil) async throws -> QueueClaimResult {
                    try await lifecycle.claimNext(queue: "general", actor: actor, maxOpen: maxOpen, sources: nil, at: R.at(minute: 20), idempotencyKey: key)
                }
                var order: [String] = []
                for _ in 0..<3 {
                    if case let .claimed(conversation) = try await next(Self.ana) { order.append(conversation.id) }
                }
                #expect(order == [soon, late, none])
                #expect(try await next(Self.ana) == .empty)
                #expect(try await store.conversation(id: soon)?.owner == "ana")

                // Ana owns three unresolved conversations: at a cap of three she gets none, whatever is left.
                let another = try await Self.conversation(store, "another@example.com", minute: 6)
                #expect(try await next(Self.ana, maxOpen: 3) == .atCapacity(open: 3))
                #expect(try await store.conversation(id: another)?.owner == nil)
                _ = try await lifecycle.perform(Self.command(soon, .resolve, by: Self.ana, reason: "done"))
                guard case let .claimed(got) = try await next(Self.ana, maxOpen: 3, key: "c1") else {
                    Issue.record("a resolved conversation still counted against the cap")
                    return
                }
                #expect(got.id == another)
                // The same key answers the same conversation, and claims nothing more.
                #expect(try await next(Self.ana, maxOpen: 3, key: "c1") == .claimed(got))
            }
        }

        @Test("twenty concurrent claims on five conversations give five distinct winners", arguments: StoreFactory.all)
        func concurrentClaims(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                var ids: Set<String> = []
                for index in 0..<5 { ids.insert(try await Self.conversation(store, "c\(index)@example.com", minute: Double(index), due: Double(60 + index))) }
                let outcomes = await withTaskGroup(of: Result<QueueClaimResult, any Error>.self) { group in
                    for agent in 0..<20 {
                        group.addTask {
                            do {
                                return .success(try await lifecycle.claimNext(
                                    queue: "general", actor: LifecycleActor(id: "agent-\(agent)", role: .agent), maxOpen: 1, sources: nil,
                                    at: R.at(minute: 30), idempotencyKey: nil))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    var outcomes: [Result<QueueClaimResult, any Error>] = []
                    for await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
                let failures = outcomes.compactMap { outcome -> String? in
                    if case let .failure(error) = outcome { String(describing: error) } else { nil }
                }
                #expect(failures.isEmpty, "claims that failed: \(failures)")
                let results = outcomes.map { try? $0.get() }
                let claimed = results.compactMap { result -> Conversation? in
                    if case let .claimed(conversation)? = result { conversation } else { nil }
                }
                #expect(claimed.count == 5)
                #expect(Set(claimed.map(\.id)) == ids)
                #expect(Set(claimed.compactMap(\.owner)).count == 5)
                #expect(results.filter { $0 == .empty }.count == 15)
            }
        }
    }
}

extension StoreContractTests.Lifecycle {
    static func names(_ logs: [ClockKind: [ClockEvent]]) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: logs.map { ($0.key.rawValue, $0.value.map(\.action.name)) })
    }

    @Test("the clock logs follow the conversation: started, paused while waiting, resumed, fulfilled by the reply, next response, retargeted by an escalation, stopped at resolution", arguments: StoreFactory.all)
    func clockLogs(_ factory: StoreFactory) async throws {
        try await StoreFactory.run(factory) { subject in
            let (store, lifecycle) = (subject.store, subject.lifecycle)
            let id = try await Self.conversation(store, "clock@example.com", minute: 0, due: 60)
            #expect(Self.names(try await lifecycle.clockLogs(conversationID: id)) == ["first_response": ["started"], "resolution": ["started"]])
            let started = try #require(try await lifecycle.clockLogs(conversationID: id)[.firstResponse]?.first)
            #expect(started == ClockEvent(at: R.at(minute: 0), .started(ContractClockRules.standard.targets[.firstResponse]!)))

            _ = try await lifecycle.perform(Self.command(id, .claim, by: Self.ana, minute: 1))
            _ = try await lifecycle.perform(Self.command(id, .wait(until: nil), by: Self.ana, minute: 2))
            let paused = try await lifecycle.clockLogs(conversationID: id)
            #expect(paused[.firstResponse]?.last == ClockEvent(at: R.at(minute: 2), .paused(reason: "waiting_on_customer")))
            // The customer answers: the clocks run again.
            _ = try await store.ingest(R.request(R.inbound("clock@example.com", minute: 3, externalID: "again")))
            _ = try await store.enqueueReply(
                PendingReply(script: nil, body: "我们在查", automatic: false), conversationID: id, author: "ana", idempotencyKey: nil, requestFingerprint: nil)
            _ = try await store.ingest(R.request(R.inbound("clock@example.com", minute: 5, externalID: "third")))
            let placement = LifecycleCommand.Placement(queue: "escalations", slaPolicy: "crisis", priority: 1, slaDueAt: R.at(minute: 15))
            _ = try await lifecycle.perform(Self.command(id, .escalate(EscalationLevel(1)!), by: Self.ana, reason: "outage", minute: 6, placement: placement))
            let escalated = try await lifecycle.clockLogs(conversationID: id)
            #expect(escalated[.resolution]?.last?.action == .retargeted(ContractClockRules.crisis.targets[.resolution]!))
            _ = try await lifecycle.perform(Self.command(id, .resolve, by: Self.ana, reason: "fixed", minute: 7))

            #expect(Self.names(try await lifecycle.clockLogs(conversationID: id)) == [
                "first_response": ["started", "paused", "resumed", "fulfilled"],
                "resolution": ["started", "paused", "resumed", "retargeted", "fulfilled"],
                "next_response": ["started", "fulfilled"],
                "update_every": ["started", "fulfilled"],
            ])
        }
    }

    @Test("resolving starts the follow-up; the customer writing again fulfils it and starts resolution and next response again", arguments: StoreFactory.all)
    func clockLogsAcrossReopen(_ factory: StoreFactory) async throws {
        try await StoreFactory.run(factory) { subject in
            let (store, lifecycle) = (subject.store, subject.lifecycle)
            let id = try await Self.conversation(store, "again@example.com", minute: 0)
            _ = try await store.enqueueReply(
                PendingReply(script: nil, body: "已处理", automatic: false), conversationID: id, author: "ana", idempotencyKey: nil, requestFingerprint: nil)
            _ = try await lifecycle.perform(Self.command(id, .resolve, by: Self.ana, reason: "refunded", minute: 2))
            #expect(Self.names(try await lifecycle.clockLogs(conversationID: id))["follow_up"] == ["started"])
            let reopened = try await store.ingest(R.request(R.inbound("again@example.com", minute: 3, externalID: "back")))
            #expect(reopened.conversationID == id)
            #expect(Self.names(try await lifecycle.clockLogs(conversationID: id)) == [
                "first_response": ["started", "fulfilled"],
                "resolution": ["started", "fulfilled", "started"],
                "next_response": ["started"],
                "follow_up": ["started", "fulfilled"],
            ])
        }
    }
}
