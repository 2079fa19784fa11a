import Channels
import Foundation
import Gateway
import Pipeline
import Rules
import SwitchboardCore
import TestSupport
import Testing

/// An acknowledgement must never state a duration that disagrees with the deadline it also states:
/// "within 2 hours, by 11:00 tomorrow" sent at 22:01 is false one way or the other.
@Suite("Acknowledgement times")
struct AcknowledgementTimeTests {
    static let edition = try! RuleDirectory.load(Fixtures.shippedRules)
    static let zone = TimeZone(identifier: "Asia/Shanghai")!

    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    struct Case: CustomStringConvertible {
        var name: String
        var text: String
        var receivedAt: String
        var script: String
        var policy: String
        /// The deadline worked out by hand from `calendars.yaml`, when the policy runs on business hours.
        var due: String?
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "complaint on a weekday night", text: "你们客服态度太差了，我要投诉！", receivedAt: "2026-12-02T22:01:00+08:00",
             script: "ack-complaint", policy: "complaint", due: "2026-12-03T11:00:00+08:00"),
        Case(name: "complaint on a Saturday morning", text: "你们客服态度太差了，我要投诉！", receivedAt: "2026-11-21T10:00:00+08:00",
             script: "ack-complaint", policy: "complaint", due: "2026-11-23T11:00:00+08:00"),
        Case(name: "complaint half an hour before the National Day holiday", text: "你们客服态度太差了，我要投诉！",
             receivedAt: "2026-09-30T17:30:00+08:00", script: "ack-complaint", policy: "complaint", due: "2026-10-08T10:30:00+08:00"),
        Case(name: "complaint on New Year's Eve night", text: "你们客服态度太差了，我要投诉！", receivedAt: "2026-12-31T20:00:00+08:00",
             script: "ack-complaint", policy: "complaint", due: "2027-01-04T11:00:00+08:00"),
        Case(name: "inquiry half an hour before the lunch break", text: "请问我的订单什么时候发货？", receivedAt: "2026-11-23T11:30:00+08:00",
             script: "ack-inquiry", policy: "ordinary-inquiry", due: "2026-11-23T14:30:00+08:00"),
        Case(name: "outage at night (round the clock)", text: "系统故障，所有功能都用不了", receivedAt: "2026-12-02T22:01:00+08:00",
             script: "ack-urgent", policy: "incident", due: "2026-12-02T22:31:00+08:00"),
    ]

    /// What a reply states as a duration: its length and whether it counts working time only.
    static func statedDurations(_ text: String) -> [(seconds: Double, working: Bool, phrase: String)] {
        let pattern = #"(\d+) ?(个工作)?(小时|分钟|天)|(\d+) (working )?(hours?|minutes?|days?)\b"#
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { match in
            func group(_ index: Int) -> String? {
                let range = match.range(at: index)
                return range.location == NSNotFound ? nil : ns.substring(with: range)
            }
            let chinese = group(1) != nil
            let value = Double(group(chinese ? 1 : 4)!)!
            let unit = group(chinese ? 3 : 6)!
            let seconds: Double = switch unit {
            case "小时", "hour", "hours": value * 3600
            case "分钟", "minute", "minutes": value * 60
            default: value * 86400
            }
            return (seconds, group(chinese ? 2 : 5) != nil, ns.substring(with: match.range))
        }
    }

    @Test("the duration an acknowledgement states agrees with its deadline: at night, at a weekend, before a holiday", arguments: cases)
    func durationAgreesWithDeadline(_ testCase: Case) throws {
        let rules = Self.edition.rules
        let receivedAt = Self.at(testCase.receivedAt)
        let result = rules.classify(ClassificationInput(
            channel: "webhook", source: "demo", sender: "li.lei@example.com", subject: nil, text: testCase.text,
            receivedAt: receivedAt, context: nil))
        #expect(result.route.autoReply == testCase.script)
        #expect(result.route.slaPolicy == testCase.policy)
        let policy = try #require(rules.slaPolicies[result.route.slaPolicy])
        let due = rules.firstResponseDue(policy, receivedAt: receivedAt)
        if let expected = testCase.due { #expect(due == Self.at(expected)) }

        for language in ["zh", "en"] {
            let variables = ReplyContext.variables(
                conversationID: "conv_01TEST", reference: "ABCDEFGHJK", customerAddress: "li.lei@example.com", language: language,
                queue: rules.queue(id: result.route.queue), queueID: result.route.queue, slaPolicy: policy, slaDueAt: due,
                subject: nil, timeZone: Self.zone)
            let deadline = try #require(variables["sla.due"])
            for channel in ["webhook", "email", "sms"] {
                let body = try Self.edition.scripts.render(
                    script: testCase.script, language: language, channel: channel, context: variables).body
                let stated = Self.statedDurations(body)
                #expect(!stated.isEmpty, "\(testCase) \(language) \(channel): states no time")
                for duration in stated {
                    // Wall-clock time must be exactly the gap to the deadline; working time must be what the
                    // policy's calendar counts up to it.
                    let agreesWith = duration.working
                        ? rules.calendars[policy.calendar ?? ""].map { $0.adding(duration.seconds, to: receivedAt) }
                        : receivedAt.addingTimeInterval(duration.seconds)
                    #expect(agreesWith == due, """
                        \(testCase) \(language) \(channel): "\(duration.phrase)" does not agree with the deadline \(deadline)\
                        \(body.contains(deadline) ? " the reply states" : "")
                        """)
                }
            }
        }
    }

    @Test("working time is written as working hours or minutes, never days; elapsed time as before")
    func wording() {
        #expect(ReplyContext.describe(seconds: 7200, language: "zh", workingTime: true) == "2 个工作小时")
        #expect(ReplyContext.describe(seconds: 3600, language: "en", workingTime: true) == "1 working hour")
        #expect(ReplyContext.describe(seconds: 16 * 3600, language: "en", workingTime: true) == "16 working hours")
        #expect(ReplyContext.describe(seconds: 5400, language: "zh", workingTime: true) == "90 个工作分钟")
        #expect(ReplyContext.describe(seconds: 1800, language: "zh") == "30 分钟")
        #expect(ReplyContext.describe(seconds: 86400, language: "en") == "1 day")
    }

    @Test("the Chinese SMS acknowledgements still fit one segment with working hours spelled out")
    func smsStillOneSegment() throws {
        let rules = Self.edition.rules
        for script in ["ack-inquiry", "ack-complaint", "ack-urgent", "ack-after-hours"] {
            for queueID in rules.queues.map(\.id) {
                let variables = ReplyContext.variables(
                    conversationID: "conv_01TEST", reference: "ABCDEFGHJK", customerAddress: "+8613800138000", language: "zh",
                    queue: rules.queue(id: queueID), queueID: queueID, slaPolicy: rules.slaPolicies["complaint"],
                    slaDueAt: Self.at("2026-12-03T11:00:00+08:00"), subject: nil, timeZone: Self.zone)
                let body = try Self.edition.scripts.render(script: script, language: "zh", channel: "sms", context: variables).body
                #expect(SMSSegments(body).count == 1, "\(script) for \(queueID): \(body.count) characters")
            }
        }
    }
}
