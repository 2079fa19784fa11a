/// File names as they reach us from senders and agents, made safe to store, show and write back into
/// a header: no control characters (a line break or NUL could forge a header or cut a log line), no
/// bidirectional overrides (which can make `invoice‮fdp.exe` read as `invoice.pdf`), no directory
/// part, and a bounded length that keeps the extension.
enum AttachmentNames {
    /// Names longer than this many characters are shortened.
    static let maximumLength = 200

    /// How a path separator inside a name is treated.
    enum Separators {
        /// Keep what follows the last one: senders sometimes send a whole path (`C:\Users\…\scan.pdf`).
        case lastComponent
        /// Replace each with `_`: the text is not a path (a subject such as "Order 1/2").
        case replace
    }

    /// A received `filename` or `name` parameter, RFC 2047 encoded words decoded; nil when nothing
    /// usable is left.
    static func fileName(_ raw: String?) -> String? {
        guard let raw else { return nil }
        return sanitized(EncodedWords.decode(raw), separators: .lastComponent)
    }

    /// The name of an attached message that has no file name: its Subject and `.eml`, or `message.eml`.
    static func messageFileName(subject: String?) -> String {
        let stem = subject.flatMap { sanitized($0, separators: .replace, reserving: 4) } ?? "message"
        return stem + ".eml"
    }

    /// The name with controls, format characters and directory parts removed and the length bounded;
    /// nil when nothing but spaces and dots is left.
    ///
    /// - Parameter reserving: characters kept free for a suffix the caller appends.
    static func sanitized(_ name: String, separators: Separators, reserving: Int = 0) -> String? {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            if isUnsafe(scalar) { continue }
            if scalar == "/" || scalar == "\\" {
                switch separators {
                case .lastComponent: scalars.removeAll()
                case .replace: scalars.append("_")
                }
                continue
            }
            scalars.append(scalar)
        }
        let trimmed = ASCII.trimmed(String(scalars))
        guard trimmed.contains(where: { $0 != "." && $0 != " " }) else { return nil }
        return shortened(trimmed, limit: maximumLength - reserving)
    }

    /// C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text.
    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF: true
        default: false
        }
    }

    /// Cuts the stem, not the extension, so a shortened name still opens with the right program.
    private static func shortened(_ name: String, limit: Int) -> String {
        guard name.count > limit else { return name }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let suffix = name[dot...]
            if suffix.count <= 16 {
                return ASCII.trimmed(name[..<dot].prefix(limit - suffix.count)) + suffix
            }
        }
        return String(name.prefix(limit))
    }
}
