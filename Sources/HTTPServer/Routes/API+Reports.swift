import Conversations
import Foundation
import Hummingbird
import SwitchboardCore

/// Supervisors' and ops' service report: `GET /v1/reports/service?from=&to=&queue=`.
extension API {
    func serviceReport(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw APIError.unauthorized }
        let query = request.uri.queryParameters
        let now = reports.now()
        let to = try Self.reportTime(query, "to") ?? now
        let from = try Self.reportTime(query, "from") ?? to.addingTimeInterval(-ServiceReport.defaultPeriod)
        guard from < to else { throw APIError.badRequest("parameter 'from' must be before 'to'") }
        guard to.timeIntervalSince(from) <= ServiceReport.longestPeriod else {
            throw APIError.badRequest("parameters 'from' and 'to' span more than 366 days; ask for a shorter period")
        }
        var queue: String?
        if let text = query.get("queue") {
            guard !text.isEmpty, text.count <= 200 else { throw APIError.badRequest("parameter 'queue' must be a queue id of 1 to 200 characters") }
            try Self.refuseControls(["queue": text])
            // Outside the token's queues the queue is answered as if it did not exist (as its listing is).
            guard identity.covers(queue: text) else { throw APIError.notFound("queue '\(text.excerptForMessage())' does not exist") }
            queue = text
        }
        let report = try await reports.report(from: from, to: to, queue: queue, sources: identity.sources, queues: identity.queues)
        // A queue the rules no longer name still reports while its conversations or survey answers are in the period.
        if let queue, report.queues.isEmpty, rules.current.rules.queue(id: queue) == nil {
            throw APIError.notFound("queue '\(queue.excerptForMessage())' does not exist")
        }
        return try JSONBody.response(ServiceReportView(report, queue: queue))
    }

    /// A time parameter in ISO 8601 with its zone; nil when absent.
    static func reportTime(_ query: Parameters, _ name: String) throws -> Date? {
        guard let text = query.get(name) else { return nil }
        // A '+' of a zone offset left unescaped in a query string arrives as a space; ISO 8601 has no spaces.
        guard let date = Date(iso8601: text.replacingOccurrences(of: " ", with: "+")) else {
            throw APIError.badRequest("parameter '\(name)' must be an ISO 8601 time with its zone, such as 2027-01-31T18:00:00Z")
        }
        return date
    }

    /// The report as the API answers it: every figure present, `null` when its denominator is 0.
    struct ServiceReportView: Encodable {
        var report: ServiceReport
        var queue: String?

        init(_ report: ServiceReport, queue: String?) {
            self.report = report
            self.queue = queue
        }

        enum CodingKeys: String, CodingKey {
            case from, to, generatedAt, queue, thresholds, overall, queues, channels
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(report.from, forKey: .from)
            try container.encode(report.to, forKey: .to)
            try container.encode(report.generatedAt, forKey: .generatedAt)
            try container.encode(queue, forKey: .queue)
            try container.encode(
                [
                    "sla_attainment": ServiceThresholds.slaAttainment, "first_contact_resolution": ServiceThresholds.firstContactResolution,
                    "csat": ServiceThresholds.csat,
                ],
                forKey: .thresholds)
            try container.encode(SummaryView(report.overall), forKey: .overall)
            try container.encode(report.queues.map(SummaryView.init), forKey: .queues)
            try container.encode(report.channels.map(SummaryView.init), forKey: .channels)
        }
    }

    /// One group's figures: a queue's have `queue`, a channel's `channel`, the overall ones neither.
    struct SummaryView: Encodable {
        var summary: ServiceSummary

        init(_ summary: ServiceSummary) {
            self.summary = summary
        }

        enum CodingKeys: String, CodingKey {
            case queue, channel, conversations, firstResponse, resolution, escalationRate, escalated, reopenRate, reopened, resolved
            case firstContactResolution, resolvedAtFirstContact, repeatContactRate, repeatContacts, csat, csatResponses, nps, npsResponses
            case flags
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            if let queue = summary.queue { try container.encode(queue, forKey: .queue) }
            if let channel = summary.channel { try container.encode(channel.rawValue, forKey: .channel) }
            try container.encode(summary.conversations, forKey: .conversations)
            try container.encode(ClockView(summary.firstResponse), forKey: .firstResponse)
            try container.encode(ClockView(summary.resolution), forKey: .resolution)
            try container.encode(summary.escalationRate, forKey: .escalationRate)
            try container.encode(summary.escalated, forKey: .escalated)
            try container.encode(summary.reopenRate, forKey: .reopenRate)
            try container.encode(summary.reopened, forKey: .reopened)
            try container.encode(summary.resolved, forKey: .resolved)
            try container.encode(summary.firstContactResolution, forKey: .firstContactResolution)
            try container.encode(summary.resolvedAtFirstContact, forKey: .resolvedAtFirstContact)
            try container.encode(summary.repeatContactRate, forKey: .repeatContactRate)
            try container.encode(summary.repeatContacts, forKey: .repeatContacts)
            try container.encode(summary.csat, forKey: .csat)
            try container.encode(summary.surveys.csatResponses, forKey: .csatResponses)
            try container.encode(summary.nps, forKey: .nps)
            try container.encode(summary.surveys.npsResponses, forKey: .npsResponses)
            try container.encode(summary.flags.map(FlagView.init), forKey: .flags)
        }
    }

    /// One clock's times and attainment.
    struct ClockView: Encodable {
        var clock: ClockAttainment

        init(_ clock: ClockAttainment) {
            self.clock = clock
        }

        enum CodingKeys: String, CodingKey {
            case p50Seconds = "p50_seconds", p90Seconds = "p90_seconds", attainment, met, counted, fulfilled
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(clock.p50Seconds, forKey: .p50Seconds)
            try container.encode(clock.p90Seconds, forKey: .p90Seconds)
            try container.encode(clock.attainment, forKey: .attainment)
            try container.encode(clock.met, forKey: .met)
            try container.encode(clock.counted, forKey: .counted)
            try container.encode(clock.fulfilled, forKey: .fulfilled)
        }
    }

    struct FlagView: Encodable {
        var metric: String
        var value: Double
        var threshold: Double

        init(_ flag: ServiceFlag) {
            metric = flag.metric.rawValue
            value = flag.value
            threshold = flag.threshold
        }
    }
}
