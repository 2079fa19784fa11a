import Conversations
import Foundation
import GRDB
import SQLiteStorage
import SwitchboardCore
import TestSupport

extension StoreFactory {
    /// The embedded store, in a temporary directory of its own.
    static let sqlite = StoreFactory(name: "SQLite") {
        let directory = try Fixtures.temporaryDirectory()
        let store = try SQLiteMessageStore(
            directory: directory.path, clockRules: ContractClockRules(),
            notificationRules: NotificationPlanner(targets: ContractClockRules.notificationTargets, clocks: ContractClockRules()))
        return StoreUnderTest(
            store: store,
            lifecycle: store,
            timers: store,
            reports: store,
            setState: { id, state in
                try await testDatabase(store.path).write { db in
                    try db.execute(sql: "UPDATE conversations SET state = ? WHERE id = ?", arguments: [state.rawValue, id])
                }
            },
            insertSurvey: { survey in
                try await testDatabase(store.path).write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO surveys (id, conversation_id, kind, channel, source, customer_address, queue, language, outbox_id, status,
                                created_at, send_at, expires_at, score, comment, answered_at, answered_via, follow_up_conversation_id)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            survey.id, survey.conversationID, survey.kind.rawValue, survey.channel.rawValue, survey.source, survey.customerAddress,
                            survey.queue, survey.language, survey.outboxID, survey.status.rawValue, survey.createdAt.timeIntervalSince1970,
                            survey.sendAt.timeIntervalSince1970, survey.expiresAt.timeIntervalSince1970, survey.score, survey.comment,
                            survey.answeredAt?.timeIntervalSince1970, survey.answeredVia, survey.followUpConversationID,
                        ])
                }
            },
            insertEvent: { id, kind, at in
                try await testDatabase(store.path).write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO events (at, subject_kind, subject_id, conversation_id, kind, actor, detail)
                            VALUES (?, 'conversation', ?, ?, ?, 'system', '{}')
                            """,
                        arguments: [at.timeIntervalSince1970, id, id, kind])
                }
            },
            remove: { try FileManager.default.removeItem(at: directory) })
    }
}
