import Curl
import Foundation
import Logging
import Metrics

/// A relay's SMTP client with its login: a password one is used as it is; an OAuth2 one gets a token before
/// each send. No token, or a token the server refuses, is a failed send, which the outbox retries; a refused
/// token is dropped so the retry fetches a new one.
struct SMTPRelayClient: Sendable {
    let client: CurlSMTPClient
    let tokens: (any AccessTokenSource)?
    let report: MailAuthReport?

    init(relay: EmailSource.Relay, sourceID: String, logger: Logger, metricsFactory: any MetricsFactory) {
        var endpoint = relay.endpoint
        endpoint.saslMechanism = relay.oauth?.mechanism ?? endpoint.saslMechanism
        self.client = CurlSMTPClient(endpoint: endpoint, heloName: relay.heloName, logger: logger)
        self.tokens = relay.oauth?.tokenSource(logger: logger)
        self.report = relay.oauth.map {
            MailAuthReport(sourceID: sourceID, mailProtocol: "smtp", settings: $0, logger: logger, metricsFactory: metricsFactory)
        }
    }

    func send(from: String, recipients: [String], message: Data) async -> SMTPSendResult {
        guard let tokens, let report else { return await client.send(from: from, recipients: recipients, message: message) }
        let token: String
        do {
            token = try await tokens.accessToken()
        } catch {
            report.failed(error)
            return .failed(CurlError.missingAccessToken("no OAuth2 access token (\(error.code)): \(error.description)"))
        }
        let result = await client.usingAccessToken(token).send(from: from, recipients: recipients, message: message)
        if case let .failed(error) = result, error.isLoginDenied {
            await tokens.invalidate(token)
            report.failed(MailAuthReport.loginDenied(error))
        } else if case .failed = result {
            // Unreachable or TLS: says nothing about the login.
        } else {
            report.succeeded()
        }
        return result
    }
}
