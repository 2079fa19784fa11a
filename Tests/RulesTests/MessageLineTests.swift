import Foundation
import Pipeline
import Rules
import SwitchboardCore
import TestSupport
import Testing

/// The JSON lines `switchboard classify` and `rules replay --input` read.
@Suite("Message lines (classify, replay --input)")
struct MessageLineTests {
    static let rules = try! RuleDirectory.load(Fixtures.shippedRules).rules
    static let monday = ISO8601DateFormatter().date(from: "2026-11-23T10:00:00+08:00")!

    @Test("context written as documented (snake_case) reaches the structural signals")
    func documentedContext() throws {
        let line = #"{"text":"请问订单的情况","received_at":"2026-11-23T10:00:00+08:00","context":{"prior_inbound_messages":2,"last_inbound_ago":"30m","waiting_for":"5h","reopening":false}}"#
        let message = try MessageLine.parse(line)
        let context = try #require(message.input.context)
        #expect(context.priorInboundMessages == 2)
        #expect(context.waitingSince == Self.monday.addingTimeInterval(-5 * 3600))
        #expect(context.lastInboundAt == Self.monday.addingTimeInterval(-30 * 60))
        let result = Self.rules.classify(message.input)
        #expect(result.firedSignals.contains("repeat-contact"))
        #expect(result.firedSignals.contains("long-unanswered-wait"))
        #expect(result.urgency >= .high)
    }

    @Test("an unknown key, in context or at the top, is an error that names it")
    func unknownKeys() {
        let camel = #"{"text":"还是没人回复","context":{"priorInboundMessages":2,"waitingFor":"5h"}}"#
        let error = #expect(throws: MessageLine.Failure.self) { try MessageLine.parse(camel) }
        #expect(error?.description.contains("'priorInboundMessages'") == true)
        #expect(error?.description.contains("prior_inbound_messages") == true)

        let top = #"{"text":"hello","receivedAt":"2026-11-23T10:00:00+08:00"}"#
        let topError = #expect(throws: MessageLine.Failure.self) { try MessageLine.parse(top) }
        #expect(topError?.description.contains("'receivedAt'") == true)
    }

    @Test("wrong types, bad durations and a missing text are refused with the key named")
    func invalidValues() {
        let cases: [(String, String)] = [
            (#"{"subject":"no text"}"#, "text is required"),
            (#"{"text":"x","context":{"prior_inbound_messages":"two"}}"#, "context.prior_inbound_messages must be a whole number"),
            (#"{"text":"x","context":{"waiting_for":"five hours"}}"#, "context.waiting_for 'five hours' is not a duration"),
            (#"{"text":"x","received_at":"yesterday"}"#, "received_at 'yesterday' is not an ISO 8601 time"),
            (#"{"text":"x","context":{"reopening":"yes"}}"#, "context.reopening must be true or false"),
            (#"[1,2]"#, "JSON object"),
            (#"{"text":"x""#, "JSON object"),
        ]
        for (line, expected) in cases {
            let error = #expect(throws: MessageLine.Failure.self, "\(line)") { try MessageLine.parse(line) }
            #expect(error?.description.contains(expected) == true, "\(line): \(error?.description ?? "no error")")
        }
    }

    @Test("defaults: webhook channel, cli source, the given time when received_at is absent, no context")
    func defaults() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let message = try MessageLine.parse(#"{"id":"m1","text":"hello"}"#, now: now)
        #expect(message.id == "m1")
        #expect(message.input.channel == "webhook")
        #expect(message.input.source == "cli")
        #expect(message.input.receivedAt == now)
        #expect(message.input.context == nil)
    }
}
