/// Collects parse warnings. Warnings only ever contain fixed wording, numbers, part paths and
/// sanitized tokens (charset and header names), so they are safe to log.
struct WarningLog: Sendable {
    /// Hostile input can trigger one warning per line; past this many the rest are summarized.
    static let capacity = 100

    private(set) var items: [String] = []
    private var seen: Set<String> = []
    private var suppressed = false

    mutating func add(_ warning: String) {
        guard !suppressed, !seen.contains(warning) else { return }
        if items.count >= Self.capacity {
            items.append("further warnings suppressed")
            suppressed = true
            return
        }
        seen.insert(warning)
        items.append(warning)
    }

    /// A name from the input reduced to a short token that cannot carry content or break a log line.
    static func token(_ raw: String) -> String {
        var out = ""
        for scalar in raw.unicodeScalars {
            if out.unicodeScalars.count >= 40 {
                out += "…"
                break
            }
            let value = scalar.value
            let allowed = (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
                || scalar == "-" || scalar == "_" || scalar == "." || scalar == ":" || scalar == "+"
            out.unicodeScalars.append(allowed ? scalar : "?")
        }
        return out.isEmpty ? "?" : out
    }
}
