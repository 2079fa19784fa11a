import BlockingWork
import CCurl
import Dispatch
import Foundation
import Logging

/// How one SMTP send ended.
public enum SMTPSendResult: Sendable, Equatable {
    /// The server took the message: its final reply after the data, e.g. `250 2.0.0 Ok: queued as X`.
    case accepted(reply: String)
    /// The server answered 4xx (temporary) or 5xx (permanent) to the greeting, MAIL, RCPT, DATA or the
    /// data; `reply` is its text, at most ``CurlSMTPClient/maximumReplyLength`` characters. An envelope
    /// refused before sending (a line break in an address, no recipient) is a 501 whose reply starts `local:`.
    case rejected(code: Int, reply: String)
    /// No SMTP answer to go by: connection, TLS, timeout, or a refused login. Temporary.
    case failed(CurlError)
}

/// SMTP over libcurl, one easy handle (and so one connection) per message. Sends block, so they run on a
/// dedicated queue and never on Swift's cooperative thread pool.
public struct CurlSMTPClient: Sendable {
    /// Longest reply text kept in a result.
    public static let maximumReplyLength = 300

    private var endpoint: MailServerEndpoint
    private let heloName: String
    private let logger: Logger

    /// - Parameter heloName: the name sent with EHLO (curl takes it from the URL's path).
    public init(endpoint: MailServerEndpoint, heloName: String, logger: Logger) {
        CurlRuntime.initialize()
        self.endpoint = endpoint
        self.heloName = heloName
        self.logger = logger
    }

    /// The same client logging in with `token` for the endpoint's SASL mechanism (XOAUTH2 or OAUTHBEARER).
    public func usingAccessToken(_ token: String) -> CurlSMTPClient {
        var client = self
        client.endpoint.bearerToken = token
        return client
    }

    /// Whether the endpoint logs in with an OAuth2 access token.
    public var needsAccessToken: Bool { endpoint.saslMechanism != nil }

    /// Sends one message to `recipients` with `from` as the envelope sender (empty for the null sender `<>`).
    /// The addresses must already be validated; any with CR, LF or NUL is still refused here. When the server
    /// refuses one recipient, the whole send is rejected with that answer.
    public func send(from: String, recipients: [String], message: Data) async -> SMTPSendResult {
        do {
            return try await BlockingWork.run { self.sendBlocking(from: from, recipients: recipients, message: message) }
        } catch {
            return .failed(CurlError(code: -3, description: "the transfer threads are shut down"))
        }
    }

    func sendBlocking(from: String, recipients: [String], message: Data) -> SMTPSendResult {
        let result = deliver(from: from, recipients: recipients, message: message)
        switch result {
        case .accepted(let reply): logger.debug("SMTP accepted", metadata: ["recipients": "\(recipients.count)", "reply": "\(reply)"])
        case .rejected(let code, let reply):
            logger.info("SMTP rejected", metadata: ["recipients": "\(recipients.count)", "code": "\(code)", "reply": "\(reply)"])
        case .failed(let error): logger.info("SMTP send failed", metadata: ["recipients": "\(recipients.count)", "error": "\(error)"])
        }
        return result
    }

    private func deliver(from: String, recipients: [String], message: Data) -> SMTPSendResult {
        func unsafe(_ address: String) -> Bool {
            address.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" || $0 == "<" || $0 == ">" }
        }
        if unsafe(from) { return .rejected(code: 501, reply: "local: sender address contains CR, LF, NUL or angle brackets") }
        if recipients.isEmpty { return .rejected(code: 501, reply: "local: no recipients") }
        if recipients.contains(where: { unsafe($0) || $0.isEmpty }) {
            return .rejected(code: 501, reply: "local: recipient address is empty or contains CR, LF, NUL or angle brackets")
        }
        let url: String
        do throws(CurlError) {
            url = try endpoint.baseURL(schemes: ["smtp", "smtps"]) + "/" + Self.heloPath(heloName)
        } catch {
            return .failed(error)
        }

        guard let handle = curl_easy_init() else { return .failed(CurlError(code: -1, description: "curl_easy_init failed")) }
        let transfer = MailTransfer(bodyLimit: 64 * 1024, upload: message)
        var recipientList: UnsafeMutablePointer<curl_slist>?
        for recipient in recipients { recipientList = curl_slist_append(recipientList, "<\(recipient)>") }
        defer { curl_slist_free_all(recipientList) }

        let outcome: Result<(CURLcode, Int, [String]), CurlError> = withExtendedLifetime(transfer) {
            // Clean-up sends QUIT: read the reply before that, and keep `transfer` alive until after it.
            defer { curl_easy_cleanup(handle) }
            do throws(CurlError) {
                try transfer.configure(handle, endpoint: endpoint, url: url, protocols: "smtp,smtps")
                try MailTransfer.check(sb_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(from)>"), "setting the sender")
                try MailTransfer.check(sb_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList), "setting the recipients")
                try transfer.configureUpload(handle)
            } catch {
                return .failure(error)
            }
            let code = curl_easy_perform(handle)
            var responseCode = 0
            _ = sb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
            return .success((code, responseCode, transfer.serverLines))
        }
        let code: CURLcode, responseCode: Int, lines: [String]
        switch outcome {
        case .success(let values): (code, responseCode, lines) = values
        case .failure(let error): return .failed(error)
        }
        // curl may already have sent QUIT (after a refusal it closes the connection): its 221 is not the answer.
        let replies = Self.replies(lines).filter { $0.code != 221 }
        if code == CURLE_OK { return .accepted(reply: replies.last?.lastLine ?? "") }

        let reply = replies.last(where: { $0.code == responseCode && responseCode >= 400 }) ?? replies.last(where: { $0.code >= 400 })
        var error = CurlError(code, during: "SMTP send")
        if let reply {
            let text = endpoint.redacting(reply.text)
            // A refused login or STARTTLS is the configuration's fault, not the message's: temporary.
            if code != CURLE_LOGIN_DENIED && code != CURLE_USE_SSL_FAILED { return .rejected(code: reply.code, reply: text) }
            error.description += ": server said \(text)"
        }
        return .failed(error)
    }

    /// The EHLO name as curl's URL path; only host names and address literals.
    static func heloPath(_ name: String) throws(CurlError) -> String {
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            (scalar.value < 0x80 && (CharacterSet.alphanumerics.contains(scalar) || "-.[]:".unicodeScalars.contains(scalar)))
        }
        guard !name.isEmpty, name.count <= 255, allowed else {
            throw CurlError(code: CurlError.invalidInput, description: "EHLO name \(MailServerEndpoint.safe(name)) is not a host name")
        }
        return name.replacingOccurrences(of: "[", with: "%5B").replacingOccurrences(of: "]", with: "%5D").replacingOccurrences(of: ":", with: "%3A")
    }

    /// The complete replies among the server's lines: code, lines joined (and cut short), last line.
    static func replies(_ lines: [String]) -> [(code: Int, text: String, lastLine: String)] {
        var current: [String] = []
        var replies: [(code: Int, text: String, lastLine: String)] = []
        for line in lines {
            let scalars = Array(line.unicodeScalars)
            guard scalars.count >= 3, scalars[0..<3].allSatisfy({ ("0"..."9").contains($0) }) else { continue }
            current.append(line)
            if scalars.count == 3 || scalars[3] == " " {
                let code = Int(String(line.prefix(3))) ?? 0
                let text = MailServerEndpoint.safe(current.joined(separator: " "), limit: maximumReplyLength)
                replies.append((code, text, MailServerEndpoint.safe(line, limit: maximumReplyLength)))
                current = []
            }
        }
        return replies
    }
}
