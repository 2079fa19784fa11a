import Foundation
import Logging
import Synchronization
import SwitchboardCore
import Testing
@testable import HTTPServer

/// The live feed's reading of the audit trail. On PostgreSQL a sequence number can become visible after a
/// later one (numbers are taken at insert, rows are seen at commit), which a real database shows only by
/// chance; the trail here is a list the test reveals in the order it chooses.
@Suite("Event feed")
struct EventFeedTests {
    /// An audit trail whose rows become visible when the test says.
    final class RevealedTrail: AuditFeed {
        private let visible = Mutex<[FeedEvent]>([])

        func reveal(_ sequences: Int64...) {
            visible.withLock { rows in
                for sequence in sequences {
                    rows.append(FeedEvent(
                        sequence: sequence,
                        event: AuditEvent(
                            at: Date(timeIntervalSince1970: Double(sequence)), subjectKind: "message", subjectID: "m\(sequence)",
                            conversationID: "c\(sequence)", kind: "received", actor: "test", detail: [:]),
                        queue: "general", source: "demo"))
                }
            }
        }

        func auditEvents(after sequence: Int64, limit: Int) async throws -> [FeedEvent] {
            visible.withLock { rows in Array(rows.filter { $0.sequence > sequence }.sorted { $0.sequence < $1.sequence }.prefix(limit)) }
        }

        func latestAuditSequence() async throws -> Int64 {
            visible.withLock { $0.map(\.sequence).max() ?? 0 }
        }
    }

    /// The sequence numbers a stream has waiting: read up to a heartbeat handed on after them, so a
    /// missing event fails the test instead of blocking it.
    static func waiting(in feed: EventFeed, _ iterator: inout AsyncStream<EventFeed.Item>.Iterator) async -> [Int64] {
        feed.broadcast([.heartbeat])
        var received: [Int64] = []
        while let item = await iterator.next(), case let .event(event) = item { received.append(event.sequence) }
        return received
    }

    /// Reads are driven one by one (``EventFeed/poll()``) rather than by the feed's loop, so what each read
    /// hands on is exact whatever the machine's load.
    @Test("events reach a stream in the order they become visible, a late one within the look-back too, none twice")
    func lateCommits() async throws {
        let trail = RevealedTrail()
        trail.reveal(1, 2)
        let feed = EventFeed(store: trail, lookback: 10, logger: Logger(label: "test"))

        // What was written before the stream opened is history: it starts after 2.
        let (stream, _) = feed.subscribe(from: try await trail.latestAuditSequence())
        var iterator = stream.makeAsyncIterator()
        trail.reveal(3)
        try await feed.poll()
        #expect(await Self.waiting(in: feed, &iterator) == [3])
        // 5 commits before 4.
        trail.reveal(5)
        try await feed.poll()
        #expect(await Self.waiting(in: feed, &iterator) == [5])
        trail.reveal(4)
        try await feed.poll()
        #expect(await Self.waiting(in: feed, &iterator) == [4])
        // Read again with nothing new: nothing is handed on twice.
        try await feed.poll()
        #expect(await Self.waiting(in: feed, &iterator) == [])
        trail.reveal(6, 7)
        try await feed.poll()
        #expect(await Self.waiting(in: feed, &iterator) == [6, 7])
        #expect(feed.subscriberCount == 1)
    }

    @Test("a stream ends when the feed stops, and a feed that stopped opens no more")
    func shutdown() async throws {
        let trail = RevealedTrail()
        let feed = EventFeed(store: trail, interval: .milliseconds(10), heartbeat: .seconds(60), logger: Logger(label: "test"))
        let running = Task { try await feed.run() }
        let (stream, _) = feed.subscribe(from: 0)
        running.cancel()
        try await running.value
        var iterator = stream.makeAsyncIterator()
        while await iterator.next() != nil {}
        let (late, _) = feed.subscribe(from: 0)
        var lateIterator = late.makeAsyncIterator()
        #expect(await lateIterator.next() == nil)
        #expect(feed.subscriberCount == 0)
    }
}
