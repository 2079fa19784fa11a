/// Parses RFC 5322 address lists tolerantly: display names plain, quoted or RFC 2047 encoded,
/// comments, groups (`undisclosed-recipients:;`), bare addresses and `<a@b>`. Garbage yields fewer
/// addresses, never a failure.
public enum MailAddressParser {
    /// The mailboxes in an address header value, in order. Group names are dropped; a lone
    /// comment becomes the display name when there is no other (`a@b (Alice)`).
    public static func parseList(_ value: String) -> [MailAddress] {
        let scalars = Array(value.unicodeScalars)
        var addresses: [MailAddress] = []
        var tokens: [Token] = []
        // Tracked rather than searched for, so a run of colons stays linear.
        var itemHasAddress = false
        var index = 0

        func finishItem() {
            if let address = mailbox(from: tokens) { addresses.append(address) }
            tokens.removeAll(keepingCapacity: true)
            itemHasAddress = false
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t", "\r", "\n":
                if tokens.last != .space, !tokens.isEmpty { tokens.append(.space) }
                index += 1
            case "\"":
                var text = String.UnicodeScalarView()
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    // Folding inside a quoted string is not part of its text.
                    if scalars[index] != "\r" && scalars[index] != "\n" { text.append(scalars[index]) }
                    index += 1
                }
                index += 1
                tokens.append(.quoted(String(text)))
            case "(":
                var depth = 0
                var text = String.UnicodeScalarView()
                while index < scalars.count {
                    let current = scalars[index]
                    if current == "\\", index + 1 < scalars.count {
                        index += 1
                        text.append(scalars[index])
                    } else if current == "(" {
                        if depth > 0 { text.append(current) }
                        depth += 1
                    } else if current == ")" {
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            break
                        }
                        text.append(current)
                    } else {
                        text.append(current)
                    }
                    index += 1
                }
                tokens.append(.comment(String(text)))
            case "<":
                var text = String.UnicodeScalarView()
                index += 1
                while index < scalars.count, scalars[index] != ">" {
                    text.append(scalars[index])
                    index += 1
                }
                index += 1
                tokens.append(.angle(String(text)))
                itemHasAddress = true
            case ",":
                finishItem()
                index += 1
            case ";":
                finishItem()
                index += 1
            case ":":
                // A group's display name ends at the colon, unless the item already holds an address.
                if itemHasAddress {
                    tokens.append(.atom(":"))
                } else {
                    tokens.removeAll(keepingCapacity: true)
                }
                index += 1
            case "@":
                tokens.append(.at)
                itemHasAddress = true
                index += 1
            default:
                var text = String.UnicodeScalarView()
                while index < scalars.count, !isDelimiter(scalars[index]) {
                    text.append(scalars[index])
                    index += 1
                }
                tokens.append(.atom(String(text)))
            }
        }
        finishItem()
        return addresses
    }

    private enum Token: Equatable {
        case atom(String)
        case quoted(String)
        case comment(String)
        case angle(String)
        case at
        case space
    }

    private static func isDelimiter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\r", "\n", "\"", "(", "<", ",", ";", ":", "@": true
        default: false
        }
    }

    private static func mailbox(from tokens: [Token]) -> MailAddress? {
        let comment = tokens.compactMap { token -> String? in
            if case .comment(let text) = token { return text }
            return nil
        }.map { ASCII.trimmed($0) }.first { !$0.isEmpty }

        if let angleIndex = tokens.firstIndex(where: { if case .angle = $0 { true } else { false } }),
           case .angle(let raw) = tokens[angleIndex] {
            let address = routeStripped(String(ASCII.trimmed(raw).unicodeScalars.filter { !ASCII.isSpace($0) }))
            guard !address.isEmpty else { return nil }
            var phrase: [String] = []
            for token in tokens[..<angleIndex] {
                switch token {
                case .atom(let text), .quoted(let text): phrase.append(text)
                case .at: phrase.append("@")
                default: break
                }
            }
            return MailAddress(name: displayName(phrase.joined(separator: " ")) ?? comment.flatMap(displayName), address: address)
        }

        // Bare form: words are runs of tokens without spaces; the last word holding an @ is the address.
        var words: [String] = []
        var word = ""
        var wordHasContent = false
        for token in tokens {
            switch token {
            case .atom(let text):
                word += text
                wordHasContent = true
            case .quoted(let text):
                word += "\"" + text + "\""
                wordHasContent = true
            case .at:
                word += "@"
                wordHasContent = true
            case .space, .comment, .angle:
                if wordHasContent { words.append(word) }
                word = ""
                wordHasContent = false
            }
        }
        if wordHasContent { words.append(word) }
        guard !words.isEmpty else { return nil }
        if let addressIndex = words.lastIndex(where: { $0.contains("@") }) {
            var rest = words
            rest.remove(at: addressIndex)
            let name = displayName(rest.joined(separator: " ")) ?? comment.flatMap(displayName)
            return MailAddress(name: name, address: words[addressIndex])
        }
        guard words.count == 1 else { return nil }
        return MailAddress(name: comment.flatMap(displayName), address: words[0])
    }

    /// `@relay1,@relay2:user@host` is an obsolete source route; only the final address matters.
    private static func routeStripped(_ address: String) -> String {
        guard address.hasPrefix("@"), let colon = address.lastIndex(of: ":") else { return address }
        return String(address[address.index(after: colon)...])
    }

    private static func displayName(_ phrase: String) -> String? {
        let decoded = ASCII.trimmed(ASCII.withoutControls(EncodedWords.decode(phrase)))
        return decoded.isEmpty ? nil : decoded
    }
}
