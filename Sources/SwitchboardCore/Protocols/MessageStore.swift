/// Durable storage for messages, conversations and the outbox: every role a store plays, for the stores
/// themselves and for the composition root. Components take the role they use: ``IntakeStore``,
/// ``OutboxStore``, ``ApprovalStore``, ``ConversationQueries``, ``StoreMaintenance``, ``SurveyStore``, ``AttachmentStore``, ``AuditFeed``, ``SessionStore`` or ``NodeRegistry``.
///
/// Every method that changes state commits before it returns, so a caller may acknowledge the sender
/// as soon as it returns and never before.
public protocol MessageStore: IntakeStore, OutboxStore, ApprovalStore, ConversationQueries, StoreMaintenance, SurveyStore, AttachmentStore, AuditFeed,
    SessionStore,
    NodeRegistry {}
