import Conversations
import Foundation
import SwitchboardCore
import Testing

/// The entries lifecycle transitions write to the clock logs, checked on the logs' computed states.
@Suite("Clock planner")
struct ClockPlannerTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(minute: Double) -> Date { start.addingTimeInterval(minute * 60) }
    static func target(_ policy: String, _ minutes: Double) -> ClockTarget { ClockTarget(policy: policy, seconds: minutes * 60) }

    static let standard = ClockBinding(
        targets: [.firstResponse: target("standard", 60), .nextResponse: target("standard", 30), .resolution: target("standard", 480)],
        pausesWhileWaiting: true)
    static let crisis = ClockBinding(
        targets: [.firstResponse: target("crisis", 15), .resolution: target("crisis", 240), .updateEvery: target("crisis", 15)],
        pausesWhileWaiting: false)
    static let agent = LifecycleActor(id: "amy", role: .agent)

    /// Keeps a conversation and its clock logs as a store would.
    struct Ledger {
        var conversation = ConversationLifecycleTableTests.conversation(.new)
        var logs: [ClockKind: [ClockEvent]] = [:]
        var binding: ClockBinding

        init(_ binding: ClockBinding) {
            self.binding = binding
            write(ClockPlanner.opening(binding, at: ClockPlannerTests.start))
        }

        mutating func write(_ entries: [ClockPlanner.Entry]) {
            for entry in entries { logs[entry.clock, default: []].append(entry.event) }
        }

        func states(at now: Date) -> [ClockKind: ClockState] {
            logs.reduce(into: [:]) { states, log in states[log.key] = ServiceClock(kind: log.key, log: log.value).state(at: now, workingTime: RoundTheClock()) }
        }

        mutating func apply(_ action: LifecycleAction, by actor: LifecycleActor = ClockPlannerTests.agent, minute: Double, rebind: ClockBinding? = nil) {
            let now = ClockPlannerTests.at(minute: minute)
            guard let transition = ConversationLifecycle.apply(action, to: conversation, by: actor).transition else {
                Issue.record("\(action) was refused in \(conversation.state)")
                return
            }
            if let rebind { binding = rebind }
            write(ClockPlanner.entries(for: transition, clocks: states(at: now), binding: binding, at: now))
            conversation = transition.applied(to: conversation)
        }

        var names: [ClockKind: [String]] { logs.mapValues { $0.map(\.action.name) } }
    }

    @Test("a new conversation starts first response, resolution and update_every as its policy runs them")
    func opening() {
        #expect(Ledger(Self.standard).names == [.firstResponse: ["started"], .resolution: ["started"]])
        #expect(Ledger(Self.crisis).names == [.firstResponse: ["started"], .resolution: ["started"], .updateEvery: ["started"]])
    }

    @Test("waiting pauses the clocks only where the policy pauses; the paused time does not count")
    func pauses() {
        var ledger = Ledger(Self.standard)
        ledger.apply(.claim, minute: 5)
        ledger.apply(.wait(until: nil), minute: 10)
        ledger.apply(.customerMessage, by: LifecycleActor(id: "c", role: .customer), minute: 70)
        let state = ledger.states(at: Self.at(minute: 70))[.firstResponse]
        #expect(state?.status == .running)
        #expect(state?.dueAt == Self.at(minute: 120))  // 60 minutes of target, 60 of them paused

        var crisis = Ledger(Self.crisis)
        crisis.apply(.claim, minute: 1)
        crisis.apply(.wait(until: nil), minute: 2)
        #expect(crisis.names[.firstResponse] == ["started"])
    }

    @Test("a reply fulfils the response clocks and starts the next update cycle; the customer's next message starts next_response")
    func replies() {
        var ledger = Ledger(Self.crisis)
        ledger.apply(.agentReply, minute: 10)
        #expect(ledger.names[.firstResponse] == ["started", "fulfilled"])
        #expect(ledger.names[.updateEvery] == ["started", "fulfilled", "started"])
        #expect(ledger.states(at: Self.at(minute: 10))[.updateEvery]?.dueAt == Self.at(minute: 25))

        var standard = Ledger(Self.standard)
        standard.apply(.customerMessage, by: LifecycleActor(id: "c", role: .customer), minute: 1)
        #expect(standard.names[.nextResponse] == nil)  // no response yet: the first response still counts
        standard.apply(.agentReply, minute: 20)
        standard.apply(.customerMessage, by: LifecycleActor(id: "c", role: .customer), minute: 30)
        #expect(standard.states(at: Self.at(minute: 30))[.nextResponse]?.dueAt == Self.at(minute: 60))
        standard.apply(.customerMessage, by: LifecycleActor(id: "c", role: .customer), minute: 35)
        #expect(standard.names[.nextResponse] == ["started"])  // still counting: not started again
    }

    @Test("an escalation retargets the clocks still counting, the elapsed time carrying over, and starts those the new policy adds")
    func escalation() {
        var ledger = Ledger(Self.standard)
        ledger.apply(.escalate(EscalationLevel(1)!), minute: 20, rebind: Self.crisis)
        #expect(ledger.names == [.firstResponse: ["started", "retargeted"], .resolution: ["started", "retargeted"], .updateEvery: ["started"]])
        // 20 minutes already counted against crisis's 15: breached at once.
        #expect(ledger.states(at: Self.at(minute: 20))[.firstResponse]?.status == .breached)
        #expect(ledger.states(at: Self.at(minute: 20))[.resolution]?.dueAt == Self.at(minute: 240))
    }
}
