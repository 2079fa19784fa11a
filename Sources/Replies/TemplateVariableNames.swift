import SwitchboardCore

/// The rules for the names an agent gives a reply script's variables (`progress`, `order.eta`).
///
/// Names are checked before anything else looks at them, in one pass over their bytes, because a name
/// is turned into nested dictionaries for Mustache: an unchecked name of 100,000 dots once cost that
/// nesting gigabytes. A name that is also the parent of another (`progress` and `progress.x`) is refused
/// too, since one of the two values would silently replace the other in the customer's reply.
public enum TemplateVariableNames {
    /// Longest name, in bytes.
    public static let maximumLength = 64
    /// Most dot-separated parts in one name (`a.b.c.d`).
    public static let maximumDepth = 4
    /// Most variables in one request.
    public static let maximumCount = 64

    /// Refuses the first name that breaks the rules, naming it.
    ///
    /// A name is 1 to ``maximumDepth`` parts joined by `.`; each part starts with an ASCII letter or `_`
    /// and goes on with ASCII letters, digits, `_` or `-`; the whole name is at most ``maximumLength``
    /// bytes. Time and memory are linear in the names' total length.
    /// - Throws: ``SwitchboardError`` with code `invalid_variable`.
    public static func validate(_ names: some Collection<String>) throws(SwitchboardError) {
        guard names.count <= maximumCount else {
            throw SwitchboardError(.invalidVariable, "a reply may set at most \(maximumCount) variables; this one sets \(names.count)")
        }
        for name in names {
            if let problem = problem(with: name) {
                throw SwitchboardError(.invalidVariable, "variable \(quoted(name)) \(problem)")
            }
        }
        let all = Set(names)
        for name in names.sorted() {
            var prefix = ""
            for part in name.split(separator: ".", omittingEmptySubsequences: false).dropLast() {
                prefix += prefix.isEmpty ? String(part) : "." + part
                if all.contains(prefix) {
                    throw SwitchboardError(
                        .invalidVariable,
                        "variable \(quoted(prefix)) is also the parent of variable \(quoted(name)); give only one of them")
                }
            }
        }
    }

    /// Why `name` is not a valid variable name, or nil.
    static func problem(with name: String) -> String? {
        let bytes = name.utf8
        guard !bytes.isEmpty else { return "is empty" }
        guard bytes.count <= maximumLength else {
            return "is \(bytes.count) bytes long; names are at most \(maximumLength) bytes"
        }
        var parts = 1
        var partStart = true
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "."):
                if partStart { return "has an empty part between dots" }
                parts += 1
                if parts > maximumDepth { return "has more than \(maximumDepth) dot-separated parts" }
                partStart = true
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                partStart = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                if partStart { return "has a part that does not start with a letter or '_'" }
            default:
                return "may hold only ASCII letters, digits, '_', '-' and '.' between parts"
            }
        }
        if partStart { return "ends with a dot" }
        return nil
    }

    /// The name as an error shows it: quoted, cut short, control characters escaped.
    static func quoted(_ name: String) -> String {
        "'" + name.excerptForMessage() + "'"
    }
}
