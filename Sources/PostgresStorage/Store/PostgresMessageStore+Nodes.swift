import Foundation
import PostgresNIO
import SwitchboardCore

/// Nodes and mailbox leases across the gateways that share the database. Each statement is atomic on its own:
/// the lease is one `INSERT … ON CONFLICT DO UPDATE … WHERE`, which takes the row lock, so of two nodes asking
/// at once exactly one gets a free or expired lease.
extension PostgresMessageStore: NodeRegistry {
    public func recordHeartbeat(_ node: GatewayNode, forgetBefore: Date) async throws {
        try await writeLocking { db in
            try await db.execute("""
                INSERT INTO nodes (id, address, started_at, heartbeat_at, version, rules_version)
                VALUES (\(node.id), \(node.address), \(node.startedAt.timeIntervalSince1970), \(node.heartbeatAt.timeIntervalSince1970),
                    \(node.version), \(node.rulesVersion))
                ON CONFLICT (id) DO UPDATE SET address = excluded.address, heartbeat_at = excluded.heartbeat_at,
                    version = excluded.version, rules_version = excluded.rules_version
                """)
            try await db.execute("DELETE FROM nodes WHERE heartbeat_at < \(forgetBefore.timeIntervalSince1970) AND id <> \(node.id)")
        }
    }

    public func nodes() async throws -> [GatewayNode] {
        try await read { db in
            try await db.rows("SELECT * FROM nodes ORDER BY heartbeat_at DESC, id COLLATE \"C\"").map { row in
                GatewayNode(
                    id: try row["id"], address: try row["address"], startedAt: try row.date("started_at") ?? Date(timeIntervalSince1970: 0),
                    heartbeatAt: try row.date("heartbeat_at") ?? Date(timeIntervalSince1970: 0), version: try row["version"],
                    rulesVersion: try row["rules_version"])
            }
        }
    }

    public func acquireLease(_ mailbox: String, node: String, now: Date, until: Date) async throws -> Bool {
        try await writeLocking { db in
            try await db.execute("""
                INSERT INTO leases (name, owner, lease_until, acquired_at)
                VALUES (\(mailbox), \(node), \(until.timeIntervalSince1970), \(now.timeIntervalSince1970))
                ON CONFLICT (name) DO UPDATE SET
                    acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END,
                    owner = excluded.owner, lease_until = excluded.lease_until
                WHERE leases.owner = excluded.owner OR leases.lease_until < excluded.acquired_at
                """) > 0
        }
    }

    public func releaseLease(_ mailbox: String, node: String) async throws {
        _ = try await writeLocking { db in
            try await db.execute("DELETE FROM leases WHERE name = \(mailbox) AND owner = \(node)")
        }
    }
}
