import Foundation
import SwitchboardCore

/// Requests built by hand for the store contract: the store applies a classification and a route, it
/// does not make them, so the tests choose exactly the queue, priority and urgency each message brings.
enum ContractRequests {
    /// A fixed start, so times compare exactly; messages are placed minutes after it.
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    static func at(minute: Double) -> Date { start.addingTimeInterval(minute * 60) }

    static func route(_ queue: String, priority: Int, sla: String = "standard") -> RouteDecision {
        RouteDecision(routeID: "route-\(queue)", fired: ["route-\(queue)"], queue: queue, priority: priority, slaPolicy: sla, autoReply: nil)
    }

    static func classification(
        _ route: RouteDecision, urgency: Urgency = .normal, sentiment: Sentiment = .neutral, tier: CustomerTier = .ordinary
    ) -> Classification {
        Classification(
            rulesVersion: "sha256:contract", language: "zh", customerTier: tier, urgency: urgency, urgencyScore: 0,
            sentiment: sentiment, sentimentScore: 0,
            matches: [SignalMatch(classifier: "urgency", signal: "parcel", kind: .keyword, term: "订单", field: "text", start: 0, end: 6, weight: 1, negated: false)],
            route: route)
    }

    static func inbound(
        _ sender: String, minute: Double = 0, channel: ChannelKind = .webhook, source: String = "demo", externalID: String? = nil,
        recipients: [String] = [], subject: String? = nil, text: String = "请问订单到哪了", thread: ThreadHints = ThreadHints(),
        suppression: String? = nil, cursor: IntakeCursor? = nil
    ) -> InboundMessage {
        InboundMessage(
            channel: channel, source: source, externalID: externalID, sender: sender, recipients: recipients, subject: subject,
            text: text, receivedAt: at(minute: minute), rawPayload: Data("raw \(sender) \(minute)".utf8), thread: thread,
            autoReplySuppression: suppression, cursor: cursor)
    }

    /// An email (on the `mailbox` source unless told) with Message-ID `<id>@mail.example`; the ids it cites
    /// are written the same way unless they are whole.
    static func mail(
        _ id: String, from sender: String, minute: Double = 0, source: String = "mailbox",
        recipients: [String] = ["support@shop.example"], inReplyTo: [String] = [], references: [String] = [], token: String? = nil
    ) -> InboundMessage {
        inbound(
            sender, minute: minute, channel: .email, source: source, externalID: "\(id)@mail.example", recipients: recipients,
            subject: "订单问题", thread: ThreadHints(
                messageID: "\(id)@mail.example", inReplyTo: inReplyTo.map(cited), references: references.map(cited),
                verifiedConversationID: token))
    }

    /// A cited id as the headers carry it: a whole Message-ID as it is, a short one as `mail` writes its own.
    private static func cited(_ id: String) -> String {
        id.contains("@") ? id : "\(id)@mail.example"
    }

    /// A request for `inbound` on `route` (the general queue at priority 3 unless told otherwise); when it
    /// starts a conversation, the conversation takes `conversationID` (a fresh one unless told).
    static func request(
        _ inbound: InboundMessage, route: RouteDecision = route("general", priority: 3), urgency: Urgency = .normal,
        sentiment: Sentiment = .neutral, slaDueAt: Date? = nil, conversationID: String? = nil, autoReply: String? = nil,
        followsPrevious: Bool = false
    ) -> IngestRequest {
        var request = IngestRequest(
            inbound: inbound, classification: classification(route, urgency: urgency, sentiment: sentiment), slaDueAt: slaDueAt,
            newConversationID: conversationID ?? Identifier.make("conv", at: inbound.receivedAt),
            autoReply: autoReply.map { PendingReply(script: "ack", body: $0, automatic: true) })
        request.followsPrevious = followsPrevious
        return request
    }

    /// Marks every request after the first as following the one before it: one mailbox fetch.
    static func chained(_ requests: [IngestRequest]) -> [IngestRequest] {
        var requests = requests
        for index in requests.indices.dropFirst() { requests[index].followsPrevious = true }
        return requests
    }
}

extension ConversationQueries {
    /// Every event of a conversation, in order.
    func events(_ conversationID: String) async throws -> [AuditEvent] {
        try await conversationDetail(id: conversationID, page: ConversationDetailPage(limit: ConversationDetailPage.maximumLimit))?.events ?? []
    }

    /// The kinds of a conversation's events, in order.
    func eventKinds(_ conversationID: String) async throws -> [String] {
        try await events(conversationID).map(\.kind)
    }

    /// A conversation's messages, the first page of up to 200.
    func messages(_ conversationID: String) async throws -> [Message] {
        try await conversationDetail(id: conversationID, page: ConversationDetailPage(limit: ConversationDetailPage.maximumLimit))?.messages ?? []
    }

    /// A conversation's outbox entries, the first page of up to 200.
    func outbox(_ conversationID: String) async throws -> [OutboxEntry] {
        try await conversationDetail(id: conversationID, page: ConversationDetailPage(limit: ConversationDetailPage.maximumLimit))?.outbox ?? []
    }
}

extension OutboxEntry {
    /// The entry with its times to the millisecond, to compare an entry as a store returned it on writing
    /// with the same entry read back: a store may keep a time to less than a `Date`'s precision.
    var toMillisecond: OutboxEntry {
        func rounded(_ date: Date) -> Date { Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000) }
        var entry = self
        entry.createdAt = rounded(createdAt)
        entry.updatedAt = rounded(updatedAt)
        entry.nextAttemptAt = nextAttemptAt.map(rounded)
        entry.approval?.expiresAt = rounded(approval?.expiresAt ?? Date(timeIntervalSince1970: 0))
        entry.approval?.decidedAt = approval?.decidedAt.map(rounded)
        return entry
    }
}
