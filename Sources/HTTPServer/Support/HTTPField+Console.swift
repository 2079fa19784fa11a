import HTTPTypes

extension HTTPField.Name {
    /// `Referrer-Policy`: answers tell no other site where their reader came from.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    /// `X-CSRF-Token`: the console session's token on a request that changes something.
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
    /// `Last-Event-ID`: where a reconnecting event stream resumes.
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    /// `X-Forwarded-Proto`: the scheme the browser used, in front of a TLS-terminating proxy.
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
