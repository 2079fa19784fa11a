import Curl
import Foundation
import Mail
import StrictYAML

extension SettingsReader {
    /// Reads an email source's address, threading secret, mailbox and relay.
    mutating func emailSource(_ section: SourceSection) -> EmailSource? {
        let (id, map) = (section.id, section.map)
        guard let address = map.string("address", in: "email source '\(id)'", required: true, log) else { return nil }
        // The address is the envelope sender of every reply: held to the same check SMTP delivery applies.
        if (try? MailComposer().validateEnvelopeAddress(address)) == nil {
            log.report("address of source '\(id)' must be a plain address such as support@example.com", at: map["address"]!)
        }
        var own: [String] = []
        for item in map["own_addresses"]?.items(log, what: "own_addresses") ?? [] {
            if let value = item.string(log, what: "own address") { own.append(value) }
        }
        guard let secretNode = map.required("thread_secret", in: "email source '\(id)'", log),
              let threadSecret = secret(secretNode, name: "thread_secret of \(id)") else { return nil }
        if threadSecret.utf8.count < 16 { log.report("thread_secret of source '\(id)' must be at least 16 characters", at: secretNode) }
        var maxBytes = 25 * 1024 * 1024
        if let value = map.int("max_message_bytes", in: "email source '\(id)'", log) {
            if (1024...(256 * 1024 * 1024)).contains(value) { maxBytes = value } else {
                log.report("max_message_bytes must be between 1024 and 268435456", at: map["max_message_bytes"]!)
            }
        }
        var source = EmailSource(
            id: id, address: address, displayName: map.string("display_name", in: "email source '\(id)'", log),
            ownAddresses: own, threadSecret: threadSecret, maxMessageBytes: maxBytes)
        source.signature = requestSignature(map["inbound_signature"], sourceID: id)
        if let node = map["attachments"] {
            source.attachmentLimits = attachmentPolicy(node, sourceID: id, defaults: EmailSource.attachmentLimits(maxMessageBytes: maxBytes)).limits
        }
        if let node = map["imap"] { source.mailbox = mailbox(node, id: id) }
        if let node = map["smtp"] { source.relay = relay(node, id: id) }
        return source
    }

    private mutating func mailbox(_ node: YAMLValue, id: String) -> EmailSource.Mailbox? {
        let what = "imap of source '\(id)'"
        guard let map = node.mapping(log, what: what, allowed: [
            "url", "mailbox", "username", "password", "starttls", "ca_file", "verify_peer", "poll_interval", "batch_size",
            "after_import", "move_to", "timeout", "auth",
        ]) else { return nil }
        let login = mailLogin(map, what: what)
        guard let endpoint = endpoint(map, what: what, schemes: ["imap", "imaps"], login: login) else { return nil }
        var mailbox = EmailSource.Mailbox(endpoint: endpoint)
        if case let .oauth(settings) = login { mailbox.oauth = settings }
        mailbox.mailbox = map.string("mailbox", in: what, log) ?? mailbox.mailbox
        if mailbox.mailbox.contains(where: { $0.isNewline || $0 == "\"" }) { log.report("mailbox name must not contain quotes or line breaks", at: map["mailbox"]!) }
        mailbox.pollInterval = duration(map, "poll_interval") ?? mailbox.pollInterval
        if mailbox.pollInterval < .milliseconds(50) { log.report("poll_interval must be at least 50ms", at: map["poll_interval"]!) }
        mailbox.batchSize = map.int("batch_size", in: what, log) ?? mailbox.batchSize
        if !(1...1000).contains(mailbox.batchSize) { log.report("batch_size must be 1 to 1000", at: map["batch_size"]!) }
        switch map.string("after_import", in: what, log) ?? "seen" {
        case "seen":
            mailbox.afterImport = .markSeen
        case "leave":
            mailbox.afterImport = .leave
        case "move":
            if let folder = map.string("move_to", in: what, required: true, log) { mailbox.afterImport = .move(to: folder) }
        default:
            log.report("after_import must be seen, move (with move_to) or leave; Switchboard never deletes mail", at: map["after_import"]!)
        }
        if map["move_to"] != nil, mailbox.afterImport == .markSeen || mailbox.afterImport == .leave {
            log.report("move_to needs after_import: move", at: map["move_to"]!)
        }
        return mailbox
    }

