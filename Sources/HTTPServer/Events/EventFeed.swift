import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import SwitchboardCore

/// Reads the audit trail as it grows and hands every new event to each open event stream
/// (`GET /v1/events`): one reader for all of this gateway's streams, however many agents have a console open.
///
/// The trail is the store's, so changes made on another gateway sharing the store arrive too. A
/// sequence number is taken when a transaction writes and can become visible after a later one (on
/// PostgreSQL), so each read starts `lookback` numbers below the highest seen and skips what it already
/// handed on.
public final class EventFeed: Service, Sendable {
    /// What a stream receives: an event, or a beat that keeps an idle connection open through proxies.
    public enum Item: Sendable, Equatable {
        case event(FeedEvent)
        case heartbeat
    }

    private struct State {
        var subscribers: [UInt64: AsyncStream<Item>.Continuation] = [:]
        var nextID: UInt64 = 0
        /// The highest sequence number handed on; nil before the first read.
        var high: Int64?
        /// Numbers handed on within `lookback` of `high`.
        var recent: Set<Int64> = []
        /// Where the feed started: what was written before is history, for `Last-Event-ID` to fetch.
        var floor: Int64 = 0
        var finished = false
    }

    private let store: any AuditFeed
    private let interval: Duration
    private let heartbeatEvery: Duration
    private let lookback: Int64
    private let logger: Logger
    private let state = Mutex(State())
    /// Most items a stream may have waiting; a reader that falls further behind is closed, and resumes
    /// from the store with `Last-Event-ID`.
    static let streamBuffer = 2_000

    /// - Parameters:
    ///   - interval: how often the trail is read while a stream is open.
    ///   - heartbeat: how often an idle stream gets a beat.
    public init(store: any AuditFeed, interval: Duration = .milliseconds(250), heartbeat: Duration = .seconds(15), lookback: Int64 = 200, logger: Logger) {
        self.store = store
        self.interval = interval
        self.heartbeatEvery = heartbeat
        self.lookback = lookback
        self.logger = logger
    }

    /// A stream of what is written after `sequence` (the trail's latest, read by the caller), and the id
    /// that ends it (``unsubscribe(_:)``). The first stream starts the feed's reading there; a later one
    /// joins where the feed is, and fetches anything between from the store itself.
    public func subscribe(from sequence: Int64) -> (stream: AsyncStream<Item>, id: UInt64) {
        let (stream, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingOldest(Self.streamBuffer))
        let id: UInt64? = state.withLock { state in
            guard !state.finished else { return nil }
            if state.high == nil {
                state.high = sequence
                state.floor = sequence
                state.recent = []
            }
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return (stream, 0)
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return (stream, id)
    }

    /// Ends the stream `id` (its reader went away, or fell too far behind).
    public func unsubscribe(_ id: UInt64) {
        let continuation = state.withLock { $0.subscribers.removeValue(forKey: id) }
        continuation?.finish()
    }

    /// How many streams are open.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Reads the trail while streams are open, until graceful shutdown, which ends every stream.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var sinceBeat = Duration.zero
            while !Task.isCancelled {
                // With no stream open there is nothing to hand on, and the next stream to open says where to start.
                let idle = self.state.withLock { state in
                    if state.subscribers.isEmpty { state.high = nil }
                    return state.subscribers.isEmpty
                }
                if !idle {
                    do {
                        try await self.poll()
                    } catch {
                        self.logger.warning("the event feed could not read the audit trail; it retries", metadata: ["error.type": "\(type(of: error))"])
                    }
                }
                sinceBeat += self.interval
                if sinceBeat >= self.heartbeatEvery {
                    sinceBeat = .zero
                    self.broadcast([.heartbeat])
                }
                try? await Task.sleep(for: self.interval)
            }
        }
        let open = state.withLock { state in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for continuation in open { continuation.finish() }
    }

    /// Reads what was written since the last read and hands it on.
    func poll() async throws {
        guard let high = state.withLock({ $0.high }) else { return }
        var after = max(0, high - lookback)
        while true {
            let page = try await store.auditEvents(after: after, limit: Self.pageSize)
            let fresh: [FeedEvent] = state.withLock { state in
                var fresh: [FeedEvent] = []
                for event in page where event.sequence > state.floor && state.recent.insert(event.sequence).inserted {
                    fresh.append(event)
                    state.high = max(state.high ?? 0, event.sequence)
                }
                // Below the window nothing is read again, so nothing there needs remembering.
                let windowStart = (state.high ?? 0) - lookback
                state.recent = state.recent.filter { $0 > windowStart }
                return fresh
            }
            broadcast(fresh.map(Item.event))
            guard page.count == Self.pageSize, let last = page.last else { return }
            after = last.sequence
        }
    }

    static let pageSize = 500

    /// Hands `items` to every open stream; a stream whose buffer is full is closed (its reader resumes
    /// from the store).
    func broadcast(_ items: [Item]) {
        guard !items.isEmpty else { return }
        let overflowed: [UInt64] = state.withLock { state in
            var overflowed: [UInt64] = []
            for (id, continuation) in state.subscribers {
                for item in items {
                    if case .dropped = continuation.yield(item) {
                        overflowed.append(id)
                        break
                    }
                }
            }
            return overflowed
        }
        for id in overflowed { unsubscribe(id) }
    }
}
