import Curl
import Foundation
import StrictYAML

/// What an `auth` key of an `imap:` or `smtp:` block says.
enum MailLoginSetting {
    /// Absent or `password`: the endpoint's username and password, as always.
    case password
    case oauth(OAuth2Settings)
    /// Reported already.
    case invalid
}

extension SettingsReader {
    /// Reads `auth` of an `imap:` or `smtp:` block:
    ///
    /// ```yaml
    /// auth: password                     # the default
    /// auth: { mechanism: xoauth2, token_url: …, client_id: …, client_secret: {env: …}, refresh_token: {env: …}, scope: … }
    /// auth: { mechanism: oauthbearer, token_command: "…", token_lifetime: 5m }
    /// ```
    mutating func mailLogin(_ map: YAMLMapping, what: String) -> MailLoginSetting {
        guard let node = map["auth"] else { return .password }
        let what = "auth of \(what)"
        guard node.isMapping else {
            guard let text = node.string(log, what: what) else { return .invalid }
            if text == "password" { return .password }
            log.report("\(what) must be password or a mapping with mechanism: xoauth2 or oauthbearer", at: node)
            return .invalid
        }
        guard let auth = node.mapping(log, what: what, allowed: [
            "mechanism", "token_url", "client_id", "client_secret", "refresh_token", "scope", "token_command", "token_lifetime",
            "token_timeout",
        ]) else { return .invalid }
        var valid = true
        var mechanism: MailSASLMechanism?
        if let text = auth.string("mechanism", in: what, required: true, log) {
            mechanism = MailSASLMechanism.allCases.first { $0.rawValue.lowercased() == text.lowercased() }
            if mechanism == nil {
                let hint = text == "password" ? "; for a password login write auth: password" : ""
                log.report("mechanism of \(what) must be xoauth2 or oauthbearer\(hint)", at: auth["mechanism"]!)
            }
        }
        let grantKeys = ["client_id", "client_secret", "refresh_token", "scope"]
        var grant: OAuth2Settings.Grant?
        switch (auth["token_url"], auth["token_command"]) {
        case (.some, .some):
            log.report("\(what) takes token_url or token_command, not both", at: auth["token_command"]!)
            valid = false
        case (nil, nil):
            log.report("\(what) needs token_url (with client_id and refresh_token) or token_command", at: node)
            valid = false
        case let (.some(urlNode), nil):
            for key in ["token_lifetime", "token_timeout"] where auth[key] != nil {
                log.report("\(key) is for token_command; a token endpoint tells each token's expires_in", at: auth[key]!)
                valid = false
            }
            let url = value(at: urlNode, name: "token_url of \(what)", secret: false)
            if let url {
                if let components = Self.httpURL(url) {
                    if components.scheme == "http", !Self.isLoopback(components.host ?? "") {
                        log.report("token_url of \(what) must be https:// (http:// only to this machine): it carries the refresh token", at: urlNode)
                        valid = false
                    }
                    if components.user != nil || components.password != nil {
                        log.report("token_url of \(what) must not carry credentials; give client_id and client_secret", at: urlNode)
                        valid = false
                    }
                } else {
                    log.report("token_url of \(what) must be an https:// URL", at: urlNode)
                    valid = false
                }
            }
            var clientID: String?, clientSecret: String?, refreshToken: String?, scope: String?
            if let node = auth.required("client_id", in: what, log) { clientID = value(at: node, name: "client_id of \(what)", secret: false) }
            if let node = auth["client_secret"] { clientSecret = secret(node, name: "client_secret of \(what)") }
            if let node = auth.required("refresh_token", in: what, log) { refreshToken = secret(node, name: "refresh_token of \(what)") }
            if let node = auth["scope"] { scope = value(at: node, name: "scope of \(what)", secret: false) }
            if let url, let clientID, let refreshToken, auth["client_secret"] == nil || clientSecret != nil {
                grant = .refreshToken(.init(tokenURL: url, clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken, scope: scope))
            }
        case let (nil, .some(commandNode)):
            for key in grantKeys where auth[key] != nil {
                log.report("\(key) is for token_url; token_command prints the token itself", at: auth[key]!)
                valid = false
            }
            var command = OAuth2Settings.TokenCommand(command: "")
            if let text = commandNode.string(log, what: "token_command of \(what)") {
                if text.trimmingCharacters(in: .whitespaces).isEmpty || text.contains(where: \.isNewline) {
                    log.report("token_command of \(what) must be one non-empty line", at: commandNode)
                    valid = false
                }
                command.command = text
            } else {
                valid = false
            }
            if let lifetime = duration(auth, "token_lifetime") {
                if lifetime < .seconds(10) || lifetime > .seconds(86_400) {
                    log.report("token_lifetime must be between 10s and 24h", at: auth["token_lifetime"]!)
                    valid = false
                }
                command.lifetime = lifetime
            }
            if let timeout = duration(auth, "token_timeout") {
                if timeout > .seconds(300) {
                    log.report("token_timeout must be at most 5m", at: auth["token_timeout"]!)
                    valid = false
                }
                command.timeout = timeout
            }
            grant = .command(command)
        }
        guard valid, let mechanism, let grant else { return .invalid }
        return .oauth(OAuth2Settings(mechanism: mechanism, grant: grant))
    }
}
