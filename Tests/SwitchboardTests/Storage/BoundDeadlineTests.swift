import Foundation
import Pipeline
import SwitchboardCore
import Testing

/// Which deadline a composed reply states as `sla.due`.
@Suite("The deadline replies state")
struct BoundDeadlineTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func clock(_ kind: ClockKind, due minutes: Double?, fulfilled: Bool = false) -> ClockSummary {
        ClockSummary(
            kind: kind, status: fulfilled ? .met : .running, policy: "standard", dueAt: minutes.map { start.addingTimeInterval($0 * 60) },
            warnAt: nil, remainingSeconds: 0, fulfilledAt: fulfilled ? start : nil, pauseReason: nil)
    }

    @Test("the first clock still counting, in clock order; none while every clock is fulfilled or paused")
    func firstCounting() {
        let clocks = [Self.clock(.firstResponse, due: 60, fulfilled: true), Self.clock(.nextResponse, due: 90), Self.clock(.resolution, due: 480)]
        #expect(ReplyComposer.boundDeadline(clocks) == Self.start.addingTimeInterval(90 * 60))
        #expect(ReplyComposer.boundDeadline([Self.clock(.firstResponse, due: 60), Self.clock(.resolution, due: 30)]) == Self.start.addingTimeInterval(3_600))
        // Paused: no deadline to state until it runs again.
        #expect(ReplyComposer.boundDeadline([Self.clock(.firstResponse, due: nil)]) == nil)
        #expect(ReplyComposer.boundDeadline([Self.clock(.firstResponse, due: 60, fulfilled: true)]) == nil)
    }
}
