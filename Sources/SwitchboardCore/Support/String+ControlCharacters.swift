extension Unicode.Scalar {
    /// A C0 control other than tab, line feed and carriage return: characters no customer or agent text
    /// needs, and that some layers treat as an end (SQLite and C strings stop at NUL).
    public var isDisallowedControl: Bool {
        value < 0x20 && self != "\t" && self != "\n" && self != "\r"
    }

    /// A character that can break or disguise a log line: every control (C0, DEL, C1), the Unicode line
    /// and paragraph separators, and the bidirectional overrides and isolates.
    var breaksLogLine: Bool {
        switch value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}

extension String {
    /// The first C0 control (other than tab, line feed and carriage return) and its position in
    /// characters, or nil: text carrying one is refused where it can be refused, with a message that says
    /// where.
    public var firstDisallowedControl: (scalar: Unicode.Scalar, offset: Int)? {
        var offset = 0
        for scalar in unicodeScalars {
            if scalar.isDisallowedControl { return (scalar, offset) }
            offset += 1
        }
        return nil
    }

    /// The text with each disallowed C0 control (see ``Unicode/Scalar/isDisallowedControl``) replaced by
    /// U+FFFD, for channels whose input cannot be refused (mail fetched from a mailbox, an SMS): what is
    /// classified, stored and shown is then the same text, with the replacement visible.
    public func replacingDisallowedControls() -> String {
        guard unicodeScalars.contains(where: \.isDisallowedControl) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            out.append(scalar.isDisallowedControl ? "\u{FFFD}" : scalar)
        }
        return String(out)
    }

    /// The text with every character that could break or disguise a log line written as an escape
    /// (`\n`, `\r`, `\t`, `\u{1B}`), so a value taken from a request can never start a line of its own.
    public func escapingControlCharacters() -> String {
        guard unicodeScalars.contains(where: \.breaksLogLine) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            guard scalar.breaksLogLine else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    /// A value from a request as an error message may quote it: at most `limit` characters (then `…`),
    /// with controls escaped, so an error never carries a whole body or a forged line.
    public func excerptForMessage(limit: Int = 40) -> String {
        let scalars = unicodeScalars
        guard scalars.count > limit else { return escapingControlCharacters() }
        return String(String.UnicodeScalarView(scalars.prefix(limit))).escapingControlCharacters() + "…"
    }
}
