/// Message-ID lists (Message-ID, In-Reply-To, References).
enum MessageIDs {
    /// The ids in `value` without angle brackets, in order. Ids in brackets are taken as written
    /// minus any whitespace (folding sometimes splits long ids); when there are no brackets at all,
    /// bare words containing `@` are taken, as some mailers omit them. Ids with control characters
    /// are dropped, so every id returned can be cited in a reply.
    static func parse(_ value: String) -> [String] {
        parseAll(value).filter { id in !id.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }
    }

    private static func parseAll(_ value: String) -> [String] {
        var ids: [String] = []
        var sawBracket = false
        var index = value.startIndex
        while let open = value[index...].firstIndex(of: "<") {
            sawBracket = true
            let contentStart = value.index(after: open)
            guard let close = value[contentStart...].firstIndex(where: { $0 == ">" || $0 == "<" }) else {
                break
            }
            if value[close] == ">" {
                let id = String(value[contentStart..<close].unicodeScalars.filter { !ASCII.isSpace($0) })
                if !id.isEmpty { ids.append(id) }
                index = value.index(after: close)
            } else {
                index = close
            }
        }
        if sawBracket { return ids }
        return value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" || $0 == "\n" })
            .map { $0.trimmingCharacters(in: "\"'()[];") }
            .filter { $0.contains("@") && !$0.hasPrefix("@") && !$0.hasSuffix("@") }
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
