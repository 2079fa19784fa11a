import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import ServiceLifecycle
import SwitchboardCore

/// `GET /v1/events`: changes as server-sent events, for the console's live views.
extension API {
    /// One event as the stream carries it: enough to know what to fetch again, no customer content.
    struct StreamedEvent: Encodable {
        var seq: Int64
        var at: Date
        var kind: String
        var conversationId: String
        var subjectKind: String
        var subjectId: String
        var actor: String
        var queue: String?
    }

    /// Most events a resuming stream is sent from the store before it goes live; a client further behind
    /// reloads its views instead.
    static let eventBacklogLimit = 1_000

    /// Streams every audit event the caller may see as it is written: `id:` is the event's sequence
    /// number, so a reconnecting `EventSource` resumes with `Last-Event-ID` (or `?last_event_id=`) and
    /// gets what it missed from the store first.
    func streamEvents(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let identity = context.identity
        let resumeAfter = try Self.resumePoint(request)
        let latest = try await store.latestAuditSequence()
        let (stream, subscription) = events.subscribe(from: latest)
        let store = self.store
        let encoder = JSONBody.encoder
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", .xContentTypeOptions: "nosniff",
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { [events] writer in
            defer { events.unsubscribe(subscription) }
            var sent = resumeAfter ?? latest
            func send(_ items: [FeedEvent]) async throws {
                var buffer = ByteBuffer()
                for item in items where item.sequence > sent {
                    sent = item.sequence
                    guard Self.visible(item, to: identity) else { continue }
                    let data = try encoder.encode(StreamedEvent(
                        seq: item.sequence, at: item.event.at, kind: item.event.kind, conversationId: item.event.conversationID,
                        subjectKind: item.event.subjectKind, subjectId: item.event.subjectID, actor: item.event.actor, queue: item.queue))
                    buffer.writeString("id: \(item.sequence)\ndata: ")
                    buffer.writeBytes(data)
                    buffer.writeString("\n\n")
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
            // The reconnection delay a browser waits; then a `ready` event whose id is where the stream starts,
            // so a client that has seen no event yet still resumes from there when it reconnects (a browser
            // sends it back as Last-Event-ID), and a first line goes out at once through any proxy.
            try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\nid: \(sent)\nevent: ready\ndata: {\"seq\":\(sent)}\n\n"))
            if let resumeAfter {
                try await send(store.auditEvents(after: resumeAfter, limit: Self.eventBacklogLimit))
            }
            var checkedGap = false
            // A shutting-down gateway ends its streams (the browsers reconnect to another) rather than wait for them.
            try await withGracefulShutdownHandler {
                for await item in stream {
                    switch item {
                    case .heartbeat:
                        try await writer.write(ByteBuffer(string: ": beat\n\n"))
                    case let .event(event):
                        // What was written between reading the backlog (or the latest number) and the feed's
                        // position when this stream joined is fetched once.
                        if !checkedGap, event.sequence > sent + 1 {
                            try await send(store.auditEvents(after: sent, limit: Self.eventBacklogLimit).filter { $0.sequence < event.sequence })
                        }
                        checkedGap = true
                        try await send([event])
                    }
                }
            } onGracefulShutdown: {
                events.unsubscribe(subscription)
            }
            try await writer.finish(nil)
        })
    }

    /// Where a reconnecting stream resumes: after `Last-Event-ID`, or `?last_event_id=`; nil for a new stream.
    static func resumePoint(_ request: Request) throws -> Int64? {
        let header: String? = request.headers[.lastEventID]
        let query: String? = request.uri.queryParameters.get("last_event_id").map { String($0) }
        guard let text = header ?? query else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw APIError.badRequest("Last-Event-ID must be the id of an event this stream sent")
        }
        return value
    }

    /// Whether a scoped token may see the event's conversation: by its source and its queue now.
    static func visible(_ event: FeedEvent, to identity: AccessToken?) -> Bool {
        guard let identity, identity.isScoped else { return true }
        if let sources = identity.sources, !sources.contains(event.source ?? "") { return false }
        if let queues = identity.queues, !queues.contains(event.queue ?? "") { return false }
        return true
    }
}
