import Digests
import Foundation
import Synchronization

/// The pattern databases this process compiled most recently, by the exact patterns they hold.
///
/// Compiling is most of what loading a rule set costs (about a second for the shipped rules), and the
/// same patterns are compiled again and again: a reload after an edit to `routes.yaml` or a script, a
/// second gateway in the same process, every test that builds one. A compiled database is immutable
/// and safe to scan from many threads, so one that holds exactly the same patterns is handed out again.
enum CompiledPatterns {
    /// How many databases are kept: the one in force, the one before it, and a little room.
    static let capacity = 4

    private static let recent = Mutex<[(key: [UInt8], database: PatternDatabase)]>([])

    /// The database for `patterns`, compiled now or handed out again.
    static func database(for patterns: [PatternDatabase.Pattern]) throws(PatternDatabase.CompileError) -> PatternDatabase {
        let key = Self.key(patterns)
        if let found = recent.withLock({ list in list.first { $0.key == key }?.database }) { return found }
        let database = try PatternDatabase(patterns: patterns)
        recent.withLock { list in
            list.removeAll { $0.key == key }
            list.insert((key, database), at: 0)
            if list.count > capacity { list.removeLast(list.count - capacity) }
        }
        return database
    }

    /// SHA-256 over every pattern's kind and text, in order (order decides the pattern indexes).
    private static func key(_ patterns: [PatternDatabase.Pattern]) -> [UInt8] {
        var bytes = Data()
        for pattern in patterns {
            bytes.append(pattern.kind == .regex ? 1 : 0)
            bytes.append(contentsOf: pattern.text.utf8)
            bytes.append(0)
        }
        return Array(Digest.sha256(bytes))
    }
}
