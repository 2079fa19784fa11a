import Foundation
import Logging
import Metrics
import SwitchboardCore

/// Delivers replies as SMS through each source's provider: the reply is checked against the source's
/// segment limit, spaced to its sending rate, submitted, and then waits as `sent` for the provider's
/// delivery report.
public struct SMSChannel: OutboundChannel {
    public let kind: ChannelKind = .sms

    struct Route: Sendable {
        var source: SMSSource
        var provider: any SMSProvider
        var limiter: SendRateLimiter
    }

    private let routes: [String: Route]
    private let address: PublicAddress
    private let logger: Logger

    /// - Parameters:
    ///   - providers: each source with the provider that carries it.
    ///   - address: the public base URL delivery reports are sent to.
    public init(sources: [(SMSSource, any SMSProvider)], address: PublicAddress, logger: Logger) {
        var routes: [String: Route] = [:]
        for (source, provider) in sources {
            routes[source.id] = Route(source: source, provider: provider, limiter: SendRateLimiter(perSecond: source.sendRate))
        }
        self.routes = routes
        self.address = address
        self.logger = logger
    }

    public func validateReply(_ body: String, source: String) throws(SwitchboardError) {
        guard let route = routes[source] else { return }
        _ = try Self.segments(of: body, limit: route.source.maxSegments)
    }

    /// The segments a body would go out in, or why it cannot go out.
    static func segments(of body: String, limit: Int) throws(SwitchboardError) -> SMSSegments {
        guard !body.isEmpty else { throw SwitchboardError(.replyTooLong, "an SMS reply must not be empty") }
        let segments = SMSSegments(body)
        guard segments.count <= limit else {
            let perSegment = segments.encoding == .gsm7 ? "153 GSM-7 characters" : "67 UCS-2 characters"
            throw SwitchboardError(
                .replyTooLong,
                "the reply needs \(segments.count) SMS segments (\(segments.units) \(segments.encoding.rawValue) units, \(perSegment) per segment); this source allows at most \(limit)")
        }
        return segments
    }

    public func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?) async -> DeliveryOutcome {
        guard let route = routes[entry.source] else {
            return .failed(error: "SMS source '\(entry.source)' is not configured")
        }
        let segments: SMSSegments
        do {
            segments = try Self.segments(of: entry.body, limit: route.source.maxSegments)
        } catch {
            // Queued before the limit was lowered: refusing it is better than a truncated text.
            return .failed(error: error.message)
        }
        do {
            try await route.limiter.acquire()
        } catch {
            return .retry(error: "shutting down before the send rate allowed this message", after: nil)
        }
        let message = OutgoingSMS(
            outboxID: entry.id, from: route.source.number, to: entry.recipient, text: entry.body, segments: segments,
            reportURL: address.base + "/v1/inbound/sms/" + FormEncoding.escape(route.source.id) + "/report")
        let outcome = await route.provider.submit(message)
        if case let .retry(_, retryAfter?) = outcome, retryAfter > 0 {
            route.limiter.pause(seconds: retryAfter)
            logger.notice("sms provider asked to slow down", metadata: [
                "source.id": "\(route.source.id)", "sms.provider": "\(route.source.provider.name)", "retry_after": "\(retryAfter)",
            ])
        }
        return outcome
    }
}
