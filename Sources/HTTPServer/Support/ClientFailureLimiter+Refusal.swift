import Logging

extension ClientFailureLimiter {
    /// The 429 for a client whose failure budget is spent (nil while it may still try), logged through
    /// `log` at most once per interval with the count of refusals left out: the one answer both failed
    /// logins and failed inbound signatures lead to.
    /// - Parameter failed: what the client failed at, for the message ("logins", "signature checks").
    func refusal(
        client: String, failed: String, log: RefusalLog, logger: Logger, _ logMessage: @autoclosure () -> Logger.Message,
        metadata: Logger.Metadata
    ) -> APIError? {
        guard let wait = lockout(client: client) else { return nil }
        let seconds = max(1, Int(wait.rounded(.up)))
        if let unlogged = log.admit(client: client) {
            logger.notice(logMessage(), metadata: metadata.merging(
                ["client.address": "\(client)", "refusals.unlogged": "\(unlogged)"]) { _, new in new })
        }
        var error = APIError(
            .tooManyRequests, code: "too_many_failures", "too many failed \(failed) from this address; retry after \(seconds)s",
            headers: [.retryAfter: String(seconds)])
        error.alreadyLogged = true
        return error
    }
}
