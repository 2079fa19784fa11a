import Curl
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SwitchboardCore

/// Polls one IMAP mailbox and hands each new message to intake, one service per configured mailbox so
/// a mailbox is never polled twice at once.
///
/// Each fetch of `batch_size` messages is committed in one transaction (``MessageIntake/accept(batch:)``),
/// and progress, the mailbox's UIDVALIDITY and the last UID stored, in that same transaction: a crash
/// re-fetches at most what was not yet committed, and de-duplication by Message-ID absorbs that. A
/// message that fails stops its fetch there, the cursor before it. A UIDVALIDITY change restarts the numbering; the re-read finds the same
/// Message-IDs and stores nothing twice. Only after a message is committed is it marked `\Seen` or moved,
/// several fetches' worth at a time (``marksPerCommand``).
public final class IMAPIntake: Service {
    private let normalizer: EmailNormalizer
    private let mailbox: EmailSource.Mailbox
    private let intake: any MessageIntake
    private let store: any IntakeStore
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    /// The mailbox's OAuth2 tokens and how their failures are reported; nil for a password login.
    private let login: (tokens: any AccessTokenSource, report: MailAuthReport)?
    /// Held while polling when several gateways share the store; nil polls unconditionally.
    private let lease: PollingLease?

    /// - Parameters:
    ///   - tokens: where an OAuth2 mailbox's access tokens come from; by default a new source made from
    ///     `mailbox.oauth`.
    ///   - lease: the lease that lets one gateway at a time poll the mailbox, when several share the store.
    public init(
        source: EmailSource, mailbox: EmailSource.Mailbox, intake: any MessageIntake, store: any IntakeStore,
        logger: Logger, metricsFactory: any MetricsFactory, tokens: (any AccessTokenSource)? = nil, lease: PollingLease? = nil
    ) {
        self.lease = lease
        self.normalizer = EmailNormalizer(source: source)
        self.mailbox = mailbox
        self.intake = intake
        self.store = store
        var logger = logger
        logger[metadataKey: "mailbox.source"] = "\(source.id)"
        logger[metadataKey: "mailbox.name"] = "\(mailbox.mailbox)"
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.login = mailbox.oauth.map { settings in
            (tokens ?? settings.tokenSource(logger: logger),
             MailAuthReport(sourceID: source.id, mailProtocol: "imap", settings: settings, logger: logger, metricsFactory: metricsFactory))
        }
    }

    private var sourceID: String { normalizer.source.id }

