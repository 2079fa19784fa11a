import Foundation
import Logging
import Metrics
import Rules
import SwitchboardCore

/// Takes a normalized inbound message from any channel, classifies and routes it, renders the automatic
/// acknowledgement, and commits all of it in one transaction. When ``accept(_:)`` returns, the message is
/// durable and the sender may be told so; when it throws, nothing was stored.
public struct Intake: MessageIntake {
    private let store: any IntakeStore
    private let rules: RuleBook
    private let timeZone: TimeZone
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    private let outboxChanged: @Sendable () -> Void
    private let autoReplyLimit: AutoReplyLimit
    private let validator: ReplyValidator
    private let committer: IngestCommitter?
    private let surveys: SurveyDesk?

    /// How many automatic replies one address may receive in a window: the last guard against two
    /// auto-responders answering each other forever when header checks miss one.
    public struct AutoReplyLimit: Sendable {
        public var maximum: Int
        public var window: Duration

        public init(maximum: Int = 3, window: Duration = .seconds(3600)) {
            self.maximum = maximum
            self.window = window
        }
    }

    /// - Parameters:
    ///   - timeZone: the zone times in replies are written in.
    ///   - validator: refuses acknowledgements their channel cannot carry; the message is still accepted.
    ///   - committer: shares transactions between concurrent messages (group commit); without one, each
    ///     message commits on its own.
    ///   - surveys: takes SMS answers to satisfaction surveys before they become messages.
    ///   - outboxChanged: called after a commit that queued a reply, to wake the dispatcher.
    public init(
        store: any IntakeStore,
        rules: RuleBook,
        timeZone: TimeZone,
        logger: Logger,
        metricsFactory: any MetricsFactory,
        autoReplyLimit: AutoReplyLimit = AutoReplyLimit(),
        validator: ReplyValidator = .none,
        committer: IngestCommitter? = nil,
        surveys: SurveyDesk? = nil,
        outboxChanged: @escaping @Sendable () -> Void
    ) {
        self.surveys = surveys
        self.committer = committer
        self.validator = validator
        self.autoReplyLimit = autoReplyLimit
        self.store = store
        self.rules = rules
        self.timeZone = timeZone
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.outboxChanged = outboxChanged
    }

    /// Classifies, routes and durably stores a message. Throws if the commit failed.
    public func accept(_ message: InboundMessage) async throws -> IngestResult {
        let inbound = message.replacingDisallowedControls()
        // A customer's "5" to the survey we sent is its answer, recorded as such: no conversation, no
        // acknowledgement. A retried delivery of the same answer finds it recorded and is answered the same.
        if let surveys, let survey = try await surveys.answer(inbound) {
            return IngestResult(
                messageID: survey.id, conversationID: survey.conversationID, duplicate: false, newConversation: false, autoReplyID: nil,
                threadedBy: .surveyAnswer)
        }
        let request = prepare(inbound, try await facts(for: inbound))
        let result = if let committer { try await committer.commit(request) } else { try await store.ingest(request) }
        record(request, result)
        if result.autoReplyID != nil { outboxChanged() }
        return result
    }

