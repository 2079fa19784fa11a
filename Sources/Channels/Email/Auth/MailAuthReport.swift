import Curl
import Logging
import Metrics

/// Tells the log and `/metrics` how a mailbox's or relay's OAuth2 login went, never with a token:
/// `switchboard_mail_auth_failures_total{source,protocol}` counts failures, and the gauge
/// `switchboard_mail_auth_failed{source,protocol}` is 1 while the latest attempt failed (the `auth_failed`
/// state), 0 once a login works again.
struct MailAuthReport: Sendable {
    let sourceID: String
    /// `imap` or `smtp`.
    let mailProtocol: String
    let settings: OAuth2Settings
    let logger: Logger
    let metricsFactory: any MetricsFactory

    func failed(_ error: MailAuthError) {
        logger.error("mail server login failed: auth_failed", metadata: [
            "source.id": "\(sourceID)", "mail.protocol": "\(mailProtocol)", "auth.mechanism": "\(settings.mechanism.rawValue)",
            "auth.grant": "\(settings.grantName)", "auth.state": "auth_failed", "auth.error.code": "\(error.code)",
            "auth.error": "\(error.description)",
        ])
        Counter(label: "switchboard_mail_auth_failures_total", dimensions: dimensions, factory: metricsFactory).increment()
        Gauge(label: "switchboard_mail_auth_failed", dimensions: dimensions, factory: metricsFactory).record(1)
    }

    func succeeded() {
        Gauge(label: "switchboard_mail_auth_failed", dimensions: dimensions, factory: metricsFactory).record(0)
    }

    /// The server's refusal of a token at login, as an auth error (the CurlError text is already redacted).
    static func loginDenied(_ error: CurlError) -> MailAuthError {
        MailAuthError(.loginDenied, "the server refused the access token: \(error.description)")
    }

    private var dimensions: [(String, String)] { [("source", sourceID), ("protocol", mailProtocol)] }
}
