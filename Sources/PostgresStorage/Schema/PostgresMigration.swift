/// One step of the PostgreSQL schema: its version (recorded in `schema_migrations`) and the statements that
/// make it, run in order in one transaction. PostgreSQL's extended protocol takes one statement per query,
/// hence a list rather than a script.
public struct PostgresMigration: Sendable {
    public let version: String
    public let statements: [String]

    public init(_ version: String, _ statements: [String]) {
        self.version = version
        self.statements = statements
    }
}