    /// Accepts one mailbox fetch: each message read, classified and rendered exactly as ``accept(_:)``
    /// does, then committed together as a chain (``IngestRequest/followsPrevious``) in one transaction,
    /// the cursor with the last message stored.
    ///
    /// Committed one by one, each message would have read the store after the one before it committed.
    /// So a message that one prepared before it could change what it reads (the same sender, a sender
    /// among their recipients, a citation of their Message-ID, or the same conversation) waits until
    /// those are committed and only then reads: every message gets the context, the acknowledgement and
    /// the rate limit it would have got on its own. Most fetches still commit in one transaction.
    public func accept(batch messages: [InboundMessage]) async -> [Result<IngestResult, any Error>] {
        var results: [Result<IngestResult, any Error>] = []
        results.reserveCapacity(messages.count)
        var chain = Chain()

        // Commits what the chain holds; false when not every message of it was stored.
        func commitChain() async -> Bool {
            guard !chain.requests.isEmpty else { return true }
            var requests = chain.requests
            chain = Chain()
            for index in requests.indices.dropFirst() { requests[index].followsPrevious = true }
            let outcome: [Result<IngestResult, any Error>]
            do {
                outcome = if let committer { try await committer.commit(group: requests) } else { try await store.ingest(requests) }
            } catch {
                outcome = requests.map { _ in .failure(error) }
            }
            var stored = true, queuedReply = false
            for (index, request) in requests.enumerated() {
                switch index < outcome.count ? outcome[index] : .failure(SwitchboardError(.storageFailure, "the store returned too few results")) {
                case let .success(result) where stored:
                    record(request, result)
                    queuedReply = queuedReply || result.autoReplyID != nil
                    results.append(.success(result))
                case let .failure(error) where stored:
                    stored = false
                    results.append(.failure(error))
                default:
                    // Nothing after a failure counts as accepted, whatever a store answered for it.
                    results.append(.failure(SwitchboardError.notAttempted))
                }
            }
            if queuedReply { outboxChanged() }
            return stored
        }

        // Work that needs no store goes across the cores; the facts are read a run of messages at a time,
        // and the run is prepared in parallel. A run stops before a message that an earlier one of the chain
        // or of the run reaches by address or Message-ID, so within a run every message reads what it would
        // read on its own; one that joins a conversation the chain changed starts the next run after a commit.
        let inbound = await messages.parallelMap { $0.replacingDisallowedControls() }
        var failure: (any Error)?
        var next = 0
        // Runs shrink after a message had to be read again, so a fetch of replies to one conversation
        // prepares each message about once.
        var longest = inbound.count
        runs: while next < inbound.count {
            if chain.affects(inbound[next]) { guard await commitChain() else { break } }
            var reach = chain.reach
            var end = next
            repeat {
                reach.add(inbound[end])
                end += 1
            } while end < inbound.count && end - next < longest && !reach.affects(inbound[end])
            let run = Array(inbound[next..<end])
            let facts: [IntakeFacts]
            do {
                facts = try await self.facts(for: run)
            } catch {
                failure = error
                break
            }
            let requests = await Array(zip(run, facts)).parallelMap { [self] in prepare($0.0, $0.1) }
            for offset in run.indices {
                if chain.affects(facts[offset]) {
                    guard await commitChain() else { break runs }
                    next += offset
                    longest = max(offset, 1)
                    continue runs
                }
                chain.append(requests[offset], facts[offset])
            }
            next = end
            longest = min(longest * 2, inbound.count)
        }
        // What was prepared before a failed read is still committed; the message that failed comes after it.
        if await commitChain(), let failure { results.append(.failure(failure)) }
        while results.count < messages.count { results.append(.failure(SwitchboardError.notAttempted)) }
        return results
    }

    /// Messages prepared for one transaction, and what of the store they may change for a message after
    /// them.
    private struct Chain {
        var requests: [IngestRequest] = []
        /// Whom and what the prepared messages name.
        var reach = Reach()
        /// The existing conversations the prepared messages join.
        var conversations: Set<String> = []
        /// One of them joins a conversation the store did not name.
        var joinsUnnamed = false

        /// Whether the prepared messages may change what `inbound`'s sender or headers lead the store to.
        func affects(_ inbound: InboundMessage) -> Bool {
            !requests.isEmpty && reach.affects(inbound)
        }

        /// Whether the prepared messages change the conversation a message with these facts would join.
        func affects(_ facts: IntakeFacts) -> Bool {
            guard !requests.isEmpty, facts.context != nil else { return false }
            guard let id = facts.conversationID else { return true }
            return joinsUnnamed || conversations.contains(id)
        }

        mutating func append(_ request: IngestRequest, _ facts: IntakeFacts) {
            requests.append(request)
            reach.add(request.inbound)
            if facts.context != nil {
                if let id = facts.conversationID { conversations.insert(id) } else { joinsUnnamed = true }
            }
        }
    }

    /// The senders, recipients and Message-IDs of some messages: what a later message may reach them by.
    private struct Reach {
        /// Senders and recipients (lowercased): a later message from one of them may thread by sender,
        /// count their acknowledgements, or be a participant the earlier ones made.
        var addresses: Set<String> = []
        /// The messages' Message-IDs, which a later message may cite.
        var messageIDs: Set<String> = []

        mutating func add(_ inbound: InboundMessage) {
            addresses.insert(inbound.sender.lowercased())
            for recipient in inbound.recipients { addresses.insert(recipient.lowercased()) }
            if let id = inbound.thread.messageID { messageIDs.insert(id) }
        }

        func affects(_ inbound: InboundMessage) -> Bool {
            addresses.contains(inbound.sender.lowercased())
                || inbound.thread.inReplyTo.contains(where: messageIDs.contains)
                || inbound.thread.references.contains(where: messageIDs.contains)
        }
    }

    /// ``facts(for:)`` of several messages, in one trip to the store.
    private func facts(for run: [InboundMessage]) async throws -> [IntakeFacts] {
        try await store.intakeFacts(for: run.map { ($0, automaticRepliesSince($0)) })
    }

    /// The start of the auto-reply rate limit's window for a message.
    private func automaticRepliesSince(_ inbound: InboundMessage) -> Date {
        inbound.receivedAt.addingTimeInterval(-autoReplyLimit.window.inSeconds)
    }

