import GRDB

extension SQLiteMessageStore {
    /// The first row a query returns, decoded while the statement still holds it; nil when there is none.
    ///
    /// `Row.fetchOne` copies the row, and a copied row finds a column by name by lowercasing every
    /// column name on every access: decoding a wide row that way cost more than running the query. A
    /// cursor's row looks names up in a table the statement builds once.
    static func fetchFirst<T>(_ statement: Statement, arguments: StatementArguments = [], _ decode: (Row) throws -> T) throws -> T? {
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        guard let row = try rows.next() else { return nil }
        return try decode(row)
    }

    /// Every row a query returns, each decoded while the statement holds it (see ``fetchFirst(_:arguments:_:)``).
    static func fetchEach<T>(_ statement: Statement, arguments: StatementArguments = [], _ decode: (Row) throws -> T) throws -> [T] {
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        var decoded: [T] = []
        while let row = try rows.next() { decoded.append(try decode(row)) }
        return decoded
    }
}
