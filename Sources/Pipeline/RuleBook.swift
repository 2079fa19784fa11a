import Foundation
import Replies
import Rules
import Synchronization

/// The rule set and reply scripts in force, swapped together and atomically so a message is never
/// classified by one version and answered from another. Also remembers the last reload that failed,
/// so ops can see why their change is not live.
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

    /// A reload that was refused: when, and every problem as `path:line:column: message`.
    public struct Failure: Sendable, Equatable {
        public var at: Date
        public var problems: [String]
    }

    private struct State {
        var edition: Edition
        var loadedAt: Date
        var lastFailure: Failure?
    }

    private let state: Mutex<State>

    public init(_ edition: Edition) {
        self.state = Mutex(State(edition: edition, loadedAt: Date(), lastFailure: nil))
    }

    /// The edition to use for one message or reply.
    public var current: Edition { state.withLock { $0.edition } }

    /// When the edition in force was loaded.
    public var loadedAt: Date { state.withLock { $0.loadedAt } }

    /// The most recent refused reload since the last successful one, if any.
    public var lastFailure: Failure? { state.withLock { $0.lastFailure } }

    /// Replaces the edition in force; readers see the old one or the new one, never a mix.
    public func replace(with newEdition: Edition) {
        state.withLock {
            $0.edition = newEdition
            $0.loadedAt = Date()
            $0.lastFailure = nil
        }
    }

    /// Records a refused reload; the edition in force stays.
    public func recordFailure(problems: [String]) {
        state.withLock { $0.lastFailure = Failure(at: Date(), problems: problems) }
    }
}
