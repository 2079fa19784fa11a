extension SwitchboardError {
    /// Refuses a field holding a C0 control other than tab, line feed and carriage return, naming the
    /// field and where. Stored text must be the text that was classified and acknowledged, and NUL ends a
    /// string in SQLite's and C's hands; refusing keeps that true without rewriting what the sender wrote.
    /// - Throws: `control_character`.
    public static func refuseControls(_ fields: KeyValuePairs<String, String?>) throws(SwitchboardError) {
        for (field, value) in fields {
            guard let value, let (scalar, offset) = value.firstDisallowedControl else { continue }
            let code = "U+" + scalar.value.zeroPadded(4, radix: 16).uppercased()
            throw SwitchboardError(
                .controlCharacter,
                "field '\(field)' holds the control character \(code) at character \(offset); only tab, line feed and carriage return are allowed")
        }
    }
}
