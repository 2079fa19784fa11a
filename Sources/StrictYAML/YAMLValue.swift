import Yams

/// A YAML node that remembers its file and position, read strictly: wrong types and unknown keys are
/// reported where they stand instead of being ignored.
public struct YAMLValue {
    public let node: Node
    public let file: String

    public init(node: Node, file: String) {
        self.node = node
        self.file = file
    }

    public var line: Int { node.mark?.line ?? 0 }
    public var column: Int { node.mark?.column ?? 0 }

    /// Parses a whole file. Syntax errors and duplicate keys become a problem with its position.
    public static func parse(_ text: String, file: String) -> Result<YAMLValue?, Problem> {
        do {
            guard let node = try Yams.compose(yaml: text) else { return .success(nil) }
            return .success(YAMLValue(node: node, file: file))
        } catch let error as YamlError {
            return .failure(problem(from: error, file: file))
        } catch {
            return .failure(Problem(file: file, line: 0, column: 0, message: "cannot parse YAML"))
        }
    }

    private static func problem(from error: YamlError, file: String) -> Problem {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return Problem(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(detail)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return Problem(file: file, line: context.mark.line, column: context.mark.column, message: "duplicate key \(keys) in one mapping")
        case let .reader(problem, _, _, _):
            return Problem(file: file, line: 0, column: 0, message: "cannot read YAML: \(problem)")
        default:
            return Problem(file: file, line: 0, column: 0, message: "cannot parse YAML")
        }
    }

    // MARK: Scalars

    /// The scalar text, or nil (with a problem reported) if this is not a scalar.
    public func string(_ log: ProblemLog, what: String = "value") -> String? {
        guard case let .scalar(scalar) = node else {
            log.report("\(what) must be a text value", at: self)
            return nil
        }
        return scalar.string
    }

    public func int(_ log: ProblemLog, what: String = "value") -> Int? {
        guard case .scalar = node, let value = node.int else {
            log.report("\(what) must be a whole number", at: self)
            return nil
        }
        return value
    }

    public func bool(_ log: ProblemLog, what: String = "value") -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            log.report("\(what) must be true or false", at: self)
            return nil
        }
        return value
    }

    /// A sequence's items; nil (with a problem) if this is not a sequence.
    public func items(_ log: ProblemLog, what: String = "value") -> [YAMLValue]? {
        guard case let .sequence(sequence) = node else {
            log.report("\(what) must be a list", at: self)
            return nil
        }
        return sequence.map { YAMLValue(node: $0, file: file) }
    }

    /// A scalar or a list of scalars, as a list of (text, position). An item that is itself a list of
    /// scalars is spliced in: it is how lists written once under a YAML anchor are combined
    /// (`regex: [*safety-frames, *outage-frames]`).
    public func stringList(_ log: ProblemLog, what: String = "value") -> [(String, YAMLValue)]? {
        switch node {
        case let .scalar(scalar):
            return [(scalar.string, self)]
        case let .sequence(sequence):
            var out: [(String, YAMLValue)] = []
            for item in sequence {
                let items: [Node]
                if case let .sequence(inner) = item { items = Array(inner) } else { items = [item] }
                for item in items {
                    let value = YAMLValue(node: item, file: file)
                    if let text = value.string(log, what: "each item of \(what)") { out.append((text, value)) }
                }
            }
            return out
        case .mapping:
            log.report("\(what) must be a text value or a list of them", at: self)
            return nil
        case .alias:
            log.report("\(what): YAML aliases are not supported", at: self)
            return nil
        }
    }

    /// This node as a mapping reader whose keys must come from `allowed`.
    public func mapping(_ log: ProblemLog, what: String, allowed: [String]) -> YAMLMapping? {
        guard case let .mapping(mapping) = node else {
            log.report("\(what) must be a mapping", at: self)
            return nil
        }
        let reader = YAMLMapping(mapping: mapping, file: file, position: self)
        reader.checkKeys(allowed: allowed, what: what, log: log)
        return reader
    }

    public var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }
}

/// A mapping's entries by key, in file order.
public struct YAMLMapping {
    public let entries: [(key: String, keyValue: YAMLValue, value: YAMLValue)]
    /// The mapping itself, for problems about a missing key.
    public let position: YAMLValue

    init(mapping: Node.Mapping, file: String, position: YAMLValue) {
        self.entries = mapping.map { pair in
            (pair.key.string ?? "", YAMLValue(node: pair.key, file: file), YAMLValue(node: pair.value, file: file))
        }
        self.position = position
    }

    func checkKeys(allowed: [String], what: String, log: ProblemLog) {
        let allowedSet = Set(allowed)
        for entry in entries where !allowedSet.contains(entry.key) {
            let expected = allowed.joined(separator: ", ")
            log.report("unknown key '\(entry.key)' in \(what) (expected one of: \(expected))", at: entry.keyValue)
        }
    }

    public var keys: [String] { entries.map(\.key) }

    public subscript(key: String) -> YAMLValue? {
        entries.first { $0.key == key }?.value
    }

    /// The value for a key that must be present; reports a problem at the mapping when it is not.
    public func required(_ key: String, in what: String, _ log: ProblemLog) -> YAMLValue? {
        if let value = self[key] { return value }
        log.report("\(what) is missing required key '\(key)'", at: position)
        return nil
    }

    public func string(_ key: String, in what: String, required: Bool = false, _ log: ProblemLog) -> String? {
        let value = required ? self.required(key, in: what, log) : self[key]
        return value?.string(log, what: "'\(key)'")
    }

    public func int(_ key: String, in what: String, required: Bool = false, _ log: ProblemLog) -> Int? {
        let value = required ? self.required(key, in: what, log) : self[key]
        return value?.int(log, what: "'\(key)'")
    }

    public func bool(_ key: String, _ log: ProblemLog) -> Bool? {
        self[key]?.bool(log, what: "'\(key)'")
    }
}
