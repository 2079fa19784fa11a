import SwitchboardCore

// TEMPORARY until the attachments part is ported; deleted by it.
extension PostgresMessageStore {
    static func attach(_ db: PostgresTransaction, _ ids: [String], toReply outboxID: String, conversationID: String) async throws -> [MessageAttachment] {
        fatalError("unported")
    }
}