    public func run() async throws {
        var endpoint = mailbox.endpoint
        endpoint.saslMechanism = mailbox.oauth?.mechanism ?? endpoint.saslMechanism
        let session = CurlIMAPSession(endpoint: endpoint, mailbox: mailbox.mailbox, logger: logger)
        defer { session.close() }
        var failures = 0
        // Whether this gateway polled the mailbox last time: an operator sees in the log which node polls it,
        // and when it passes to another.
        var polling = false
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            var delay = mailbox.pollInterval
            do {
                let polled = try await pollHoldingLease(session) != nil
                if polled == false {
                    // Another gateway polls it: look again soon enough to take it over within a lease of its death.
                    delay = min(mailbox.pollInterval, lease?.renewEvery ?? mailbox.pollInterval)
                }
                if let lease, polled != polling {
                    logger.notice(
                        polled ? "this gateway polls the mailbox now" : "another gateway polls the mailbox now",
                        metadata: ["node.id": "\(lease.node)"])
                }
                polling = polled
                failures = 0
            } catch {
                failures += 1
                // Back off on a failing server, but never past five poll intervals or five minutes.
                delay = min(mailbox.pollInterval * min(failures, 5), max(mailbox.pollInterval, .seconds(300)))
                // A login failure was logged with its detail already. Either way the cursor stays where it is,
                // so the next poll that works imports what arrived meanwhile, once.
                if !(error is MailAuthError) {
                    logger.error("mailbox poll failed", metadata: ["error": "\(error)", "mailbox.failures": "\(failures)"])
                }
                Counter(label: "switchboard_mailbox_poll_failures_total", dimensions: [("source", sourceID)], factory: metricsFactory).increment()
            }
            await sleep(delay)
        }
        // Given up at shutdown, so another gateway takes the mailbox over at once rather than when the lease runs out.
        await lease?.release(leaseName)
    }

    /// The mailbox's lease name, the same on every gateway.
    private var leaseName: String { "imap:\(sourceID):\(mailbox.mailbox)" }

    /// Polls once if this gateway holds the mailbox's lease (taking it when it is free), renewing the lease while
    /// the poll runs; nil when another gateway holds it. A poll whose lease is lost (its renewal refused) is
    /// stopped, so two gateways never poll the mailbox at once.
    private func pollHoldingLease(_ session: CurlIMAPSession) async throws -> Int? {
        guard let lease else { return try await poll(session) }
        guard try await lease.acquire(leaseName) else {
            logger.debug("mailbox polled by another gateway")
            return nil
        }
        let name = leaseName
        return try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { try await self.poll(session) }
            group.addTask {
                while true {
                    try await Task.sleep(for: lease.renewEvery)
                    guard try await lease.acquire(name) else { throw SwitchboardError(.storageFailure, "the mailbox's lease passed to another gateway") }
                }
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// Fetches and commits everything new; returns how many messages were committed (duplicates included).
    /// An OAuth2 mailbox first gets a token for the session. When there is none, or the server refuses it,
    /// the poll throws a ``MailAuthError`` and the cursor stays after the last message committed, as for any
    /// failed poll; a refused token is dropped, so the next poll fetches a new one.
    @discardableResult
    public func poll(_ session: CurlIMAPSession) async throws -> Int {
        guard let login else { return try await pollMailbox(session) }
        let (tokens, report) = login
        let token: String
        do {
            token = try await tokens.accessToken()
        } catch {
            report.failed(error)
            throw error
        }
        session.useAccessToken(token)
        do {
            let committed = try await pollMailbox(session)
            report.succeeded()
            return committed
        } catch let error as CurlError where error.isLoginDenied {
            await tokens.invalidate(token)
            let failure = MailAuthReport.loginDenied(error)
            report.failed(failure)
            throw failure
        }
    }

    private func pollMailbox(_ session: CurlIMAPSession) async throws -> Int {
        let status = try await session.status()
        let cursor = try await store.intakeCursor(source: sourceID, stream: mailbox.mailbox)
        var next: UInt32 = 1
        if let cursor {
            if cursor.validity == Int64(status.uidValidity) {
                next = UInt32(clamping: cursor.position + 1)
            } else {
                logger.notice("mailbox UIDVALIDITY changed; reading it again, messages already stored are recognized by Message-ID", metadata: [
                    "mailbox.uidvalidity.old": "\(cursor.validity)", "mailbox.uidvalidity.new": "\(status.uidValidity)",
                ])
            }
        }
        // No shortcut through UIDNEXT: servers may answer STATUS for the selected mailbox from a view that
        // has not seen new mail yet, while SEARCH always looks.
        let uids = try await session.uids(from: next)
        var committed = 0
        var start = 0
        func nextBatch() -> [UInt32] {
            let batch = Array(uids[start..<min(start + mailbox.batchSize, uids.count)])
            start += batch.count
            return batch
        }
        // Committed messages are marked on the server a few batches at a time: marking needs the mailbox
        // selected read-write and each fetch examines it read-only again, a round trip and a mailbox sync
        // each way. Until it is marked a message is only left unflagged; the cursor is past it already.
        var unmarked: [UInt32] = []
        do {
            var batch = nextBatch()
            var fetched = batch.isEmpty ? [] : try await session.fetch(uids: batch, expectedUIDValidity: status.uidValidity)
            while !batch.isEmpty, !Task.isCancelled {
                // The next fetch runs on the session while this one is read and committed (which needs only
                // the store); the session marks this one only after both, and only what was committed.
                let upcoming = nextBatch()
                async let following = upcoming.isEmpty
                    ? [] : session.fetch(uids: upcoming, expectedUIDValidity: status.uidValidity)
                fetched.sort { $0.uid < $1.uid }
                // Parsing is the intake's largest share of work that needs neither the store nor the server.
                let (normalizer, sourceID, stream) = (normalizer, sourceID, mailbox.mailbox)
                let messages = await fetched.parallelMap { message in
                    normalizer.inbound(from: message.data, cursor: IntakeCursor(
                        source: sourceID, stream: stream, validity: Int64(status.uidValidity), position: Int64(message.uid)))
                }
                // One transaction for the fetch, the cursor with its last message; the results are the messages
                // committed, in order, then failures only, so `done` never passes a message that was not stored.
                let results = await intake.accept(batch: messages)
                let next: Result<[IMAPFetchedMessage], any Error>
                do { next = .success(try await following) } catch { next = .failure(error) }
                var done: [UInt32] = []
                var failure: (any Error)?
                for (message, result) in zip(fetched, results) {
                    switch result {
                    case let .success(result):
                        done.append(message.uid)
                        Counter(label: "switchboard_mailbox_messages_total", dimensions: [("source", sourceID), ("result", result.duplicate ? "duplicate" : "stored")], factory: metricsFactory).increment()
                    case let .failure(error):
                        failure = error
                    }
                    if failure != nil { break }
                }
                committed += done.count
                unmarked += done
                if let failure { throw failure }
                if results.count < fetched.count { throw SwitchboardError(.storageFailure, "intake answered for fewer messages than it was given") }
                if unmarked.count >= Self.marksPerCommand {
                    await afterImport(unmarked, session: session)
                    unmarked = []
                }
                batch = upcoming
                fetched = try next.get()
            }
        } catch {
            await afterImport(unmarked, session: session)
            throw error
        }
        await afterImport(unmarked, session: session)
        return committed
    }

    /// Committed messages marked (or moved) on the server in one go.
    static let marksPerCommand = 500

    /// Marks committed messages on the server. A failure here loses nothing: the cursor is past them, so
    /// they are only left unflagged.
    private func afterImport(_ uids: [UInt32], session: CurlIMAPSession) async {
        guard !uids.isEmpty else { return }
        do {
            switch mailbox.afterImport {
            case .markSeen: try await session.addFlags(["\\Seen"], uids: uids)
            case let .move(folder): try await session.move(uids: uids, to: folder)
            case .leave: break
            }
        } catch {
            logger.warning("could not mark imported messages on the server", metadata: ["error": "\(error)", "mailbox.uids": "\(uids.count)"])
        }
    }

    /// Waits until the next poll is due; a graceful shutdown ends the wait.
    private func sleep(_ delay: Duration) async {
        _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
    }
}
