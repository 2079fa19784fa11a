import PostgresNIO
import SwitchboardCore

/// The read every inbound message starts with (``PostgresMessageStore/intakeLookup(_:_:)``), as a statement
/// each connection prepares once: planning it (three branches over a table with ten indexes) cost several
/// times what running it does, for every message.
///
/// Its rows: `found` says which of `open`, `closed` or `duplicate` the row is, with the conversation's
/// columns (``PostgresMessageStore/conversationRowColumnNames``); a duplicate's row adds its message's
/// `message_id` and `message_threaded_by`.
struct IntakeLookupStatement: PostgresPreparedStatement {
    typealias Row = PostgresTransaction.Row

    static let name = "switchboard_intake_lookup_v1"

    // Without an external id the last branch compares with NULL, which matches nothing.
    static let sql = {
        let columns = PostgresMessageStore.conversationRowColumns("c")
        return """
            SELECT 'open' AS found, NULL::text AS message_id, NULL::text AS message_threaded_by, \(columns)
            FROM (SELECT * FROM conversations
                WHERE channel = $1 AND source = $2 AND customer_address = $3 AND state <> 'closed'
                ORDER BY created_at DESC LIMIT 1) c
            UNION ALL
            SELECT 'closed', NULL, NULL, \(columns)
            FROM (SELECT * FROM conversations
                WHERE channel = $1 AND source = $2 AND customer_address = $3 AND state = 'closed'
                ORDER BY created_at DESC LIMIT 1) c
            UNION ALL
            SELECT 'duplicate', m.id, m.threaded_by, \(columns)
            FROM messages m JOIN conversations c ON c.id = m.conversation_id
            WHERE m.source = $2 AND m.external_id = $4
            """
    }()

    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text]

    var channel: String
    var source: String
    var sender: String
    var externalID: String?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(channel)
        bindings.append(source)
        bindings.append(sender)
        bindings.append(externalID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { Row(row) }
}
