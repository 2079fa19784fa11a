/// Builds one header field from unbreakable chunks separated by single spaces, folding before a
/// chunk whenever the line would pass 78 characters (RFC 5322's recommended limit).
struct HeaderFolder {
    static let lineLimit = 78

    private var lines: [String] = []
    private var current: String
    private var currentLength: Int
    private var lineHasChunk = false

    init(name: String) {
        current = name + ":"
        currentLength = current.utf8.count
    }

    /// Appends `chunk` after a space. Folding happens only before a non-empty chunk and only after
    /// the line already holds one, so no line is blank and the field name never stands alone.
    mutating func append(_ chunk: String) {
        let length = chunk.utf8.count
        if !chunk.isEmpty, lineHasChunk, currentLength + 1 + length > Self.lineLimit {
            lines.append(current)
            current = " " + chunk
            currentLength = 1 + length
        } else {
            current += " " + chunk
            currentLength += 1 + length
        }
        if !chunk.isEmpty { lineHasChunk = true }
    }

    /// The field with CRLF after every line.
    var rendered: String {
        (lines + [current]).map { $0 + "\r\n" }.joined()
    }
}
