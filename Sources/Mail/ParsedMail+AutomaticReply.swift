extension ParsedMail {
    /// Why an automatic reply to this message must not be sent, or nil. Pure header analysis
    /// (RFC 3834 and the conventions mailers actually follow):
    /// Auto-Submitted present and not "no"; Precedence bulk/junk/list; X-Auto-Response-Suppress present
    /// (any value); List-Id or List-Unsubscribe present; Return-Path `<>`; From or Sender local part
    /// mailer-daemon, postmaster, no-reply, noreply, do-not-reply or donotreply (any case, `-`/`_`/`.`
    /// variants, `+tag` ignored); Content-Type multipart/report (bounces, DSNs); X-Loop present (the
    /// caller also checks its own loop header value).
    ///
    /// The reason names the header and a fixed token, never the header's value, so it is safe to log.
    public var automaticReason: String? {
        if let value = header("Auto-Submitted") {
            let token = ASCII.lowercased(ASCII.trimmed(value.prefix { $0 != ";" && $0 != "(" }))
            if token != "no" { return "Auto-Submitted header is present and not \"no\"" }
        }
        if let value = header("Precedence") {
            let token = ASCII.lowercased(ASCII.trimmed(value.prefix { $0 != ";" && $0 != "(" }))
            if ["bulk", "junk", "list"].contains(token) { return "Precedence is \(token)" }
        }
        if header("X-Auto-Response-Suppress") != nil { return "X-Auto-Response-Suppress header is present" }
        if header("List-Id") != nil { return "List-Id header is present (mailing list)" }
        if header("List-Unsubscribe") != nil { return "List-Unsubscribe header is present (mailing list)" }
        if returnPath == "" || header("Return-Path").map(MIMEParser.returnPath) == "" {
            return "Return-Path is null (<>)"
        }
        let fromAddress = from ?? header("From").flatMap { MailAddressParser.parseList($0).first }
        let senderAddress = sender ?? header("Sender").flatMap { MailAddressParser.parseList($0).first }
        for (field, address) in [("From", fromAddress), ("Sender", senderAddress)] {
            if let address, Self.isRobotLocalPart(address.localPart) {
                return "\(field) is a mailer-daemon, postmaster or no-reply address"
            }
        }
        if let contentType = header("Content-Type") {
            let type = ParameterizedValue(contentType).value
            if type == "multipart/report" { return "Content-Type is multipart/report (delivery or read report)" }
        }
        if header("X-Loop") != nil { return "X-Loop header is present" }
        return nil
    }

    private static func isRobotLocalPart(_ localPart: Substring) -> Bool {
        let untagged = localPart.prefix { $0 != "+" }
        let squeezed = ASCII.lowercased(untagged.filter { $0 != "-" && $0 != "_" && $0 != "." && $0 != "\"" })
        return ["mailerdaemon", "postmaster", "noreply", "donotreply"].contains(squeezed)
    }
}
