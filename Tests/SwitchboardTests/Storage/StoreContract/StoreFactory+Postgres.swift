import Conversations
import Foundation
import PostgresNIO
import PostgresStorage
import SwitchboardCore

extension StoreFactory {
    /// The shared store, on a database of its own in the test process's PostgreSQL cluster, migrated as a
    /// gateway migrates it, with its pool running beside it until the store is removed.
    static let postgres = StoreFactory(name: "PostgreSQL") {
        let cluster = try await TestPostgres.shared()
        var created = try await cluster.createDatabase()
        // Dozens of contract tests run at once on one cluster (it takes 400 connections; a pool opens only what
        // its test uses). The concurrency tests race twenty claimers: with fewer connections than claimers, some
        // waited past the store's 5 s lease timeout on a loaded machine, which is a 503 and not what they test.
        created.poolSize = 24
        let settings = created
        let logger = TestPostgres.logger
        try await PostgresMigrator().migrate(settings: settings, logger: logger)
        let client = PostgresClient(configuration: try settings.clientConfiguration, backgroundLogger: logger)
        // The pool runs until the store is removed, as the gateway's service group runs it.
        let running = Task { await client.run() }
        let store = PostgresMessageStore(
            client: client, clockRules: ContractClockRules(),
            notificationRules: NotificationPlanner(targets: ContractClockRules.notificationTargets, clocks: ContractClockRules()),
            logger: logger)
        return StoreUnderTest(
            store: store,
            lifecycle: store,
            timers: store,
            reports: store,
            setState: { id, state in
                try await client.query("UPDATE conversations SET state = \(state.rawValue) WHERE id = \(id)", logger: logger)
            },
            insertSurvey: { survey in
                try await client.query(
                    """
                    INSERT INTO surveys (id, conversation_id, kind, channel, source, customer_address, queue, language, outbox_id, status,
                        created_at, send_at, expires_at, score, comment, answered_at, answered_via, follow_up_conversation_id)
                    VALUES (\(survey.id), \(survey.conversationID), \(survey.kind.rawValue), \(survey.channel.rawValue), \(survey.source),
                        \(survey.customerAddress), \(survey.queue), \(survey.language), \(survey.outboxID), \(survey.status.rawValue),
                        \(survey.createdAt.timeIntervalSince1970), \(survey.sendAt.timeIntervalSince1970), \(survey.expiresAt.timeIntervalSince1970),
                        \(survey.score), \(survey.comment), \(survey.answeredAt?.timeIntervalSince1970), \(survey.answeredVia),
                        \(survey.followUpConversationID))
                    """, logger: logger)
            },
            insertEvent: { id, kind, at in
                try await client.query(
                    """
                    INSERT INTO events (at, subject_kind, subject_id, conversation_id, kind, actor, detail)
                    VALUES (\(at.timeIntervalSince1970), 'conversation', \(id), \(id), \(kind), 'system', '{}')
                    """, logger: logger)
            },
            remove: {
                running.cancel()
                await running.value
                try await cluster.drop(settings)
            })
    }
}
