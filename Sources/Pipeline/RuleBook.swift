import Replies
import Rules
import Synchronization

/// The rule set and reply scripts in force, swapped together and atomically so a message is never
/// classified by one version and answered from another.
public final class RuleBook: Sendable {
    /// One consistent version of the rules directory.
    public struct Edition: Sendable {
        public var rules: RuleSet
        public var scripts: ScriptLibrary

        public init(rules: RuleSet, scripts: ScriptLibrary) {
            self.rules = rules
            self.scripts = scripts
        }
    }

    private let edition: Mutex<Edition>

    public init(_ edition: Edition) {
        self.edition = Mutex(edition)
    }

    /// The edition to use for one message or reply.
    public var current: Edition { edition.withLock { $0 } }

    /// Replaces the edition in force; readers see the old one or the new one, never a mix.
    public func replace(with newEdition: Edition) {
        edition.withLock { $0 = newEdition }
    }
}