    /// The open conversation the message would join, or the sender's recent acknowledgements.
    private func facts(for inbound: InboundMessage) async throws -> IntakeFacts {
        // Structural signals (writing again, waiting, reopening) need the open conversation; reading it
        // outside the write transaction keeps the transaction short, and a race only blurs a signal (or
        // lets one extra acknowledgement past the rate limit, which is read in the same trip).
        return try await store.intakeFacts(for: inbound, automaticRepliesSince: automaticRepliesSince(inbound))
    }

    /// Classifies and routes a message and renders its acknowledgement: everything before the commit.
    private func prepare(_ message: InboundMessage, _ facts: IntakeFacts) -> IngestRequest {
        var inbound = message
        let edition = rules.current
        let context = facts.context
        var classification = edition.rules.classify(ClassificationInput(
            channel: inbound.channel.rawValue, source: inbound.source, sender: inbound.sender,
            subject: inbound.subject, text: inbound.text, receivedAt: inbound.receivedAt, context: context))
        // Every accepted message stores its explanation. Wording it here, on this request's task, keeps
        // that work off the store's single writer, where group commit would make every message wait for it.
        classification.renderExplanation()
        let decision = classification.route
        let policy = edition.rules.slaPolicies[decision.slaPolicy]
        let slaDueAt = policy.map { edition.rules.firstResponseDue($0, receivedAt: inbound.receivedAt) }
        let conversationID = Identifier.make("conv", at: inbound.receivedAt)

        if decision.autoReply != nil, case let .starts(sent) = facts, inbound.autoReplySuppression == nil {
            if sent >= autoReplyLimit.maximum {
                inbound.autoReplySuppression = "rate limit: \(sent) automatic replies to this address in the last \(Int(autoReplyLimit.window.inSeconds))s"
            }
        }
        if let reason = inbound.autoReplySuppression, decision.autoReply != nil {
            logger.notice("automatic reply suppressed", metadata: ["message.source": "\(inbound.source)", "reply.suppressed_because": "\(reason)"])
            Counter(label: "switchboard_auto_replies_suppressed_total", dimensions: [("channel", inbound.channel.rawValue)], factory: metricsFactory).increment()
        }

        var autoReply: PendingReply?
        // Only a message that starts a conversation is acknowledged, so one joining the conversation read
        // above skips the rendering. Should that conversation close before the commit, the message starts a
        // new one without an acknowledgement: the same outcome as a customer whose ack was rate-limited.
        if let script = decision.autoReply, context == nil, inbound.autoReplySuppression == nil {
            let reference = Conversation.referenceFor(id: conversationID)
            let variables = ReplyContext.variables(
                conversationID: conversationID, reference: reference, customerAddress: inbound.sender,
                language: classification.language, queue: edition.rules.queue(id: decision.queue), queueID: decision.queue,
                slaPolicy: policy, slaDueAt: slaDueAt, subject: inbound.subject, timeZone: timeZone)
            do {
                let rendered = try edition.scripts.render(
                    script: script, language: classification.language, channel: inbound.channel.rawValue, context: variables)
                try validator.validate(rendered.body, channel: inbound.channel, source: inbound.source)
                autoReply = PendingReply(script: script, body: rendered.body, automatic: true)
            } catch {
                // The message itself must still be accepted; only the acknowledgement is lost, loudly.
                logger.error("automatic reply not queued", metadata: [
                    "reply.script": "\(script)", "error.code": "\(error.code)", "error": "\(error.message)",
                ])
                Counter(label: "switchboard_auto_reply_failures_total", dimensions: [("script", script)], factory: metricsFactory).increment()
            }
        }

        return IngestRequest(
            inbound: inbound, classification: classification, slaDueAt: slaDueAt, newConversationID: conversationID, autoReply: autoReply)
    }

    /// Counts and logs a committed message.
    private func record(_ request: IngestRequest, _ result: IngestResult) {
        let inbound = request.inbound, classification = request.classification, decision = classification.route
        if result.duplicate {
            Counter(label: "switchboard_messages_deduplicated_total", dimensions: [("channel", inbound.channel.rawValue)], factory: metricsFactory).increment()
        } else {
            Counter(label: "switchboard_messages_received_total", dimensions: [("channel", inbound.channel.rawValue)], factory: metricsFactory).increment()
            Counter(label: "switchboard_routes_fired_total", dimensions: [("route", decision.routeID)], factory: metricsFactory).increment()
            for signal in classification.firedSignals {
                Counter(label: "switchboard_signals_fired_total", dimensions: [("signal", signal)], factory: metricsFactory).increment()
            }
            logger.info("message accepted", metadata: [
                "message.id": "\(result.messageID)", "conversation.id": "\(result.conversationID)",
                "message.channel": "\(inbound.channel)", "message.source": "\(inbound.source)",
                "route.id": "\(decision.routeID)", "route.queue": "\(decision.queue)",
                "classification.urgency": "\(classification.urgency.rawValue)",
                "classification.sentiment": "\(classification.sentiment.rawValue)",
            ])
        }
    }
}
