/// The SASL mechanisms that log in with an OAuth2 access token instead of a password.
public enum MailSASLMechanism: String, Sendable, Equatable, CaseIterable {
    /// Google's and Microsoft's `XOAUTH2`: the user name and the token.
    case xoauth2 = "XOAUTH2"
    /// RFC 7628 `OAUTHBEARER`, the standard form of the same.
    case oauthbearer = "OAUTHBEARER"
}
