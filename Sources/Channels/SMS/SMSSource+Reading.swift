import Foundation
import StrictYAML
import SwitchboardCore

extension SettingsReader {
    /// Reads an SMS source: its number, limits (of replies and of MMS files), and exactly one provider.
    mutating func smsSource(_ section: SourceSection) -> SMSSource? {
        let (id, map, item) = (section.id, section.map, section.node)
        let what = "sms source '\(id)'"
        guard let numberText = map.string("number", in: what, required: true, log) else { return nil }
        let countryCode = map.string("default_country_code", in: what, required: true, log) ?? "1"
        if countryCode.isEmpty || countryCode.count > 3 || !countryCode.allSatisfy({ $0.isASCII && $0.isNumber }) || countryCode.hasPrefix("0") {
            log.report("default_country_code must be 1 to 3 digits without + (86, 44, 1)", at: map["default_country_code"] ?? item)
        }
        // Kept exactly as written: it is what the provider knows us by (an E.164 number, a long service
        // number such as 106… or a short code), and rewriting it would make the provider refuse the sender.
        let digits = numberText.hasPrefix("+") ? numberText.dropFirst() : Substring(numberText)
        let isNumber = (3...20).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
        guard isNumber || PhoneNumber.isSenderName(numberText, allowingSpaces: false) else {
            log.report("number of source '\(id)' must be a phone number (+ and 3 to 20 digits, no spaces), a short code or a sender name of up to 11 letters and digits", at: map["number"]!)
            return nil
        }
        let number = numberText
        let maxSegments = map.int("max_segments", in: what, log)
        if let maxSegments, !(1...20).contains(maxSegments) { log.report("max_segments must be 1 to 20", at: map["max_segments"]!) }
        var sendRate: Double?
        if let text = map.string("send_rate", in: what, log) {
            if let rate = Double(text), rate > 0, rate <= 10_000 { sendRate = rate } else {
                log.report("send_rate must be messages per second, above 0 and at most 10000", at: map["send_rate"]!)
            }
        }
        let timeout = duration(map, "timeout")

        let provider: SMSSource.Provider?
        switch (map["kannel"], map["twilio"]) {
        case let (kannel?, nil): provider = kannelSettings(kannel, id: id).map { .kannel($0) }
        case let (nil, twilio?): provider = twilioSettings(twilio, id: id).map { .twilio($0) }
        case (.some, .some):
            log.report("source '\(id)' names two providers; keep either kannel or twilio", at: item)
            provider = nil
        case (nil, nil):
            log.report("sms source '\(id)' needs a provider: a kannel or a twilio section", at: item)
            provider = nil
        }
        guard let provider else { return nil }
        // Only what the file sets replaces the source's own defaults.
        var source = SMSSource(id: id, number: number, defaultCountryCode: countryCode, provider: provider)
        source.maxSegments = maxSegments ?? source.maxSegments
        source.sendRate = sendRate ?? source.sendRate
        source.timeout = timeout ?? source.timeout
        source.attachmentLimits = attachmentPolicy(map["attachments"], sourceID: id).limits
        return source
    }

    private mutating func kannelSettings(_ node: YAMLValue, id: String) -> SMSSource.Kannel? {
        let what = "kannel of source '\(id)'"
        guard let map = node.mapping(log, what: what, allowed: ["sendsms_url", "username", "password", "smsc", "inbound_secret", "dlr_mask"]) else {
            return nil
        }
        guard let urlNode = map.required("sendsms_url", in: what, log),
              let url = value(at: urlNode, name: "sendsms_url of \(what)", secret: false) else { return nil }
        guard let components = Self.httpURL(url), components.user == nil, components.password == nil else {
            log.report("sendsms_url must be an http:// or https:// URL without credentials, such as http://127.0.0.1:13013/cgi-bin/sendsms", at: urlNode)
            return nil
        }
        if components.scheme == "http", !Self.isLoopback(components.host ?? "") {
            log.report(
                "sendsms_url sends the sendsms password in clear text to \(components.host ?? ""); use https:// or a Kannel on this machine",
                at: urlNode)
        }
        let username = map["username"].flatMap { value(at: $0, name: "username of \(what)", secret: false) }
        let password = map.required("password", in: what, log).flatMap { secret($0, name: "password of \(what)") }
        let inboundSecret = map.required("inbound_secret", in: what, log).flatMap { secret($0, name: "inbound_secret of \(what)") }
        if let inboundSecret, inboundSecret.utf8.count < 16 {
            log.report("inbound_secret of source '\(id)' must be at least 16 characters", at: map["inbound_secret"]!)
        }
        if let secret = inboundSecret, secret.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "-._~".contains($0))) }) {
            log.report("inbound_secret of source '\(id)' must use only letters, digits and -._~ (it is written into Kannel's get-url)", at: map["inbound_secret"]!)
        }
        let mask = map.int("dlr_mask", in: what, log) ?? 31
        if !(0...31).contains(mask) { log.report("dlr_mask must be 0 to 31 (1 delivered, 2 failed, 4 queued, 8 SMSC accepted, 16 SMSC rejected)", at: map["dlr_mask"]!) }
        guard let username, let password, let inboundSecret else {
            if username == nil, map["username"] == nil { log.report("\(what) is missing required key 'username'", at: node) }
            return nil
        }
        return SMSSource.Kannel(
            sendsmsURL: url, username: username, password: password, smsc: map.string("smsc", in: what, log), inboundSecret: inboundSecret,
            dlrMask: mask)
    }

    private mutating func twilioSettings(_ node: YAMLValue, id: String) -> SMSSource.Twilio? {
        let what = "twilio of source '\(id)'"
        guard let map = node.mapping(log, what: what, allowed: ["base_url", "account_sid", "auth_token", "messaging_service_sid"]) else {
            return nil
        }
        let base = map["base_url"].flatMap { value(at: $0, name: "base_url of \(what)", secret: false) } ?? "https://api.twilio.com"
        if let components = Self.httpURL(base) {
            if components.scheme == "http", !Self.isLoopback(components.host ?? "") {
                log.report("base_url would send the auth token in clear text; use https://", at: map["base_url"] ?? node)
            }
        } else {
            log.report("base_url must be an http:// or https:// URL such as https://api.twilio.com", at: map["base_url"] ?? node)
        }
        let accountSID = map.required("account_sid", in: what, log).flatMap { value(at: $0, name: "account_sid of \(what)", secret: false) }
        let token = map.required("auth_token", in: what, log).flatMap { secret($0, name: "auth_token of \(what)") }
        guard let accountSID, let token else { return nil }
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return SMSSource.Twilio(
            baseURL: trimmed, accountSID: accountSID, authToken: token,
            messagingServiceSID: map.string("messaging_service_sid", in: what, log))
    }
}
