import Foundation
import SwitchboardCore

/// Which entries the clock logs get when a conversation starts and when a lifecycle transition applies:
/// pure, so every store writes the same logs. The deadlines then follow from the logs (``ServiceClock``).
///
/// - A conversation starts `first_response`, `resolution` and `update_every`, as its policy runs them.
/// - An agent's reply fulfils `first_response` and `next_response`; `update_every` is fulfilled and
///   starts its next cycle.
/// - A customer's message after the first response starts `next_response` (unless it is running).
/// - Waiting on the customer pauses the running clocks when the policy pauses in that state; the
///   customer's answer (or an escalation) resumes them.
/// - Resolving fulfils every clock still counting and starts `follow_up`; reopening fulfils the
///   follow-up and starts `resolution` (and `next_response`) again. Closing fulfils whatever still counts.
/// - A new policy (escalation, hand-off to a queue) retargets every clock still counting, the elapsed
///   time carrying over, and starts the ones the new policy adds.
public enum ClockPlanner {
    /// One entry of one clock's log.
    public struct Entry: Sendable, Equatable {
        public var clock: ClockKind
        public var event: ClockEvent

        public init(_ clock: ClockKind, _ event: ClockEvent) {
            self.clock = clock
            self.event = event
        }
    }

    /// The reason a pause records while the conversation waits on the customer.
    public static let waitingReason = "waiting_on_customer"

    /// The clocks a new conversation starts.
    public static func opening(_ binding: ClockBinding, at: Date) -> [Entry] {
        [ClockKind.firstResponse, .resolution, .updateEvery].compactMap { kind in
            binding.targets[kind].map { Entry(kind, ClockEvent(at: at, .started($0))) }
        }
    }

    /// The entries of a change of policy (an escalation, a hand-off to a queue, a follow-up that raised the
    /// route): every clock still counting is retargeted, the elapsed time carrying over, and the clocks the
    /// new policy adds start.
    public static func rebinding(clocks: [ClockKind: ClockState], to binding: ClockBinding, at: Date) -> [Entry] {
        var entries: [Entry] = []
        for kind in ClockKind.allCases {
            guard let state = clocks[kind], state.fulfilledAt == nil, let target = binding.targets[kind], target != state.target else { continue }
            entries.append(Entry(kind, ClockEvent(at: at, .retargeted(target))))
        }
        for kind in [ClockKind.resolution, .updateEvery] where clocks[kind] == nil {
            if let target = binding.targets[kind] { entries.append(Entry(kind, ClockEvent(at: at, .started(target)))) }
        }
        return entries
    }

    /// The entries a transition implies.
    /// - Parameters:
    ///   - clocks: the conversation's clocks as their logs stand just before the transition.
    ///   - binding: the conversation's policy after the transition (the new one, for a re-bind).
    public static func entries(
        for transition: LifecycleTransition, clocks: [ClockKind: ClockState], binding: ClockBinding?, at: Date
    ) -> [Entry] {
        var entries: [Entry] = []
        var clocks = clocks
        func add(_ kind: ClockKind, _ action: ClockEvent.Action) {
            entries.append(Entry(kind, ClockEvent(at: at, action)))
            switch action {
            case .fulfilled: clocks[kind]?.fulfilledAt = at
            case .paused: clocks[kind]?.pauseReason = waitingReason
            case .resumed: clocks[kind]?.pauseReason = nil
            default: break
            }
        }
        // Clocks this plan starts: they count from `at`, and are not started twice.
        var started: Set<ClockKind> = []
        func counting(_ kind: ClockKind) -> Bool {
            !started.contains(kind) && (clocks[kind].map { $0.fulfilledAt == nil } ?? false)
        }
        func start(_ kind: ClockKind, fallback: ClockTarget? = nil) {
            guard !started.contains(kind), let target = binding?.targets[kind] ?? fallback else { return }
            add(kind, .started(target))
            started.insert(kind)
        }
        let counted = ClockKind.allCases

        switch transition.action {
        case .agentReply:
            for kind in [ClockKind.firstResponse, .nextResponse] where counting(kind) { add(kind, .fulfilled) }
            if counting(.updateEvery), let target = clocks[.updateEvery]?.target {
                add(.updateEvery, .fulfilled)
                start(.updateEvery, fallback: target)
            }
        case .close:
            // Finished: nothing counts on a closed conversation any more (a follow-up not recorded by then
            // was the closer's call).
            for kind in ClockKind.allCases where counting(kind) { add(kind, .fulfilled) }
        case .customerMessage:
            if clocks[.firstResponse]?.fulfilledAt != nil, !counting(.nextResponse), transition.state != .resolved {
                start(.nextResponse)
            }
        default:
            break
        }
        for effect in transition.effects {
            switch effect {
            case .pauseClock:
                guard binding?.pausesWhileWaiting ?? false else { break }
                for kind in counted where counting(kind) && clocks[kind]?.pauseReason == nil { add(kind, .paused(reason: waitingReason)) }
            case .resumeClock:
                for kind in counted where counting(kind) && clocks[kind]?.pauseReason != nil { add(kind, .resumed) }
            case .stopClocks:
                for kind in counted where counting(kind) { add(kind, .fulfilled) }
                start(.followUp)
            case .restartClocks:
                if counting(.followUp) { add(.followUp, .fulfilled) }
                start(.resolution, fallback: clocks[.resolution]?.target)
                if clocks[.firstResponse]?.fulfilledAt != nil { start(.nextResponse) }
            case .rebindClock:
                guard let binding else { break }
                for entry in rebinding(clocks: clocks, to: binding, at: at) where !started.contains(entry.clock) {
                    entries.append(entry)
                    if case .started = entry.event.action { started.insert(entry.clock) }
                }
            case .countReopen, .moveToEscalationQueue, .startLinkedConversation:
                break
            }
        }
        return entries
    }
}
