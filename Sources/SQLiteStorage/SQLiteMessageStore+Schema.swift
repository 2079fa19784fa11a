import GRDB

extension SQLiteMessageStore {
    /// Schema migrations, applied in order at open; never edit a shipped one, add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-spine") { db in
            try db.execute(sql: """
                CREATE TABLE conversations (
                    id TEXT PRIMARY KEY,
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    customer_address TEXT NOT NULL,
                    customer_tier TEXT NOT NULL,
                    language TEXT NOT NULL,
                    queue TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    urgency TEXT NOT NULL,
                    sentiment TEXT NOT NULL,
                    state TEXT NOT NULL,
                    route_id TEXT NOT NULL,
                    sla_policy TEXT NOT NULL,
                    sla_due_at REAL,
                    owner TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX conversations_customer ON conversations(channel, source, customer_address, state);
                CREATE INDEX conversations_queue ON conversations(queue, state, priority, sla_due_at);

                CREATE TABLE messages (
                    id TEXT PRIMARY KEY,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    direction TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    external_id TEXT,
                    sender TEXT NOT NULL,
                    recipients TEXT NOT NULL,
                    subject TEXT,
                    text TEXT NOT NULL,
                    received_at REAL NOT NULL,
                    raw_payload BLOB NOT NULL,
                    classification TEXT
                );
                CREATE UNIQUE INDEX messages_external_id ON messages(source, external_id) WHERE external_id IS NOT NULL;
                CREATE INDEX messages_conversation ON messages(conversation_id, received_at);

                CREATE TABLE outbox (
                    id TEXT PRIMARY KEY,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    script TEXT,
                    body TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL,
                    last_error TEXT,
                    automatic INTEGER NOT NULL,
                    author TEXT NOT NULL,
                    idempotency_key TEXT,
                    request_fingerprint TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE UNIQUE INDEX outbox_idempotency ON outbox(author, idempotency_key) WHERE idempotency_key IS NOT NULL;
                CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
                CREATE INDEX outbox_conversation ON outbox(conversation_id, created_at);

                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    subject_kind TEXT NOT NULL,
                    subject_id TEXT NOT NULL,
                    conversation_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                CREATE INDEX events_conversation ON events(conversation_id, seq);
                """)
        }
        migrator.registerMigration("v2-email") { db in
            try db.execute(sql: """
                ALTER TABLE messages ADD COLUMN threaded_by TEXT;
                ALTER TABLE messages ADD COLUMN metadata TEXT;

                -- Channel message ids (email Message-IDs) of stored and delivered messages, so a reply that
                -- cites one joins its conversation.
                CREATE TABLE message_ids (
                    source TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    subject_kind TEXT NOT NULL,
                    subject_id TEXT NOT NULL,
                    PRIMARY KEY (source, message_id)
                );

                -- Where each polled stream (an IMAP mailbox) stands, advanced in the transaction that stores
                -- the message fetched at that position.
                CREATE TABLE intake_cursors (
                    source TEXT NOT NULL,
                    stream TEXT NOT NULL,
                    validity INTEGER NOT NULL,
                    position INTEGER NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (source, stream)
                );

                CREATE INDEX outbox_automatic_recipient ON outbox(recipient, created_at) WHERE automatic = 1;
                """)
        }
        migrator.registerMigration("v3-sms") { db in
            try db.execute(sql: """
                -- The provider's id for a submitted message, by which status callbacks that do not echo our
                -- own id (Twilio's) find their entry.
                ALTER TABLE outbox ADD COLUMN provider_message_id TEXT;
                CREATE INDEX outbox_provider_message ON outbox(source, provider_message_id) WHERE provider_message_id IS NOT NULL;
                """)
        }
        migrator.registerMigration("v4-retention") { db in
            try db.execute(sql: """
                -- Who called the agent and ops API, and when: kept longer than the messages themselves.
                CREATE TABLE access_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    status INTEGER NOT NULL
                );
                CREATE INDEX access_log_at ON access_log(at);
                -- The retention service walks these by age.
                CREATE INDEX events_at ON events(at);
                CREATE INDEX messages_received ON messages(received_at);
                CREATE INDEX outbox_created ON outbox(created_at);
                CREATE INDEX conversations_updated ON conversations(updated_at);
                """)
        }
        migrator.registerMigration("v5-open-conversation-index") { db in
            try db.execute(sql: """
                -- Every inbound message looks up its customer's newest conversation that is not closed. The
                -- old index matched the customer but left SQLite to sort their conversations by age for each
                -- message; this one holds only conversations a message can join, newest last.
                DROP INDEX conversations_customer;
                CREATE INDEX conversations_joinable ON conversations(channel, source, customer_address, created_at)
                    WHERE state != 'closed';
                """)
        }
        migrator.registerMigration("v6-conversation-inbound-stats") { db in
            try db.execute(sql: """
                -- What classification asks of a conversation for every inbound message (how many messages the
                -- customer sent, when last, and since when they wait for an agent), kept on its row by the
                -- writes that change it. Counting the messages instead read every one of them, from disk,
                -- for every new message.
                ALTER TABLE conversations ADD COLUMN inbound_count INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE conversations ADD COLUMN last_inbound_at REAL;
                ALTER TABLE conversations ADD COLUMN waiting_since REAL;
                UPDATE conversations SET
                    inbound_count = (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'inbound'),
                    last_inbound_at = (SELECT MAX(received_at) FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'inbound'),
                    waiting_since = (SELECT MIN(received_at) FROM messages m
                        WHERE m.conversation_id = conversations.id AND m.direction = 'inbound'
                        AND m.received_at > COALESCE(
                            (SELECT MAX(created_at) FROM outbox o WHERE o.conversation_id = conversations.id AND o.automatic = 0), 0));
                """)
        }
        migrator.registerMigration("v7-access-log-client") { db in
            try db.execute(sql: """
                -- The client address of each call, and refused calls too (their token id when one was
                -- recognized, '-' otherwise), so a support centre can see who tried and from where.
                ALTER TABLE access_log ADD COLUMN client TEXT;
                """)
        }
        migrator.registerMigration("v8-lifecycle-states") { db in
            try db.execute(sql: """
                -- The lifecycle's states: 'open' and 'acknowledged' (the automatic acknowledgement went out)
                -- both meant that no human had the conversation yet, which is 'new' now.
                UPDATE conversations SET state = 'new' WHERE state IN ('open', 'acknowledged');
                """)
        }
        migrator.registerMigration("v9-lifecycle-actions") { db in
            try db.execute(sql: """
                -- Agents' actions on conversations. A retried action (same actor, same Idempotency-Key) is answered
                -- from here with the conversation as the first call left it, and never applied twice.
                CREATE TABLE lifecycle_requests (
                    actor TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    fingerprint TEXT,
                    conversation_id TEXT NOT NULL,
                    conversation TEXT NOT NULL,
                    at REAL NOT NULL,
                    PRIMARY KEY (actor, idempotency_key)
                );
                -- When a wait on the customer ends by itself, if it was given an end.
                ALTER TABLE conversations ADD COLUMN wait_until REAL;
                -- What an agent owns and has not resolved: the capacity check of every claim counts these.
                CREATE INDEX conversations_owner ON conversations(owner, state) WHERE owner IS NOT NULL;
                """)
        }
        migrator.registerMigration("v10-clock-logs") { db in
            try db.execute(sql: """
                -- One row per entry of a conversation's SLA clock logs, in the order written: started (with the
                -- target: policy, working seconds, calendar, warning), paused (with the reason), resumed,
                -- fulfilled, warned, breached, retargeted (a new target; whether the elapsed time carries over).
                CREATE TABLE clock_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    clock TEXT NOT NULL,
                    at REAL NOT NULL,
                    action TEXT NOT NULL,
                    policy TEXT,
                    seconds REAL,
                    calendar TEXT,
                    warn_before TEXT,
                    carries_over INTEGER,
                    reason TEXT
                );
                CREATE INDEX clock_events_conversation ON clock_events(conversation_id, seq);
                """)
        }
        migrator.registerMigration("v11-clock-timers") { db in
            try db.execute(sql: """
                -- When each clock is next due for a warning or a breach, as its log has it: what the timer service
                -- scans. A clock with nothing left to fire (fulfilled, or breached and recorded) has no row.
                CREATE TABLE clock_timers (
                    conversation_id TEXT NOT NULL REFERENCES conversations(id),
                    clock TEXT NOT NULL,
                    due_at REAL NOT NULL,
                    PRIMARY KEY (conversation_id, clock)
                );
                CREATE INDEX clock_timers_due ON clock_timers(due_at);
                """)
        }
        migrator.registerMigration("v12-conversations-by-customer") { db in
            try db.execute(sql: """
                -- GET /v1/conversations?customer=: a customer's conversations across channels and sources, closed
                -- ones too, newest first.
                CREATE INDEX conversations_by_customer ON conversations(lower(customer_address), created_at);
                """)
        }
        migrator.registerMigration("v13-conversation-links") { db in
            try db.execute(sql: """
                -- A customer who writes after a conversation was closed starts a new one that continues it; the
                -- closed one is found by this index, which holds only closed conversations.
                ALTER TABLE conversations ADD COLUMN previous_conversation_id TEXT;
                ALTER TABLE conversations ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX conversations_closed ON conversations(channel, source, customer_address, created_at)
                    WHERE state = 'closed';
                UPDATE conversations SET reopen_count =
                    (SELECT COUNT(*) FROM events e WHERE e.conversation_id = conversations.id AND e.kind = 'reopened');
                """)
        }
        migrator.registerMigration("v14-wait-ends") { db in
            try db.execute(sql: """
                -- The timer service ends waits on the customer whose `until` has come.
                CREATE INDEX conversations_wait_until ON conversations(wait_until) WHERE state = 'waiting_on_customer';
                """)
        }
        migrator.registerMigration("v15-next-deadline") { db in
            try db.execute(sql: """
                -- Each conversation's next deadline (the earliest due_at among its clocks that still count or were
                -- breached and are still open) and the earliest warning instant of its running clocks, kept by the
                -- clock log writes (ConversationDeadline): queues are ordered, paged and counted by them, and
                -- claims take the earliest. NULL when no clock counts. Without the rules a migration cannot
                -- compute them: the store fills them in when it opens with its clock rules (see
                -- SQLiteMessageStore.refreshDeadlines), and until then a conversation has none.
                ALTER TABLE conversations ADD COLUMN next_due_at REAL;
                ALTER TABLE conversations ADD COLUMN next_warn_at REAL;
                -- A queue's open conversations in list order (no deadline last, at 1e300): the expression must stay
                -- the one SQLiteMessageStore.deadlineKey names, or queries stop using the index.
                CREATE INDEX conversations_queue_deadline ON conversations(queue, COALESCE(next_due_at, 1e300), created_at, id)
                    WHERE state NOT IN ('resolved', 'closed');
                -- What a claim may take, in the order it takes it.
                CREATE INDEX conversations_claimable ON conversations(queue, COALESCE(next_due_at, 1e300), created_at, id)
                    WHERE owner IS NULL AND state IN ('new', 'escalated');
                -- GET /v1/queues and the queue gauges count every open conversation by queue and state: from this
                -- index alone, not from the rows (100,000 open conversations: 365 ms from the rows).
                CREATE INDEX conversations_queue_counts ON conversations(queue, state, owner, next_due_at, next_warn_at, sla_due_at, source)
                    WHERE state NOT IN ('resolved', 'closed');
                """)
        }
        migrator.registerMigration("v16-approvals") { db in
            try db.execute(sql: """
                -- A reply held for a supervisor's approval (approval.yaml): why, the amount, the held body's SHA-256
                -- and when the hold expires; then who decided, when, and their note. NULL for every other entry.
                ALTER TABLE outbox ADD COLUMN approval_reason TEXT;
                ALTER TABLE outbox ADD COLUMN approval_amount TEXT;
                ALTER TABLE outbox ADD COLUMN approval_sha256 TEXT;
                ALTER TABLE outbox ADD COLUMN approval_expires_at REAL;
                ALTER TABLE outbox ADD COLUMN approval_decided_by TEXT;
                ALTER TABLE outbox ADD COLUMN approval_decided_at REAL;
                ALTER TABLE outbox ADD COLUMN approval_note TEXT;
                -- GET /v1/approvals (oldest first) and the expiry scan read only the held entries.
                CREATE INDEX outbox_awaiting_approval ON outbox(created_at, id) WHERE status = 'awaiting_approval';
                CREATE INDEX outbox_approval_expiry ON outbox(approval_expires_at) WHERE status = 'awaiting_approval';
                """)
        }
        migrator.registerMigration("v17-surveys") { db in
            try db.execute(sql: """
                -- Satisfaction surveys: one row per survey sent after a resolution, with its answer. The question is
                -- an outbox entry (outbox_id) due at send_at; answers are taken until expires_at.
                CREATE TABLE surveys (
                    id TEXT PRIMARY KEY,
                    conversation_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    customer_address TEXT NOT NULL,
                    queue TEXT NOT NULL,
                    language TEXT NOT NULL,
                    outbox_id TEXT,
                    status TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    send_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    score INTEGER,
                    comment TEXT,
                    answered_at REAL,
                    answered_via TEXT,
                    follow_up_conversation_id TEXT,
                    -- Where a webhook channel's system posts the answer (the reply payload's survey_url).
                    answer_url TEXT
                );
                CREATE INDEX surveys_by_outbox ON surveys(outbox_id);
                -- min_interval and the SMS answer look-up: a customer's surveys, newest first.
                CREATE INDEX surveys_by_customer ON surveys(channel, source, lower(customer_address), send_at);
                CREATE INDEX surveys_by_conversation ON surveys(conversation_id);
                -- KPIs count answers in a period.
                CREATE INDEX surveys_answered ON surveys(answered_at) WHERE answered_at IS NOT NULL;
                -- Keys the gateway makes for itself (the survey link key), shared by every gateway on the store.
                CREATE TABLE gateway_keys (name TEXT PRIMARY KEY, value BLOB NOT NULL, created_at REAL NOT NULL);
                """)
        }
        migrator.registerMigration("v18-attachments") { db in
            try db.execute(sql: """
                -- Each file's bytes once, by SHA-256, however many messages and replies carry it.
                CREATE TABLE attachment_blobs (
                    sha256 TEXT PRIMARY KEY,
                    size INTEGER NOT NULL,
                    content BLOB NOT NULL
                );
                -- One row per file a customer's message carried (message_id) or an agent uploaded (uploaded_by),
                -- pointing at its bytes. conversation_id scopes it: the message's, or the first reply that took the upload.
                CREATE TABLE attachments (
                    id TEXT PRIMARY KEY,
                    sha256 TEXT NOT NULL REFERENCES attachment_blobs(sha256),
                    message_id TEXT,
                    conversation_id TEXT,
                    uploaded_by TEXT,
                    filename TEXT,
                    declared_type TEXT NOT NULL,
                    detected_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    inline INTEGER NOT NULL DEFAULT 0,
                    content_id TEXT,
                    created_at REAL NOT NULL
                );
                CREATE INDEX attachments_by_message ON attachments(message_id) WHERE message_id IS NOT NULL;
                CREATE INDEX attachments_by_blob ON attachments(sha256);
                -- Uploads no reply took are purged after a day.
                CREATE INDEX attachments_uploads ON attachments(created_at) WHERE message_id IS NULL;
                -- The files a reply carries, in order.
                CREATE TABLE outbox_attachments (
                    outbox_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    attachment_id TEXT NOT NULL,
                    PRIMARY KEY (outbox_id, position)
                );
                CREATE INDEX outbox_attachments_by_attachment ON outbox_attachments(attachment_id);
                """)
        }
        migrator.registerMigration("v19-nodes") { db in
            try db.execute(sql: """
                -- The gateways sharing the store, each by its heartbeat.
                CREATE TABLE nodes (
                    id TEXT PRIMARY KEY,
                    address TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    heartbeat_at REAL NOT NULL,
                    version TEXT NOT NULL,
                    rules_version TEXT NOT NULL
                );
                -- Which node polls which mailbox, until when.
                CREATE TABLE leases (
                    name TEXT PRIMARY KEY,
                    owner TEXT NOT NULL,
                    lease_until REAL NOT NULL,
                    acquired_at REAL NOT NULL
                );
                -- Which node is delivering an entry, until when: an entry whose node died is claimed again after it.
                ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
                ALTER TABLE outbox ADD COLUMN lease_until REAL;
                """)
        }
        // v20 is PostgreSQL's own (hash lookups); the numbers stay in step with its migrations.
        migrator.registerMigration("v21-console-sessions") { db in
            try db.execute(sql: """
                -- Signed-in console browsers, by the hash of their cookie.
                CREATE TABLE console_sessions (
                    cookie_hash TEXT PRIMARY KEY,
                    token_digest TEXT NOT NULL,
                    csrf_token TEXT NOT NULL,
                    opened_at REAL NOT NULL,
                    last_seen_at REAL NOT NULL
                );
                CREATE INDEX console_sessions_idle ON console_sessions(last_seen_at);
                """)
        }
        return migrator
    }
}
