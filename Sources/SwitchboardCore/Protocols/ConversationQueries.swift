import Foundation

/// Reads for agents, supervisors and metrics: conversations, queues and outbox entries.
public protocol ConversationQueries: Sendable {
    func conversation(id: String) async throws -> Conversation?
    /// The conversation with one page of each of its lists (messages, outbox entries, events), each
    /// with the cursor of its next page when there is more; nil when there is no such conversation.
    func conversationDetail(id: String, page: ConversationDetailPage) async throws -> ConversationDetail?
    /// Each queue's open conversations at `now`: how many, unassigned, due soon, breached, overdue and by
    /// state, in queue order; with `sources`, only conversations of those sources count.
    func queueSummaries(now: Date, sources: Set<String>?) async throws -> [QueueSummary]
    /// One page of a queue's conversations, next deadline first, each with its clocks at the listing's
    /// instant (see ``QueueListing``).
    func queuePage(_ listing: QueueListing) async throws -> QueuePage
    /// A customer's conversations on every channel and source, newest first, closed ones too: the address
    /// as the conversations store it (an email address in any letter case). With `sources`, only those
    /// sources' conversations.
    func conversations(customer: String, limit: Int, sources: Set<String>?) async throws -> [Conversation]

    /// The conversation's SLA clocks as they stand at `now`, in ``ClockKind`` order; empty for a store
    /// kept without clock rules.
    func clocks(conversationID: String, at now: Date) async throws -> [ClockSummary]

    func outboxEntry(id: String) async throws -> OutboxEntry?
    /// Outbox entries by status, for metrics.
    func outboxCounts() async throws -> [OutboxStatus: Int]
    /// When the queued entry that has waited longest since falling due by `now` fell due; nil when none
    /// is due (entries held until later do not count).
    func oldestDueOutboxEntry(now: Date) async throws -> Date?
}
