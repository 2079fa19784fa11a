/// Tells an attachment's type from its first bytes, as a browser would before deciding what to do with
/// it, so a file is never served as what its sender claims: an "image/png" that is HTML is served as a
/// download. Reads at most ``window`` bytes; linear in them.
public enum ContentSniffer {
    /// How far into the file markup is looked for (the WHATWG sniffing algorithm reads 1445 bytes).
    public static let window = 1_445

    public static func sniff(_ bytes: some Collection<UInt8>) -> SniffedType {
        let head = Array(bytes.prefix(window))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return .gif }
        if head.count >= 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return .webp }
        if head.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .zip }
        return markup(head) ?? (isText(head) ? .text : .unknown)
    }

    /// HTML, SVG or XML by the first tag after whitespace, a byte order mark and comments or declarations;
    /// nil for anything else.
    private static func markup(_ head: [UInt8]) -> SniffedType? {
        var index = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        var sawXMLDeclaration = false
        while index < head.count {
            while index < head.count, isSpace(head[index]) { index += 1 }
            guard index < head.count, head[index] == UInt8(ascii: "<") else { return sawXMLDeclaration ? .xml : nil }
            let tag = name(in: head, after: index + 1)
            switch tag {
            case "?xml":
                sawXMLDeclaration = true
            case "!--", "!doctype":
                // A doctype names its root: `<!DOCTYPE html>` or `<!DOCTYPE svg …>`.
                if tag == "!doctype" {
                    let root = name(in: head, after: skipSpaces(head, from: index + 9))
                    if root == "html" { return .html }
                    if root == "svg" { return .svg }
                }
            case "svg": return .svg
            case "html", "head", "body", "script", "iframe", "style", "title", "a", "div", "table", "img", "p", "br", "font", "b", "h1":
                return .html
            default:
                return sawXMLDeclaration ? .xml : nil
            }
            // Past this declaration or comment to the next tag.
            guard let close = head[index...].firstIndex(of: UInt8(ascii: ">")) else { return sawXMLDeclaration ? .xml : nil }
            index = close + 1
        }
        return sawXMLDeclaration ? .xml : nil
    }

    /// The lower-cased tag name starting at `start` (letters, digits, `!`, `?`, `-`), at most 16 long.
    private static func name(in head: [UInt8], after start: Int) -> String {
        var scalars: [UInt8] = []
        var index = start
        while index < head.count, scalars.count < 16 {
            let byte = head[index]
            let isNameByte = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "-")
            guard isNameByte else { break }
            scalars.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
            index += 1
            if scalars == Array("!--".utf8) { break }
        }
        return String(decoding: scalars, as: UTF8.self)
    }

    private static func skipSpaces(_ head: [UInt8], from start: Int) -> Int {
        var index = start
        while index < head.count, isSpace(head[index]) { index += 1 }
        return index
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    /// Valid UTF-8 without control bytes other than whitespace (a cut-off last character allowed).
    private static func isText(_ head: [UInt8]) -> Bool {
        guard !head.isEmpty else { return false }
        if head.contains(where: { $0 < 0x20 && !isSpace($0) }) || head.contains(0x7F) { return false }
        // The window may end inside a character: drop up to three trailing bytes of an unfinished sequence.
        for cut in 0...min(3, head.count - 1) where String(validating: head.dropLast(cut), as: UTF8.self) != nil {
            return true
        }
        return false
    }
}
