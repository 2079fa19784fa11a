import Foundation

/// Any JSON value, for the few tests that read JSON of no fixed shape or check that a key is absent.
enum JSONValue: Decodable, Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The member `key` of an object; nil when absent or when this is not an object.
    subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members[key] }
        return nil
    }

    var string: String? {
        if case let .string(string) = self { return string }
        return nil
    }

    var number: Double? {
        if case let .number(number) = self { return number }
        return nil
    }

    var array: [JSONValue]? {
        if case let .array(items) = self { return items }
        return nil
    }

    /// Compact and with sorted keys, so that equal values read the same.
    var description: String {
        switch self {
        case .null: "null"
        case let .bool(bool): String(bool)
        case let .number(number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case let .string(string): string.debugDescription
        case let .array(items): "[" + items.map(\.description).joined(separator: ",") + "]"
        case let .object(members): "{" + members.keys.sorted().map { "\($0.debugDescription):\(members[$0]!.description)" }.joined(separator: ",") + "}"
        }
    }
}
