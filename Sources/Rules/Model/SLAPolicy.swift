import SwitchboardCore

/// A response-time target: the clocks a conversation under this policy runs, when each warns, when
/// they pause and what a breach does.
public struct SLAPolicy: Sendable, Equatable {
    public var id: String
    public var description: String?
    /// Seconds until the first human response is due.
    public var firstResponse: Double
    /// Seconds until resolution is due, if the policy sets one.
    public var resolution: Double?
    /// The business calendar the clock runs on; nil for round-the-clock time.
    public var calendar: String?
    /// Seconds from each customer message after an agent's reply until the next reply is due.
    public var nextResponse: Double?
    /// Seconds between progress updates while the conversation is open.
    public var updateEvery: Double?
    /// Seconds from resolution until the follow-up is due (at most 24 hours).
    public var followUp: Double?
    /// When each clock's warning is due; nil for no warnings.
    public var warnBefore: WarnBefore?
    /// The conversation states in which the clocks stop counting (``pausableStates``).
    public var pauseIn: [String]
    /// What a breach of any of the policy's clocks does.
    public var onBreach: BreachActions

    /// The conversation states a policy may pause in.
    public static let pausableStates = ["waiting_on_customer"]

    public init(
        id: String, description: String? = nil, firstResponse: Double, resolution: Double? = nil, calendar: String? = nil,
        nextResponse: Double? = nil, updateEvery: Double? = nil, followUp: Double? = nil, warnBefore: WarnBefore? = nil,
        pauseIn: [String] = [], onBreach: BreachActions = BreachActions()
    ) {
        self.id = id
        self.description = description
        self.firstResponse = firstResponse
        self.resolution = resolution
        self.calendar = calendar
        self.nextResponse = nextResponse
        self.updateEvery = updateEvery
        self.followUp = followUp
        self.warnBefore = warnBefore
        self.pauseIn = pauseIn
        self.onBreach = onBreach
    }

    /// The target of one of the policy's clocks in seconds, or nil when the policy does not run it.
    public func seconds(for clock: ClockKind) -> Double? {
        switch clock {
        case .firstResponse: Optional(firstResponse)
        case .nextResponse: nextResponse
        case .resolution: resolution
        case .updateEvery: updateEvery
        case .followUp: followUp
        }
    }

    /// The clocks the policy runs, in ``ClockKind`` order.
    public var clocks: [ClockKind] { ClockKind.allCases.filter { seconds(for: $0) != nil } }

    /// What a clock of this policy counts towards, to record when it starts or is retargeted; nil when
    /// the policy does not run that clock.
    public func target(for clock: ClockKind) -> ClockTarget? {
        seconds(for: clock).map { ClockTarget(policy: id, seconds: $0, calendar: calendar, warnBefore: warnBefore) }
    }

    /// Whether the clocks stop counting while the conversation is in `state` (a raw state name such as
    /// `waiting_on_customer`).
    public func pauses(in state: String) -> Bool { pauseIn.contains(state) }
}
