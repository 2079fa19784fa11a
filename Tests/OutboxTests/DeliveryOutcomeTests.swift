import Foundation
import Outbox
import SwitchboardCore
import Testing

@Suite("Delivery outcome")
struct DeliveryOutcomeTests {
    /// One row of the retry decision: a channel's answer to an attempt, and what is recorded.
    struct Decision: Sendable, CustomTestStringConvertible {
        var name: String
        var answer: DeliveryOutcome
        var attempt: Int
        var jitter: Double = 1
        var recorded: DeliveryOutcome
        var testDescription: String { name }
    }

    /// Five attempts, 2 s doubling up to 60 s.
    static let policy = RetryPolicy(maxAttempts: 5, initialBackoff: .seconds(2), maxBackoff: .seconds(60))

    static let decisions: [Decision] = [
        Decision(
            name: "delivered stands", answer: .delivered(detail: "HTTP 200", messageID: "<m@x>"), attempt: 1,
            recorded: .delivered(detail: "HTTP 200", messageID: "<m@x>")),
        Decision(
            name: "submitted stands", answer: .submitted(detail: "HTTP 201", providerMessageID: "SM1"), attempt: 5,
            recorded: .submitted(detail: "HTTP 201", providerMessageID: "SM1")),
        Decision(
            name: "a permanent failure is not retried, attempts left or not", answer: .failed(error: "HTTP 400"), attempt: 1,
            recorded: .failed(error: "HTTP 400")),
        Decision(
            name: "first failure waits the initial backoff", answer: .retry(error: "HTTP 503", after: nil), attempt: 1,
            recorded: .retry(error: "HTTP 503", after: 2)),
        Decision(
            name: "third failure waits four times as long", answer: .retry(error: "HTTP 503", after: nil), attempt: 3,
            recorded: .retry(error: "HTTP 503", after: 8)),
        Decision(
            name: "jitter draws from the upper half", answer: .retry(error: "HTTP 503", after: nil), attempt: 3, jitter: 0.5,
            recorded: .retry(error: "HTTP 503", after: 4)),
        Decision(
            name: "retry-after longer than the backoff is honoured", answer: .retry(error: "HTTP 429", after: 30), attempt: 1,
            recorded: .retry(error: "HTTP 429", after: 30)),
        Decision(
            name: "retry-after shorter than the backoff does not shorten it", answer: .retry(error: "HTTP 429", after: 1), attempt: 3,
            recorded: .retry(error: "HTTP 429", after: 8)),
        Decision(
            name: "retry-after is capped at the maximum backoff", answer: .retry(error: "HTTP 429", after: 3_600), attempt: 1,
            recorded: .retry(error: "HTTP 429", after: 60)),
        Decision(
            name: "the last attempt left still retries", answer: .retry(error: "SMTP 451", after: nil), attempt: 4,
            recorded: .retry(error: "SMTP 451", after: 16)),
        Decision(
            name: "a failed last attempt is dead-lettered", answer: .retry(error: "SMTP 451", after: nil), attempt: 5,
            recorded: .deadLettered(error: "SMTP 451 (gave up after 5 attempts)")),
        Decision(
            name: "attempts beyond the maximum (lowered since) are dead-lettered", answer: .retry(error: "HTTP 503", after: 10), attempt: 7,
            recorded: .deadLettered(error: "HTTP 503 (gave up after 7 attempts)")),
    ]

    @Test("the retry policy decides what is recorded", arguments: decisions)
    func decide(_ row: Decision) {
        #expect(Self.policy.decide(row.answer, attempt: row.attempt, jitter: row.jitter) == row.recorded)
    }

    @Test("the backoff is capped at the maximum")
    func cappedBackoff() {
        let policy = RetryPolicy(maxAttempts: 20, initialBackoff: .seconds(2), maxBackoff: .seconds(60))
        #expect(policy.decide(.retry(error: "e", after: nil), attempt: 7, jitter: 1) == .retry(error: "e", after: 60))
        #expect(policy.decide(.retry(error: "e", after: nil), attempt: 12, jitter: 0.5) == .retry(error: "e", after: 30))
    }

    @Test("without a fixed jitter the delay falls in the upper half of the backoff")
    func randomJitter() {
        for _ in 0..<200 {
            let delay = Self.policy.delay(afterAttempt: 3, retryAfter: nil)
            #expect((4...8).contains(delay))
        }
    }

    /// The metric label and the stored status are read off the outcome; dashboards and the API depend
    /// on these exact strings.
    @Test(
        "each outcome names its metric label and the status it stores",
        arguments: [
            (DeliveryOutcome.delivered(detail: nil), "delivered", OutboxStatus.delivered),
            (.submitted(detail: nil, providerMessageID: nil), "sent", .sent),
            (.retry(error: "e", after: 1), "retry", .queued),
            (.failed(error: "e"), "failed", .failed),
            (.deadLettered(error: "e"), "dead_lettered", .deadLettered),
        ])
    func labelAndStatus(_ outcome: DeliveryOutcome, label: String, status: OutboxStatus) {
        #expect(outcome.label == label)
        #expect(outcome.status == status)
        #expect(status.rawValue == (label == "retry" ? "queued" : label))
    }
}
