/// The PostgreSQL schema: SQLiteMessageStore's migrations v1-spine … v19-nodes, one for one and under the
/// same versions, with the same tables, columns, indexes and partial indexes, so the two stores stay comparable
/// migration by migration; then v20-hash-lookups, PostgreSQL's own, which looks up by hash indexes what three of those
/// b-trees served, for the sake of serializable transactions' predicate locks; from v21 on, both stores again
/// under the same versions.
///
/// How the types translate, and why:
/// - Instants stay `double precision` seconds since 1970 (SQLite's REAL), not `timestamptz`. Page cursors carry
///   an entry's `created_at` as a Double and continue at `(created_at, id) > (?, ?)`; `timestamptz` keeps
///   microseconds, so a cursor would no longer equal the row it came from. The domain modules hand the stores
///   `Date`s that round-trip exactly through a Double, and queue ordering keeps its `COALESCE(next_due_at, 1e300)`.
/// - TEXT stays `text`, JSON too (recipients, classification, metadata, event detail, a lifecycle request's
///   conversation): the stores decode it in Swift and answer some of it as stored (a retried action is answered
///   with the conversation exactly as the first call left it), which `jsonb` would reorder and respace.
/// - INTEGER is `bigint` (SQLite's integers are 64-bit, as Swift's Int is here), except the 0/1 flags
///   (`outbox.automatic`, `attachments.inline`, `clock_events.carries_over`), which are `boolean`.
/// - BLOB is `bytea`; `INTEGER PRIMARY KEY AUTOINCREMENT` is an identity column. Identities, like SQLite's
///   rowids, are handed out in the order transactions ask, not in the order they commit: a reader that pages
///   events by `seq` across gateways must allow for that.
/// - Foreign keys are those SQLite enforces (GRDB turns them on), immediate as there.
///
/// The backfills of v6, v8 and v13 (UPDATEs that computed new columns from existing rows) are left out: a
/// PostgreSQL database starts empty at v1, so there is never a row for them to change.
public enum PostgresSchema {
    public static let migrations: [PostgresMigration] = [
        PostgresMigration("v1-spine", [
            """
            CREATE TABLE conversations (
                id text PRIMARY KEY,
                channel text NOT NULL,
                source text NOT NULL,
                customer_address text NOT NULL,
                customer_tier text NOT NULL,
                language text NOT NULL,
                queue text NOT NULL,
                priority bigint NOT NULL,
                urgency text NOT NULL,
                sentiment text NOT NULL,
                state text NOT NULL,
                route_id text NOT NULL,
                sla_policy text NOT NULL,
                sla_due_at double precision,
                owner text,
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL
            )
            """,
            "CREATE INDEX conversations_customer ON conversations (channel, source, customer_address, state)",
            "CREATE INDEX conversations_queue ON conversations (queue, state, priority, sla_due_at)",
            """
            CREATE TABLE messages (
                id text PRIMARY KEY,
                conversation_id text NOT NULL REFERENCES conversations (id),
                direction text NOT NULL,
                channel text NOT NULL,
                source text NOT NULL,
                external_id text,
                sender text NOT NULL,
                recipients text NOT NULL,
                subject text,
                text text NOT NULL,
                received_at double precision NOT NULL,
                raw_payload bytea NOT NULL,
                classification text
            )
            """,
            "CREATE UNIQUE INDEX messages_external_id ON messages (source, external_id) WHERE external_id IS NOT NULL",
            "CREATE INDEX messages_conversation ON messages (conversation_id, received_at)",
            """
            CREATE TABLE outbox (
                id text PRIMARY KEY,
                conversation_id text NOT NULL REFERENCES conversations (id),
                channel text NOT NULL,
                source text NOT NULL,
                recipient text NOT NULL,
                script text,
                body text NOT NULL,
                status text NOT NULL,
                attempts bigint NOT NULL DEFAULT 0,
                next_attempt_at double precision,
                last_error text,
                automatic boolean NOT NULL,
                author text NOT NULL,
                idempotency_key text,
                request_fingerprint text,
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX outbox_idempotency ON outbox (author, idempotency_key) WHERE idempotency_key IS NOT NULL",
            "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)",
            "CREATE INDEX outbox_conversation ON outbox (conversation_id, created_at)",
            """
            CREATE TABLE events (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at double precision NOT NULL,
                subject_kind text NOT NULL,
                subject_id text NOT NULL,
                conversation_id text NOT NULL,
                kind text NOT NULL,
                actor text NOT NULL,
                detail text NOT NULL
            )
            """,
            "CREATE INDEX events_conversation ON events (conversation_id, seq)",
        ]),
        PostgresMigration("v2-email", [
            "ALTER TABLE messages ADD COLUMN threaded_by text",
            "ALTER TABLE messages ADD COLUMN metadata text",
            """
            CREATE TABLE message_ids (
                source text NOT NULL,
                message_id text NOT NULL,
                conversation_id text NOT NULL REFERENCES conversations (id),
                subject_kind text NOT NULL,
                subject_id text NOT NULL,
                PRIMARY KEY (source, message_id)
            )
            """,
            """
            CREATE TABLE intake_cursors (
                source text NOT NULL,
                stream text NOT NULL,
                validity bigint NOT NULL,
                position bigint NOT NULL,
                updated_at double precision NOT NULL,
                PRIMARY KEY (source, stream)
            )
            """,
            "CREATE INDEX outbox_automatic_recipient ON outbox (recipient, created_at) WHERE automatic",
        ]),
        PostgresMigration("v3-sms", [
            "ALTER TABLE outbox ADD COLUMN provider_message_id text",
            "CREATE INDEX outbox_provider_message ON outbox (source, provider_message_id) WHERE provider_message_id IS NOT NULL",
        ]),
        PostgresMigration("v4-retention", [
            """
            CREATE TABLE access_log (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at double precision NOT NULL,
                actor text NOT NULL,
                method text NOT NULL,
                path text NOT NULL,
                status bigint NOT NULL
            )
            """,
            "CREATE INDEX access_log_at ON access_log (at)",
            "CREATE INDEX events_at ON events (at)",
            "CREATE INDEX messages_received ON messages (received_at)",
            "CREATE INDEX outbox_created ON outbox (created_at)",
            "CREATE INDEX conversations_updated ON conversations (updated_at)",
        ]),
        PostgresMigration("v5-open-conversation-index", [
            "DROP INDEX conversations_customer",
            """
            CREATE INDEX conversations_joinable ON conversations (channel, source, customer_address, created_at)
                WHERE state <> 'closed'
            """,
        ]),
        PostgresMigration("v6-conversation-inbound-stats", [
            "ALTER TABLE conversations ADD COLUMN inbound_count bigint NOT NULL DEFAULT 0",
            "ALTER TABLE conversations ADD COLUMN last_inbound_at double precision",
            "ALTER TABLE conversations ADD COLUMN waiting_since double precision",
        ]),
        PostgresMigration("v7-access-log-client", [
            "ALTER TABLE access_log ADD COLUMN client text",
        ]),
        // SQLite's v8 only renamed states in existing rows.
        PostgresMigration("v8-lifecycle-states", []),
        PostgresMigration("v9-lifecycle-actions", [
            """
            CREATE TABLE lifecycle_requests (
                actor text NOT NULL,
                idempotency_key text NOT NULL,
                fingerprint text,
                conversation_id text NOT NULL,
                conversation text NOT NULL,
                at double precision NOT NULL,
                PRIMARY KEY (actor, idempotency_key)
            )
            """,
            "ALTER TABLE conversations ADD COLUMN wait_until double precision",
            "CREATE INDEX conversations_owner ON conversations (owner, state) WHERE owner IS NOT NULL",
        ]),
        PostgresMigration("v10-clock-logs", [
            """
            CREATE TABLE clock_events (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                conversation_id text NOT NULL REFERENCES conversations (id),
                clock text NOT NULL,
                at double precision NOT NULL,
                action text NOT NULL,
                policy text,
                seconds double precision,
                calendar text,
                warn_before text,
                carries_over boolean,
                reason text
            )
            """,
            "CREATE INDEX clock_events_conversation ON clock_events (conversation_id, seq)",
        ]),
        PostgresMigration("v11-clock-timers", [
            """
            CREATE TABLE clock_timers (
                conversation_id text NOT NULL REFERENCES conversations (id),
                clock text NOT NULL,
                due_at double precision NOT NULL,
                PRIMARY KEY (conversation_id, clock)
            )
            """,
            "CREATE INDEX clock_timers_due ON clock_timers (due_at)",
        ]),
        PostgresMigration("v12-conversations-by-customer", [
            "CREATE INDEX conversations_by_customer ON conversations (lower(customer_address), created_at)",
        ]),
        PostgresMigration("v13-conversation-links", [
            "ALTER TABLE conversations ADD COLUMN previous_conversation_id text",
            "ALTER TABLE conversations ADD COLUMN reopen_count bigint NOT NULL DEFAULT 0",
            """
            CREATE INDEX conversations_closed ON conversations (channel, source, customer_address, created_at)
                WHERE state = 'closed'
            """,
        ]),
        PostgresMigration("v14-wait-ends", [
            "CREATE INDEX conversations_wait_until ON conversations (wait_until) WHERE state = 'waiting_on_customer'",
        ]),
        PostgresMigration("v15-next-deadline", [
            "ALTER TABLE conversations ADD COLUMN next_due_at double precision",
            "ALTER TABLE conversations ADD COLUMN next_warn_at double precision",
            // The store's queries must write the same expression, or PostgreSQL will not use the index either.
            """
            CREATE INDEX conversations_queue_deadline
                ON conversations (queue, COALESCE(next_due_at, 1e300), created_at, id)
                WHERE state NOT IN ('resolved', 'closed')
            """,
            """
            CREATE INDEX conversations_claimable
                ON conversations (queue, COALESCE(next_due_at, 1e300), created_at, id)
                WHERE owner IS NULL AND state IN ('new', 'escalated')
            """,
            """
            CREATE INDEX conversations_queue_counts
                ON conversations (queue, state, owner, next_due_at, next_warn_at, sla_due_at, source)
                WHERE state NOT IN ('resolved', 'closed')
            """,
        ]),
        PostgresMigration("v16-approvals", [
            "ALTER TABLE outbox ADD COLUMN approval_reason text",
            "ALTER TABLE outbox ADD COLUMN approval_amount text",
            "ALTER TABLE outbox ADD COLUMN approval_sha256 text",
            "ALTER TABLE outbox ADD COLUMN approval_expires_at double precision",
            "ALTER TABLE outbox ADD COLUMN approval_decided_by text",
            "ALTER TABLE outbox ADD COLUMN approval_decided_at double precision",
            "ALTER TABLE outbox ADD COLUMN approval_note text",
            "CREATE INDEX outbox_awaiting_approval ON outbox (created_at, id) WHERE status = 'awaiting_approval'",
            "CREATE INDEX outbox_approval_expiry ON outbox (approval_expires_at) WHERE status = 'awaiting_approval'",
        ]),
        PostgresMigration("v17-surveys", [
            """
            CREATE TABLE surveys (
                id text PRIMARY KEY,
                conversation_id text NOT NULL,
                kind text NOT NULL,
                channel text NOT NULL,
                source text NOT NULL,
                customer_address text NOT NULL,
                queue text NOT NULL,
                language text NOT NULL,
                outbox_id text,
                status text NOT NULL,
                created_at double precision NOT NULL,
                send_at double precision NOT NULL,
                expires_at double precision NOT NULL,
                score bigint,
                comment text,
                answered_at double precision,
                answered_via text,
                follow_up_conversation_id text,
                answer_url text
            )
            """,
            "CREATE INDEX surveys_by_outbox ON surveys (outbox_id)",
            "CREATE INDEX surveys_by_customer ON surveys (channel, source, lower(customer_address), send_at)",
            "CREATE INDEX surveys_by_conversation ON surveys (conversation_id)",
            "CREATE INDEX surveys_answered ON surveys (answered_at) WHERE answered_at IS NOT NULL",
            "CREATE TABLE gateway_keys (name text PRIMARY KEY, value bytea NOT NULL, created_at double precision NOT NULL)",
        ]),
        PostgresMigration("v18-attachments", [
            """
            CREATE TABLE attachment_blobs (
                sha256 text PRIMARY KEY,
                size bigint NOT NULL,
                content bytea NOT NULL
            )
            """,
            """
            CREATE TABLE attachments (
                id text PRIMARY KEY,
                sha256 text NOT NULL REFERENCES attachment_blobs (sha256),
                message_id text,
                conversation_id text,
                uploaded_by text,
                filename text,
                declared_type text NOT NULL,
                detected_type text NOT NULL,
                size bigint NOT NULL,
                inline boolean NOT NULL DEFAULT false,
                content_id text,
                created_at double precision NOT NULL
            )
            """,
            "CREATE INDEX attachments_by_message ON attachments (message_id) WHERE message_id IS NOT NULL",
            "CREATE INDEX attachments_by_blob ON attachments (sha256)",
            "CREATE INDEX attachments_uploads ON attachments (created_at) WHERE message_id IS NULL",
            """
            CREATE TABLE outbox_attachments (
                outbox_id text NOT NULL,
                position bigint NOT NULL,
                attachment_id text NOT NULL,
                PRIMARY KEY (outbox_id, position)
            )
            """,
            "CREATE INDEX outbox_attachments_by_attachment ON outbox_attachments (attachment_id)",
        ]),
        PostgresMigration("v19-nodes", [
            """
            CREATE TABLE nodes (
                id text PRIMARY KEY,
                address text NOT NULL,
                started_at double precision NOT NULL,
                heartbeat_at double precision NOT NULL,
                version text NOT NULL,
                rules_version text NOT NULL
            )
            """,
            """
            CREATE TABLE leases (
                name text PRIMARY KEY,
                owner text NOT NULL,
                lease_until double precision NOT NULL,
                acquired_at double precision NOT NULL
            )
            """,
            "ALTER TABLE outbox ADD COLUMN claimed_by text",
            "ALTER TABLE outbox ADD COLUMN lease_until double precision",
            // A hint to idle dispatchers on every node that the outbox changed (PostgresOutboxListener): sent at
            // commit, once per transaction however many rows it wrote, and never a substitute for polling.
            """
            CREATE FUNCTION switchboard_outbox_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('switchboard_outbox', '');
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER outbox_changed AFTER INSERT OR UPDATE OF next_attempt_at ON outbox
            FOR EACH STATEMENT EXECUTE FUNCTION switchboard_outbox_changed()
            """,
        ]),
        // PostgreSQL's own (SQLite has no predicate locks): what every inbound message looks up, by hash index.
        // A serializable transaction's read through a b-tree locks the whole leaf page it read, and keys that
        // sort together (conversation ids, which start with their time, external ids, similar addresses) put
        // what concurrent intakes look up and what they insert or update on the same few pages: two intakes on
        // two gateways then each read what the other wrote, and one of them was rolled back. A hash index
        // locks the bucket of the key looked up, which another key rarely shares; a low fill factor gives a
        // young database more buckets. The b-trees that keep ids and external ids unique stay, for that.
        PostgresMigration("v20-hash-lookups", [
            "CREATE INDEX conversations_by_id ON conversations USING hash (id) WITH (fillfactor = 10)",
            "CREATE INDEX conversations_customer_lookup ON conversations USING hash (customer_address) WITH (fillfactor = 10)",
            "DROP INDEX conversations_joinable",
            "DROP INDEX conversations_closed",
            "CREATE INDEX messages_external_id_lookup ON messages USING hash (external_id) WITH (fillfactor = 10) WHERE external_id IS NOT NULL",
            "CREATE INDEX clock_events_by_conversation ON clock_events USING hash (conversation_id) WITH (fillfactor = 10)",
            "DROP INDEX clock_events_conversation",
        ]),
        // The console's sessions, as SQLite's v21: a browser signed in on one gateway is on all of them.
        PostgresMigration("v21-console-sessions", [
            """
            CREATE TABLE console_sessions (
                cookie_hash text PRIMARY KEY,
                token_digest text NOT NULL,
                csrf_token text NOT NULL,
                opened_at double precision NOT NULL,
                last_seen_at double precision NOT NULL
            )
            """,
            "CREATE INDEX console_sessions_idle ON console_sessions (last_seen_at)",
        ]),
    ]
}
