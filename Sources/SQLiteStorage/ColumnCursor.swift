import Foundation
import GRDB

/// Decodes a statement's rows by column position, straight from the statement.
///
/// A GRDB `Row`, even a cursor's, maps the lowercased name of every column when it is made, and that is
/// once per query for a query run once per inbound message: for a conversation's 20 columns it cost as
/// much as the lookup itself. Conversations are read this way: their columns are selected in a fixed
/// order and read by position.
final class ColumnCursor<Element>: DatabaseCursor {
    let _statement: Statement
    var _isDone = false
    private let decode: (StatementColumns) throws -> Element

    init(_ statement: Statement, arguments: StatementArguments, _ decode: @escaping (StatementColumns) throws -> Element) throws {
        _statement = statement
        self.decode = decode
        try statement.setArguments(arguments)
    }

    deinit {
        // Run to the end, which ends the statement's implicit read transaction; a statement left on a row
        // would keep its snapshot (and hold back checkpoints) until it is next used.
        while !_isDone, (try? next()) != nil {}
    }

    func _element(sqliteStatement: SQLiteStatement) throws -> Element {
        try decode(StatementColumns(statement: sqliteStatement))
    }

    /// Every row, decoded.
    static func all(_ statement: Statement, arguments: StatementArguments, _ decode: @escaping (StatementColumns) throws -> Element) throws -> [Element] {
        try Array(ColumnCursor(statement, arguments: arguments, decode))
    }

    /// The first row, decoded; nil when there is none.
    static func first(_ statement: Statement, arguments: StatementArguments, _ decode: @escaping (StatementColumns) throws -> Element) throws -> Element? {
        try ColumnCursor(statement, arguments: arguments, decode).next()
    }
}

/// The current row of a statement, read by column position; NULL reads as nil (or 0 / "" where a value
/// is required and the schema does not allow NULL).
struct StatementColumns {
    let statement: SQLiteStatement

    func string(_ index: CInt) -> String { String.fromStatement(statement, atUncheckedIndex: index) ?? "" }
    func optionalString(_ index: CInt) -> String? { String.fromStatement(statement, atUncheckedIndex: index) }
    func int(_ index: CInt) -> Int { Int.fromStatement(statement, atUncheckedIndex: index) ?? 0 }
    func double(_ index: CInt) -> Double? { Double.fromStatement(statement, atUncheckedIndex: index) }
    func date(_ index: CInt) -> Date? { Double.fromStatement(statement, atUncheckedIndex: index).map(Date.init(timeIntervalSince1970:)) }
}
