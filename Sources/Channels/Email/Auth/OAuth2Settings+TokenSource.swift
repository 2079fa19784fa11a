import Logging

extension OAuth2Settings {
    /// A new token source for these settings, with its own cache: a mailbox and its relay each keep theirs.
    public func tokenSource(logger: Logger) -> any AccessTokenSource {
        switch grant {
        case let .refreshToken(grant): RefreshTokenSource(grant: grant, logger: logger)
        case let .command(command): CommandTokenSource(command: command)
        }
    }
}
