extension InboundMessage {
    /// The message with every disallowed C0 control in its text fields replaced by U+FFFD, and a
    /// warning when there was one.
    ///
    /// Intake applies it before classifying, so the text that is classified, stored, shown to agents and
    /// used for de-duplication is one and the same. Endpoints that can refuse such input (JSON) refuse it
    /// instead; mail fetched from a mailbox or an SMS handed over by a gateway can only be made visible.
    public func replacingDisallowedControls() -> InboundMessage {
        var copy = self
        var fields: [String] = []
        func clean(_ value: String, _ field: String) -> String {
            let cleaned = value.replacingDisallowedControls()
            if cleaned != value, !fields.contains(field) { fields.append(field) }
            return cleaned
        }
        copy.sender = clean(sender, "sender")
        copy.text = clean(text, "text")
        copy.subject = subject.map { clean($0, "subject") }
        copy.externalID = externalID.map { clean($0, "external id") }
        copy.recipients = recipients.map { clean($0, "recipient") }
        copy.thread.messageID = thread.messageID.map { clean($0, "message id") }
        copy.thread.inReplyTo = thread.inReplyTo.map { clean($0, "in-reply-to") }
        copy.thread.references = thread.references.map { clean($0, "references") }
        for index in copy.attachments.indices {
            copy.attachments[index].name = attachments[index].name.map { clean($0, "attachment name") }
        }
        if !fields.isEmpty {
            copy.warnings.append("control characters in the \(fields.joined(separator: ", ")) are shown as U+FFFD")
        }
        return copy
    }
}
