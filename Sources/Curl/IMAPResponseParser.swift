import Foundation

/// Reads the IMAP responses the session's custom commands get back. curl passes a custom command's
/// untagged responses to the write callback, one per line, and the server's protocol lines (tagged ones too)
/// to the debug callback. None of the responses read here carries a literal.
enum IMAPResponseParser {
    /// A parenthesized list's item: an atom (or number, or quoted string's content) or a nested list.
    indirect enum Item: Equatable {
        case atom(String)
        case list([Item])

        var atom: String? {
            if case .atom(let value) = self { return value }
            return nil
        }
    }

    /// The body's lines without line breaks.
    static func lines(_ body: Data) -> [String] {
        String(decoding: body, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
    }

    /// `* STATUS name (MESSAGES 3 UIDNEXT 9 UIDVALIDITY 17)`.
    static func status(_ body: Data) -> IMAPMailboxStatus? {
        for line in lines(body) where line.uppercased().hasPrefix("* STATUS ") {
            guard let open = line.lastIndex(of: "(") else { continue }
            guard case .list(let items)? = parse(String(line[open...])).first else { continue }
            var values: [String: String] = [:]
            var index = 0
            while index + 1 < items.count {
                if let key = items[index].atom, let value = items[index + 1].atom { values[key.uppercased()] = value }
                index += 2
            }
            guard let validity = values["UIDVALIDITY"].flatMap(UInt32.init), let next = values["UIDNEXT"].flatMap(UInt32.init),
                let messages = values["MESSAGES"].flatMap(Int.init)
            else { continue }
            return IMAPMailboxStatus(uidValidity: validity, uidNext: next, messages: messages)
        }
        return nil
    }

    /// The number in a `[UIDVALIDITY n]` response code, the last one among `lines`.
    static func uidValidity(_ lines: [String]) -> UInt32? {
        for line in lines.reversed() {
            guard let range = line.range(of: "[UIDVALIDITY ", options: .caseInsensitive) else { continue }
            let digits = line[range.upperBound...].prefix(while: \.isNumber)
            if let value = UInt32(digits) { return value }
        }
        return nil
    }

    /// UIDs from `* SEARCH 4 7 9` lines or an `* ESEARCH (TAG "A5") UID COUNT 3 ALL 4,7,9` line, and the
    /// COUNT when the server gave one (to tell a complete answer from a cut one).
    static func search(_ body: Data) throws(CurlError) -> (uids: [UInt32], count: Int?) {
        var uids: [UInt32] = []
        var count: Int?
        for line in lines(body) {
            let upper = line.uppercased()
            if upper.hasPrefix("* SEARCH") {
                for word in line.dropFirst("* SEARCH".count).split(separator: " ") {
                    if word.hasPrefix("(") { break }  // (MODSEQ n) when CONDSTORE is on
                    guard let uid = UInt32(word) else {
                        throw CurlError(code: CurlError.unexpectedResponse, description: "IMAP SEARCH answered \(MailServerEndpoint.safe(line))")
                    }
                    uids.append(uid)
                }
            } else if upper.hasPrefix("* ESEARCH") {
                let items = parse(String(line.dropFirst("* ESEARCH".count)))
                var index = 0
                while index < items.count {
                    switch items[index].atom?.uppercased() {
                    case "COUNT"?:
                        count = items[safe: index + 1]?.atom.flatMap(Int.init)
                        index += 2
                    case "ALL"?:
                        guard let set = items[safe: index + 1]?.atom, let expanded = expand(set) else {
                            throw CurlError(code: CurlError.unexpectedResponse, description: "IMAP ESEARCH answered \(MailServerEndpoint.safe(line))")
                        }
                        uids += expanded
                        index += 2
                    case "UID"?:
                        index += 1
                    default:
                        index += items[index].atom == nil ? 1 : 2
                    }
                }
            }
        }
        return (uids, count)
    }

    /// Flags by UID from `* 3 FETCH (UID 12 FLAGS (\Seen $Label))` lines.
    static func flags(_ body: Data) -> [UInt32: [String]] {
        var result: [UInt32: [String]] = [:]
        for line in lines(body) {
            guard let fetch = line.range(of: " FETCH ", options: .caseInsensitive), line.hasPrefix("* ") else { continue }
            guard case .list(let items)? = parse(String(line[fetch.upperBound...])).first else { continue }
            var uid: UInt32?
            var flags: [String]?
            var index = 0
            while index + 1 < items.count {
                switch items[index].atom?.uppercased() {
                case "UID"?: uid = items[index + 1].atom.flatMap(UInt32.init)
                case "FLAGS"?:
                    if case .list(let list) = items[index + 1] { flags = list.compactMap(\.atom) }
                default: break
                }
                index += 2
            }
            if let uid, let flags { result[uid] = flags }
        }
        return result
    }

    /// The UID an APPEND got, from the tagged `OK [APPENDUID validity uid]` (UIDPLUS, RFC 4315).
    static func appendUID(_ lines: [String]) -> (uidValidity: UInt32, uid: UInt32)? {
        for line in lines.reversed() {
            guard let range = line.range(of: "[APPENDUID ", options: .caseInsensitive) else { continue }
            let words = line[range.upperBound...].prefix(while: { $0 != "]" }).split(separator: " ")
            if words.count == 2, let validity = UInt32(words[0]), let uid = UInt32(words[1]) { return (validity, uid) }
        }
        return nil
    }

    /// The last tagged NO or BAD among the server's lines, without its tag (`NO [TRYCREATE] Mailbox doesn't exist`).
    static func taggedFailure(_ lines: [String]) -> String? {
        for line in lines.reversed() {
            let words = line.split(separator: " ", maxSplits: 1)
            guard words.count == 2, let first = words[0].first, first.isLetter, words[0].dropFirst().allSatisfy(\.isNumber),
                words[0].count > 1
            else { continue }
            let rest = words[1]
            if rest.uppercased().hasPrefix("NO") || rest.uppercased().hasPrefix("BAD") { return String(rest) }
        }
        return nil
    }

    /// `1:3,7` for [1, 2, 3, 7]: a UID set, sorted, duplicates dropped.
    static func uidSet(_ uids: [UInt32]) -> String {
        let sorted = Array(Set(uids)).sorted()
        var parts: [String] = []
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == index ? "\(sorted[index])" : "\(sorted[index]):\(sorted[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// The UIDs of a set like `1:3,7` (no `*`).
    static func expand(_ set: String) -> [UInt32]? {
        var result: [UInt32] = []
        for part in set.split(separator: ",") {
            let bounds = part.split(separator: ":")
            guard let low = bounds.first.flatMap({ UInt32($0) }), bounds.count <= 2 else { return nil }
            let high = bounds.count == 2 ? UInt32(bounds[1]) : low
            guard let high else { return nil }
            result += Array(min(low, high)...max(low, high))
        }
        return result
    }

    /// Parses atoms, quoted strings and parenthesized lists (no literals) into items.
    static func parse(_ text: String) -> [Item] {
        var stack: [[Item]] = [[]]
        var iterator = Array(text.unicodeScalars)[...]
        while let scalar = iterator.first {
            switch scalar {
            case " ":
                iterator.removeFirst()
            case "(":
                iterator.removeFirst()
                stack.append([])
            case ")":
                iterator.removeFirst()
                guard stack.count > 1 else { continue }
                let list = stack.removeLast()
                stack[stack.count - 1].append(.list(list))
            case "\"":
                iterator.removeFirst()
                var value = String.UnicodeScalarView()
                while let next = iterator.first, next != "\"" {
                    iterator.removeFirst()
                    if next == "\\", let escaped = iterator.first {
                        iterator.removeFirst()
                        value.append(escaped)
                    } else {
                        value.append(next)
                    }
                }
                if !iterator.isEmpty { iterator.removeFirst() }
                stack[stack.count - 1].append(.atom(String(value)))
            default:
                var value = String.UnicodeScalarView()
                while let next = iterator.first, next != " ", next != "(", next != ")" {
                    iterator.removeFirst()
                    value.append(next)
                    // A section like BODY[HEADER.FIELDS (A B)] keeps its brackets' spaces.
                    if next == "[" {
                        while let inner = iterator.first {
                            iterator.removeFirst()
                            value.append(inner)
                            if inner == "]" { break }
                        }
                    }
                }
                stack[stack.count - 1].append(.atom(String(value)))
            }
        }
        while stack.count > 1 {
            let list = stack.removeLast()
            stack[stack.count - 1].append(.list(list))
        }
        return stack[0]
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
