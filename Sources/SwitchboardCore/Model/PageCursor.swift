import Foundation

/// Where a page of a list ordered by (`position`, `id`) ended: the next page starts after that item.
///
/// Clients see only its ``text``, which is opaque to them; a cursor stays valid when items are added
/// after it or removed before it, because it names a position rather than an offset.
public struct PageCursor: Sendable, Hashable {
    /// The list's sort key of the item: a time in seconds since 1970, or a sequence number.
    public var position: Double
    /// Breaks ties between items at the same position; empty for lists whose positions are unique.
    public var id: String

    public init(position: Double, id: String = "") {
        self.position = position
        self.id = id
    }

    /// Reads a cursor's ``text``; nil when it is not one.
    public init?(text: String) {
        guard text.utf8.count <= 512 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8),
              let separator = decoded.firstIndex(of: "|"),
              let bits = UInt64(decoded[..<separator])
        else { return nil }
        let position = Double(bitPattern: bits)
        guard position.isFinite else { return nil }
        self.init(position: position, id: String(decoded[decoded.index(after: separator)...]))
    }

    /// The cursor as a client passes it back: URL-safe base64 without padding. The position travels
    /// as its bit pattern, so the next page starts exactly after this item.
    public var text: String {
        Data("\(position.bitPattern)|\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
