extension String {
    /// The text without leading and trailing white space (Unicode `White_Space`, newlines included).
    ///
    /// Foundation's `trimmingCharacters(in:)` goes through `NSString` and UTF-16 on Linux, which made it
    /// a tenth of the CPU spent acknowledging an inbound message; this looks only at the scalars at the
    /// two ends.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
