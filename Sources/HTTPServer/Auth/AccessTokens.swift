import Foundation
import Synchronization

/// The configured API tokens, read by every authenticated request and swapped whole when the
/// configuration is reloaded (SIGHUP, `POST /v1/tokens/reload`): a request sees either the old set
/// or the new one, never a mix.
public final class AccessTokens: Sendable {
    private let tokens: Mutex<[AccessToken]>

    public init(_ tokens: [AccessToken]) {
        self.tokens = Mutex(tokens)
    }

    /// The tokens in force now.
    public var current: [AccessToken] {
        tokens.withLock { $0 }
    }

    /// The token in force whose SHA-256 is `digest`, nil for none. Every token is compared, so the time
    /// taken does not reveal which one nearly matched.
    func token(matching digest: [UInt8]) -> AccessToken? {
        var found: AccessToken?
        for token in current where token.matches(digest: digest) { found = token }
        return found
    }

    /// Whether a token in force has this id: the agents a conversation may be given to.
    public func knows(id: String) -> Bool {
        tokens.withLock { $0.contains { $0.id == id } }
    }

    /// Puts a new set in force for every request that starts from now on.
    public func replace(with new: [AccessToken]) {
        tokens.withLock { $0 = new }
    }
}
