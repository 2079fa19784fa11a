import BlockingWork
import Foundation
import SwitchboardCore
import Logging
import Metrics
import Pipeline
import ServiceLifecycle
import StrictYAML
import Synchronization
import UnixSignals

/// Reloads `Rules/` when its files change, on SIGHUP (which also runs `onSIGHUP`: the token reload), or when asked through the API: the new directory
/// is validated completely, then swapped in atomically; if it is invalid the last good rules keep
/// serving and the problems are logged and shown at `GET /v1/rules`.
public final class RuleReloader: Service {
    private let directory: String
    private let book: RuleBook
    private let interval: Duration
    private let channels: [ChannelKind]
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    /// Signalled by SIGHUP and the API: a reload is wanted now.
    private let requested = WakeSignal()
    /// Serializes reloads from the watcher, the signal and the API.
    private let reloading = Mutex<Void>(())
    /// What else SIGHUP reloads (the API tokens).
    private let onSIGHUP: @Sendable () -> Void

    /// - Parameters:
    ///   - interval: how often the directory is checked for changes.
    ///   - channels: the channels rules may name: those the gateway runs.
    ///   - onSIGHUP: run on each SIGHUP besides asking for a rules reload.
    public init(
        directory: String, book: RuleBook, interval: Duration, channels: [ChannelKind] = ChannelKind.known, logger: Logger,
        metricsFactory: any MetricsFactory, onSIGHUP: @escaping @Sendable () -> Void = {}
    ) {
        self.directory = directory
        self.book = book
        self.interval = interval
        self.channels = channels
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.onSIGHUP = onSIGHUP
    }

    /// Asks the watcher for a reload now.
    public func requestReload() {
        requested.signal()
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    self.logger.notice("SIGHUP received: reloading rules and tokens")
                    self.requestReload()
                    self.onSIGHUP()
                }
            }
            var fingerprint = Self.fingerprint(of: directory)
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                let asked = await cancelWhenGracefulShutdown { await self.requested.wait(upTo: self.interval) }
                guard !Task.isCancelled, !Task.isShuttingDownGracefully else { break }
                let current = Self.fingerprint(of: directory)
                if current != fingerprint || asked {
                    fingerprint = current
                    await reload()
                }
            }
            group.cancelAll()
        }
    }

    /// Validates and swaps in the directory now, compiling on ``BlockingWork``'s threads so that neither a
    /// request handler nor the cooperative pool waits on vectorscan. Returns the problems, empty on success.
    @discardableResult
    public func reload() async -> [String] {
        do {
            return try await BlockingWork.run { self.reloadBlocking() }
        } catch {
            return ["\(directory): rules not reloaded: the blocking-work pool has stopped"]
        }
    }

    /// The reload itself: blocking, one at a time.
    private func reloadBlocking() -> [String] {
        reloading.withLock { _ in
            let previous = book.current.rules.version
            do {
                let edition = try RuleDirectory.load(directory, channels: channels)
                book.replace(with: edition)
                Counter(label: "switchboard_rules_reloads_total", dimensions: [("result", "ok")], factory: metricsFactory).increment()
                if edition.rules.version != previous {
                    logger.notice("rules reloaded", metadata: ["rules.version": "\(edition.rules.version)", "rules.previous_version": "\(previous)"])
                }
                return []
            } catch {
                let problems = (error as? Problems)?.problems.map(\.description) ?? ["\(directory): cannot load rules"]
                book.recordFailure(problems: problems)
                Counter(label: "switchboard_rules_reloads_total", dimensions: [("result", "invalid")], factory: metricsFactory).increment()
                logger.error("rules not reloaded: the new rules are invalid; the previous rules keep serving", metadata: [
                    "rules.version": "\(previous)", "rules.problems": .array(problems.map { .string($0) }),
                ])
                return problems
            }
        }
    }

    /// Paths, sizes and modification times of every file under the directory: changes when any file does.
    static func fingerprint(of directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var entries: [String] = []
        while let path = enumerator.nextObject() as? String {
            let attributes = enumerator.fileAttributes ?? [:]
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            entries.append("\(path)|\(size)|\(modified)")
        }
        return entries.sorted()
    }
}
