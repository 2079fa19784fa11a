import Foundation
import GRDB
import SwitchboardCore

/// One gateway runs on the embedded file, so it is the only node there is; the rows are kept all the same, so
/// `GET /v1/nodes` answers alike on both stores and a database copied to PostgreSQL starts with them.
extension SQLiteMessageStore {
    public func recordHeartbeat(_ node: GatewayNode, forgetBefore: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO nodes (id, address, started_at, heartbeat_at, version, rules_version) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET address = excluded.address, heartbeat_at = excluded.heartbeat_at,
                        version = excluded.version, rules_version = excluded.rules_version
                    """,
                arguments: [
                    node.id, node.address, node.startedAt.timeIntervalSince1970, node.heartbeatAt.timeIntervalSince1970, node.version,
                    node.rulesVersion,
                ])
            try db.execute(sql: "DELETE FROM nodes WHERE heartbeat_at < ? AND id <> ?", arguments: [forgetBefore.timeIntervalSince1970, node.id])
        }
    }

    public func nodes() async throws -> [GatewayNode] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM nodes ORDER BY heartbeat_at DESC, id").map { row in
                GatewayNode(
                    id: row["id"], address: row["address"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    heartbeatAt: Date(timeIntervalSince1970: row["heartbeat_at"]), version: row["version"], rulesVersion: row["rules_version"])
            }
        }
    }

    public func acquireLease(_ mailbox: String, node: String, now: Date, until: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO leases (name, owner, lease_until, acquired_at) VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (name) DO UPDATE SET
                        acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END,
                        owner = excluded.owner, lease_until = excluded.lease_until
                    WHERE leases.owner = excluded.owner OR leases.lease_until < ?4
                    """,
                arguments: [mailbox, node, until.timeIntervalSince1970, now.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    public func releaseLease(_ mailbox: String, node: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM leases WHERE name = ? AND owner = ?", arguments: [mailbox, node])
        }
    }
}
