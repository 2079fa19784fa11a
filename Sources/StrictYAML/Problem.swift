/// One thing wrong with a file, with the position an editor can jump to.
public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line; 0 when the problem concerns the whole file.
    public var line: Int
    /// 1-based column in Unicode scalars; 0 when the problem concerns the whole file.
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `path:line:column: message`, the form compilers use, so editors and CI annotate it.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A set of problems found while loading; thrown when non-empty.
public struct Problems: Error, Sendable, CustomStringConvertible {
    public var problems: [Problem]

    public init(_ problems: [Problem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Gathers problems while a loader walks a file, so one run reports all of them.
public final class ProblemLog {
    public private(set) var problems: [Problem] = []

    public init() {}

    public func report(_ problem: Problem) { problems.append(problem) }

    public func report(_ message: String, at node: YAMLValue) {
        problems.append(Problem(file: node.file, line: node.line, column: node.column, message: message))
    }

    public func report(_ message: String, file: String, line: Int = 0, column: Int = 0) {
        problems.append(Problem(file: file, line: line, column: column, message: message))
    }

    public var isEmpty: Bool { problems.isEmpty }

    /// Throws every problem gathered so far, if there are any.
    public func throwIfAny() throws(Problems) {
        if !problems.isEmpty { throw Problems(problems) }
    }
}