    private mutating func relay(_ node: YAMLValue, id: String) -> EmailSource.Relay? {
        let what = "smtp of source '\(id)'"
        guard let map = node.mapping(log, what: what, allowed: [
            "url", "username", "password", "starttls", "ca_file", "verify_peer", "helo_name", "timeout", "auth",
        ]) else { return nil }
        let login = mailLogin(map, what: what)
        guard let endpoint = endpoint(map, what: what, schemes: ["smtp", "smtps"], login: login) else { return nil }
        let helo = map.string("helo_name", in: what, log) ?? "localhost"
        if helo.isEmpty || helo.contains(where: { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) || !helo.allSatisfy(\.isASCII) {
            log.report("helo_name must be a host name (letters, digits, dots and hyphens)", at: map["helo_name"] ?? node)
        }
        var relay = EmailSource.Relay(endpoint: endpoint, heloName: helo)
        if case let .oauth(settings) = login { relay.oauth = settings }
        return relay
    }

    /// A server URL without credentials or path, plus login and TLS settings.
    private mutating func endpoint(_ map: YAMLMapping, what: String, schemes: [String], login: MailLoginSetting) -> MailServerEndpoint? {
        guard let urlNode = map.required("url", in: what, log), let url = value(at: urlNode, name: "url of \(what)", secret: false) else {
            return nil
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme, schemes.contains(scheme),
              components.host?.isEmpty == false else {
            log.report("url of \(what) must look like \(schemes[1])://host:port or \(schemes[0])://host:port", at: urlNode)
            return nil
        }
        if components.user != nil || components.password != nil {
            log.report("url of \(what) must not carry credentials; give username and password", at: urlNode)
            return nil
        }
        if !(components.path.isEmpty || components.path == "/") {
            log.report("url of \(what) must not have a path; name the mailbox with `mailbox`", at: urlNode)
        }
        let username = map["username"].flatMap { value(at: $0, name: "username of \(what)", secret: false) }
        let password = map["password"].flatMap { secret($0, name: "password of \(what)") }
        var oauth: OAuth2Settings?
        if case let .oauth(settings) = login {
            oauth = settings
            if let node = map["password"] {
                log.report("\(what) logs in with \(settings.mechanism.rawValue.lowercased()): remove password, or write auth: password", at: node)
            }
            if map["username"] == nil {
                log.report("\(what) with auth \(settings.mechanism.rawValue.lowercased()) needs a username (the mailbox's address)", at: map["auth"]!)
            }
        } else if username != nil, password == nil, map["password"] == nil {
            log.report("\(what) has a username but no password", at: map["username"]!)
        }
        let startTLS = map.bool("starttls", log) ?? false
        if startTLS, scheme.hasSuffix("s") {
            log.report("starttls is for \(schemes[0])://; \(scheme):// is already TLS", at: map["starttls"]!)
        }
        let host = components.host ?? ""
        if !scheme.hasSuffix("s"), !startTLS, !Self.isLoopback(host), password != nil || oauth != nil {
            let secret = oauth == nil ? "password" : "access token"
            log.report("\(what) would send its \(secret) in clear text to \(host); use \(schemes[1]):// or starttls: true", at: urlNode)
        }
        var endpoint = MailServerEndpoint(
            url: "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")", username: username, password: password,
            startTLS: startTLS, caFile: map.string("ca_file", in: what, log).map { resolve($0) })
        endpoint.saslMechanism = oauth?.mechanism
        endpoint.verifyPeer = map.bool("verify_peer", log) ?? true
        endpoint.timeout = duration(map, "timeout") ?? endpoint.timeout
        return endpoint
    }
}
