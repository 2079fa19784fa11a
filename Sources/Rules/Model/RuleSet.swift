import Foundation
import SwitchboardCore

/// A complete, validated rule set: classifiers, routes, queues, SLA policies and the customer directory,
/// with every term compiled into one pattern database. Immutable, so a reload swaps it whole.
public final class RuleSet: Sendable {
    /// Content hash of every rule file, so each classification names the rules that made it.
    public let version: String
    public let directory: String
    public let negation: Negation
    public let intensity: Intensity
    public let calendars: [String: BusinessCalendar]
    public let urgencyLevels: UrgencyLevels
    public let sentimentLevels: SentimentLevels
    /// The intents messages are read as; nil when `classifiers.yaml` has no `intent` section.
    public let intents: IntentSet?
    public let signals: [Signal]
    public let routes: [Route]
    /// Where the default route is in ``routes`` (the loader guarantees exactly one).
    let defaultRouteIndex: Int
    /// Each signal's and each route's condition, compiled for the hot path (nil where there is none).
    let signalPredicates: [Predicate?]
    let routePredicates: [Predicate?]
    /// Each route's actions and whether it stops the walk, without its condition and description:
    /// reading a ``Route`` copied every string and condition it holds.
    let routeActions: [RouteActions]
    /// What ``RouteDecision/fired`` says when route `i` alone fires (or, for the default route, when no
    /// other does), built once: the common cases then allocate nothing.
    let singleRouteFired: [[String]]
    public let queues: [Queue]
    public let slaPolicies: [String: SLAPolicy]
    /// Where each escalation level moves a conversation, ordered by level; empty when `routes.yaml` has
    /// no `escalation` section (then nothing can be escalated).
    public let escalation: [EscalationRoute]
    public let customers: CustomerDirectory
    /// When a reply needs a supervisor's approval (`approval.yaml`); nil when the file is absent.
    public let approval: ApprovalPolicy?
    /// When satisfaction surveys go out and where low scores follow up (`surveys.yaml`); nil when the
    /// file is absent (then no survey is sent).
    public let surveys: SurveyPolicy?
    /// ``customers`` arranged for the lookup every message makes.
    let customerIndex: CustomerIndex
    let database: PatternDatabase
    /// For each compiled pattern, the signals and terms it belongs to.
    let patternOwners: PatternOwners
    /// What the hot path reads of each signal, in one flat array of plain values: reading them from the
    /// ``Signal`` objects costs a retain and a release per hit.
    let signalTraits: [SignalTraits]
    /// Negators and intensifiers as UTF-8, ready for the byte-level window checks.
    let negators: NeedleSet
    /// Words that hold a negator but do not negate (`negation.exceptions`).
    let negationExceptions: NeedleSet
    let intensifiers: NeedleSet
    /// Both together, asked first at each character of a window: most characters start neither, and
    /// one look-up says so for both.
    let windowTerms: NeedleSet
    /// Every signal id referenced by a route, so an unused signal can be reported.
    public var signalIDs: [String] { signals.map(\.id) }

    init(
        version: String, directory: String, negation: Negation, intensity: Intensity,
        calendars: [String: BusinessCalendar], urgencyLevels: UrgencyLevels,
        sentimentLevels: SentimentLevels, intents: IntentSet? = nil, signals: [Signal], routes: [Route], queues: [Queue],
        slaPolicies: [String: SLAPolicy], escalation: [EscalationRoute] = [], customers: CustomerDirectory,
        approval: ApprovalPolicy? = nil, surveys: SurveyPolicy? = nil, database: PatternDatabase,
        patternOwners: PatternOwners
    ) {
        self.version = version
        self.directory = directory
        self.negation = negation
        self.intensity = intensity
        self.calendars = calendars
        self.urgencyLevels = urgencyLevels
        self.sentimentLevels = sentimentLevels
        self.intents = intents
        self.signals = signals
        self.routes = routes
        self.defaultRouteIndex = routes.firstIndex { $0.isDefault } ?? 0
        let indexes = Dictionary(signals.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.signalPredicates = signals.map { $0.condition.map { Predicate($0, signalIndexes: indexes, intents: intents, calendars: calendars) } }
        self.routePredicates = routes.map { $0.condition.map { Predicate($0, signalIndexes: indexes, intents: intents, calendars: calendars) } }
        self.routeActions = routes.map(RouteActions.init)
        self.singleRouteFired = routes.map { [$0.id] }
        self.queues = queues
        self.slaPolicies = slaPolicies
        self.escalation = escalation
        self.customers = customers
        self.approval = approval
        self.surveys = surveys
        self.customerIndex = CustomerIndex(customers)
        self.database = database
        self.patternOwners = patternOwners
        self.signalTraits = signals.map { SignalTraits($0, intents: intents) }
        self.negators = NeedleSet(negation.terms.map { Array($0.utf8) })
        self.negationExceptions = NeedleSet(negation.exceptions.map { Array($0.utf8) })
        self.intensifiers = NeedleSet(intensity.terms.map { Array($0.utf8) })
        self.windowTerms = NeedleSet((negation.terms + intensity.terms).map { Array($0.utf8) })
    }

    public func queue(id: String) -> Queue? { queues.first { $0.id == id } }

    /// Where an escalation of `level` (1 major … 4 minor) moves a conversation, if the rules say.
    public func escalation(level: Int) -> EscalationRoute? { escalation.first { $0.level == level } }

    /// When the first response under `policy` is due for a message received at `date`, counting only
    /// business hours when the policy runs on a calendar.
    public func firstResponseDue(_ policy: SLAPolicy, receivedAt date: Date) -> Date {
        if let id = policy.calendar, let calendar = calendars[id] {
            return calendar.adding(policy.firstResponse, to: date)
        }
        return date.addingTimeInterval(policy.firstResponse)
    }

    /// The scripts routes may send automatically.
    public var autoReplyScripts: Set<String> {
        Set(routes.compactMap { route in
            if case let .script(id) = route.autoReply { return id }
            return nil
        })
    }

    /// Scans a message's subject and text as they are (no folding) and counts matches: the raw matcher
    /// speed benchmarks compare with. The two share one loan of scratch space, as in ``classify(_:)``.
    public func countRawMatches(subject: String, text: String) -> Int {
        database.withScanner { $0.countMatches(subject) + $0.countMatches(text) }
    }

    /// How many terms and patterns the matcher holds.
    public var patternCount: Int { database.patternCount }
}
