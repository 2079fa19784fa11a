import Channels
import Foundation
import HTTPServer
import Outbox
import Pipeline
import PostgresStorage
import StrictYAML
import SwitchboardCore

extension GatewayConfiguration {
    /// The channels a source may name in `channel:`, in the order their endpoints are listed. A new channel
    /// is its folder under `Channels/` and its plugin in this list.
    public static let builtInChannels: [any ChannelPlugin.Type] = [WebhookPlugin.self, EmailPlugin.self, SMSPlugin.self]

    /// Loads and checks a configuration file, reporting every problem with its position.
    ///
    /// - Parameters:
    ///   - environment: where `env:` references are looked up (the process environment by default).
    ///   - channels: the channels its sources may use.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        channels: [any ChannelPlugin.Type] = builtInChannels
    ) throws(Problems) -> GatewayConfiguration {
        let log = ProblemLog()
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Problems([Problem(file: path, line: 0, column: 0, message: "configuration file is missing or not UTF-8")])
        }
        let root: YAMLValue
        switch YAMLValue.parse(text, file: path) {
        case let .success(value?): root = value
        case .success(nil): throw Problems([Problem(file: path, line: 0, column: 0, message: "configuration file is empty")])
        case let .failure(problem): throw Problems([problem])
        }
        // Relative paths in the file mean the same wherever the command runs: they start at the file's own directory.
        let baseDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
        var reader = SettingsReader(log: log, environment: environment, baseDirectory: baseDirectory)
        let configuration = reader.gatewayConfiguration(root, channels: channels)
        try log.throwIfAny()
        return configuration!
    }
}

/// Walks the configuration file: the gateway's own sections here, each source's keys in its channel's plugin.
extension SettingsReader {
    mutating func gatewayConfiguration(_ root: YAMLValue, channels: [any ChannelPlugin.Type]) -> GatewayConfiguration? {
        guard let top = root.mapping(log, what: "configuration", allowed: ["server", "storage", "rules_dir", "time_zone", "tokens", "sources", "outbox", "auto_reply", "retention", "notifications"]) else { return nil }

        var server = GatewayConfiguration.Server(host: "127.0.0.1", port: 8080, maxBodyBytes: 256 * 1024)
        if let map = top["server"]?.mapping(log, what: "server", allowed: ["host", "port", "max_body_bytes", "public_url", "idle_timeout", "max_header_bytes", "shutdown_timeout", "request_timeout", "max_connections", "client_failure_limit"]) {
            if let node = map["client_failure_limit"] { server.clientFailureLimit = rateLimit(node, what: "client_failure_limit") }
            server.shutdownTimeout = duration(map, "shutdown_timeout") ?? server.shutdownTimeout
            server.idleTimeout = duration(map, "idle_timeout") ?? server.idleTimeout
            server.requestTimeout = duration(map, "request_timeout") ?? server.requestTimeout
            server.maxConnections = map.int("max_connections", in: "server", log) ?? server.maxConnections
            if !(1...1_000_000).contains(server.maxConnections) {
                log.report("max_connections must be between 1 and 1000000", at: map["max_connections"]!)
            }
            server.maxHeaderBytes = map.int("max_header_bytes", in: "server", log) ?? server.maxHeaderBytes
            if !(1024...(1024 * 1024)).contains(server.maxHeaderBytes) {
                log.report("max_header_bytes must be between 1024 and 1048576", at: map["max_header_bytes"]!)
            }
            if let node = map["public_url"], let url = value(at: node, name: "public_url", secret: false) {
                if let components = SettingsReader.httpURL(url), components.query == nil {
                    server.publicURL = url
                } else {
                    log.report("public_url must be an http:// or https:// URL without a query, such as https://switchboard.example.com", at: node)
                }
            }
            server.host = map.string("host", in: "server", log) ?? server.host
            server.port = map.int("port", in: "server", log) ?? server.port
            if !(0...65535).contains(server.port) { log.report("port must be 0 to 65535", at: map["port"]!) }
            server.maxBodyBytes = map.int("max_body_bytes", in: "server", log) ?? server.maxBodyBytes
            if server.maxBodyBytes < 1024 || server.maxBodyBytes > 64 * 1024 * 1024 {
                log.report("max_body_bytes must be between 1024 and 67108864", at: map["max_body_bytes"]!)
            }
        }

        var dataDirectory = "./data"
        var groupCommit = IngestCommitter.Settings()
        var postgres: PostgresSettings?
        if let map = top["storage"]?.mapping(log, what: "storage", allowed: ["data_dir", "postgres", "group_commit_window", "group_commit_max_batch"]) {
            dataDirectory = map.string("data_dir", in: "storage", log).map { resolve($0) } ?? dataDirectory
            if let node = map["postgres"] { postgres = postgresSettings(node) }
            // 0 is allowed here: batch only what queued up during the previous commit.
            groupCommit.window = duration(map, "group_commit_window", allowingZero: true) ?? groupCommit.window
            if groupCommit.window > .milliseconds(100) { log.report("group_commit_window must be at most 100ms: every message waits for it", at: map["group_commit_window"]!) }
            groupCommit.maxBatch = map.int("group_commit_max_batch", in: "storage", log) ?? groupCommit.maxBatch
            if !(1...10_000).contains(groupCommit.maxBatch) { log.report("group_commit_max_batch must be 1 to 10000", at: map["group_commit_max_batch"]!) }
        }

        var rulesDirectory = "Rules"
        if let value = top["rules_dir"], let path = value.string(log, what: "rules_dir") {
            rulesDirectory = resolve(path)
        }

        var timeZone = TimeZone(identifier: "UTC")!
        if let value = top["time_zone"], let name = value.string(log, what: "time_zone") {
            if let zone = TimeZone(identifier: name) { timeZone = zone } else {
                log.report("unknown time zone '\(name)' (use an IANA name such as Asia/Shanghai)", at: value)
            }
        }

        var sources: [GatewayConfiguration.Source] = []
        for item in top["sources"]?.items(log, what: "sources") ?? [] {
            if let source = source(item, publicURL: server.publicURL, channels: channels) {
                if sources.contains(where: { $0.id == source.id }) { log.report("duplicate source id '\(source.id)'", at: item) }
                sources.append(source)
            }
        }

        var tokens: [GatewayConfiguration.Token] = []
        for item in top["tokens"]?.items(log, what: "tokens") ?? [] {
            if let token = token(item, sources: Set(sources.map(\.id)), earlier: tokens) { tokens.append(token) }
        }

        var outbox = OutboxDispatcher.Settings()
        var webhookTimeout = WebhookChannel.defaultTimeout
        if let map = top["outbox"]?.mapping(log, what: "outbox", allowed: ["max_attempts", "initial_backoff", "max_backoff", "poll_interval", "concurrency", "timeout"]) {
            outbox.retry.maxAttempts = map.int("max_attempts", in: "outbox", log) ?? outbox.retry.maxAttempts
            if !(1...100).contains(outbox.retry.maxAttempts) { log.report("max_attempts must be 1 to 100", at: map["max_attempts"]!) }
            outbox.concurrency = map.int("concurrency", in: "outbox", log) ?? outbox.concurrency
            if !(1...256).contains(outbox.concurrency) { log.report("concurrency must be 1 to 256", at: map["concurrency"]!) }
            outbox.retry.initialBackoff = duration(map, "initial_backoff") ?? outbox.retry.initialBackoff
            outbox.retry.maxBackoff = duration(map, "max_backoff") ?? outbox.retry.maxBackoff
            outbox.pollInterval = duration(map, "poll_interval") ?? outbox.pollInterval
            webhookTimeout = duration(map, "timeout") ?? webhookTimeout
        }

        var autoReply = Intake.AutoReplyLimit()
        if let map = top["auto_reply"]?.mapping(log, what: "auto_reply", allowed: ["max_per_address", "window"]) {
            autoReply.maximum = map.int("max_per_address", in: "auto_reply", log) ?? autoReply.maximum
            if !(0...1000).contains(autoReply.maximum) { log.report("max_per_address must be 0 to 1000", at: map["max_per_address"]!) }
            autoReply.window = duration(map, "window") ?? autoReply.window
        }

        // Before the check below: a target's development_default secret counts like any other.
        let notifications = top["notifications"].map { notificationTargets($0) } ?? []

        let loopback = SettingsReader.isLoopback(server.host)
        if !developmentDefaults.isEmpty, !loopback {
            log.report(
                "development default secrets are in use (\(developmentDefaults.joined(separator: ", "))) while listening on \(server.host); set them in the environment or listen on 127.0.0.1",
                at: top["server"] ?? root)
        }
        var configuration = GatewayConfiguration(
            server: server, dataDirectory: dataDirectory, postgres: postgres, timeZone: timeZone, tokens: tokens, sources: sources,
            developmentDefaultsInUse: developmentDefaults)
        configuration.outbox = outbox
        configuration.notifications = notifications
        configuration.channels = channels
        configuration.webhookTimeout = webhookTimeout
        configuration.autoReply = autoReply
        configuration.groupCommit = groupCommit
        configuration.rulesDirectory = rulesDirectory
        if let map = top["retention"]?.mapping(log, what: "retention", allowed: ["messages", "access_log", "interval"]) {
            configuration.retention.messages = duration(map, "messages") ?? configuration.retention.messages
            configuration.retention.accessLog = duration(map, "access_log") ?? configuration.retention.accessLog
            configuration.retention.interval = duration(map, "interval") ?? configuration.retention.interval
            if configuration.retention.messages < .seconds(7 * 86400) {
                // Inbound de-duplication looks back as far as messages are kept.
                log.report("retention.messages must be at least 7d: duplicates are recognized only while the first copy is kept", at: map["messages"]!)
            }
            if configuration.retention.accessLog < configuration.retention.messages {
                log.report("retention.access_log must be at least as long as retention.messages", at: map["access_log"] ?? map["messages"]!)
            }
        }
        return configuration
    }

    /// One item of `sources:`: the keys every source has here, the rest read by its channel's plugin. A key
    /// of another channel is named as that channel's.
    private mutating func source(_ item: YAMLValue, publicURL: String?, channels: [any ChannelPlugin.Type]) -> GatewayConfiguration.Source? {
        let common = ["id", "channel", "rate_limit"]
        var channelKeys: [String] = []
        for plugin in channels { channelKeys += plugin.sourceKeys.filter { !channelKeys.contains($0) } }
        guard let map = item.mapping(log, what: "source", allowed: common + channelKeys),
              let id = map.string("id", in: "source", required: true, log) else { return nil }
        let name = map.string("channel", in: "source '\(id)'", required: true, log) ?? channels.first.map { $0.kind.rawValue } ?? ""
        guard let plugin = channels.first(where: { $0.kind.rawValue == name }) else {
            let supported = channels.map { $0.kind.rawValue }.joined(separator: ", ")
            log.report("channel '\(name)' is not supported (supported: \(supported))", at: map["channel"] ?? item)
            return nil
        }
        for key in channelKeys where map[key] != nil && !plugin.sourceKeys.contains(key) {
            let list = ChannelKind.listed(channels.filter { $0.sourceKeys.contains(key) }.map { $0.kind }, lastJoinedBy: "and")
            if let note = plugin.misplacedKeyNote(key) {
                log.report("\(key) is for \(list) sources; \(note)", at: map[key]!)
            } else {
                log.report("\(key) is only for \(list) sources", at: map[key]!)
            }
        }
        guard let settings = readSource(plugin, SourceSection(id: id, map: map, node: item, publicURL: publicURL)) else { return nil }
        var source = GatewayConfiguration.Source(id: id, channel: plugin, settings: settings)
        if let node = map["rate_limit"] { source.rateLimit = rateLimit(node, what: "rate_limit of source '\(id)'") }
        return source
    }

    /// Opens the plugin's type so its reader's result keeps its own type until it is stored.
    private mutating func readSource<Plugin: ChannelPlugin>(_ plugin: Plugin.Type, _ section: SourceSection) -> (any ChannelSource)? {
        Plugin.readSource(section, reader: &self)
    }

    /// One item of `tokens:`. Two tokens may share an id (the old and the new secret during a rotation)
    /// when they grant the same: role, sources and queues.
    private mutating func token(_ item: YAMLValue, sources configured: Set<String>, earlier: [GatewayConfiguration.Token]) -> GatewayConfiguration.Token? {
        guard let map = item.mapping(log, what: "token", allowed: ["id", "name", "role", "token", "not_after", "sources", "queues", "max_open"]),
              let id = map.string("id", in: "token", required: true, log) else { return nil }
        if id == AccessRecord.unknownActor { log.report("token id '\(id)' is reserved for unrecognized tokens in the access log", at: map["id"]!) }
        let roleText = map.string("role", in: "token '\(id)'", required: true, log) ?? "agent"
        let role = AccessToken.Role(rawValue: roleText)
        if role == nil { log.report("role must be agent, supervisor or ops", at: map["role"] ?? item) }
        var notAfter: Date?
        if let text = map.string("not_after", in: "token '\(id)'", log) {
            notAfter = GatewayConfiguration.timestamp(text)
            if notAfter == nil {
                log.report("not_after of token '\(id)' must be a time with its zone, such as 2027-01-31T18:00:00Z or 2027-02-01T02:00:00+08:00", at: map["not_after"]!)
            }
        }
        func scope(_ key: String) -> [(String, YAMLValue)]? {
            guard let node = map[key], let list = node.stringList(log, what: "\(key) of token '\(id)'") else { return nil }
            if list.isEmpty { log.report("\(key) of token '\(id)' must name at least one (leave it out for all)", at: node) }
            return list
        }
        let sourceList = scope("sources")
        for (name, node) in sourceList ?? [] where !configured.contains(name) {
            log.report("token '\(id)' names source '\(name)', which is not configured", at: node)
        }
        let sources = sourceList.map { Set($0.map(\.0)) }
        let queues = scope("queues").map { Set($0.map(\.0)) }
        let maxOpen = map.int("max_open", in: "token '\(id)'", log)
        if let maxOpen, maxOpen < 1, let node = map["max_open"] { log.report("max_open of token '\(id)' must be at least 1", at: node) }
        guard let secretValue = map.required("token", in: "token '\(id)'", log),
              let secret = secret(secretValue, name: "token \(id)") else { return nil }
        if secret.count < 16 { log.report("token '\(id)' is shorter than 16 characters", at: secretValue) }
        let token = GatewayConfiguration.Token(
            id: id, name: map.string("name", in: "token", log) ?? id, role: role ?? .agent, secret: secret, notAfter: notAfter,
            sources: sources, queues: queues, maxOpen: maxOpen)
        for other in earlier {
            if other.secret == secret { log.report("token '\(id)' has the same secret as token '\(other.id)'", at: secretValue) }
            if other.id == id, other.role != token.role || other.sources != token.sources || other.queues != token.queues {
                log.report("tokens sharing id '\(id)' (a rotation) must have the same role, sources and queues", at: item)
            }
        }
        return token
    }

    /// `{per_second: N, burst: M}` (a source's `rate_limit`, `client_failure_limit`), or `per_second: 0` for none.
    private func rateLimit(_ node: YAMLValue, what: String) -> InboundRateLimiter.Limit? {
        guard let map = node.mapping(log, what: what, allowed: ["per_second", "burst"]) else { return nil }
        let text = map.string("per_second", in: what, required: true, log) ?? "0"
        guard let perSecond = Double(text), perSecond >= 0, perSecond.isFinite else {
            log.report("per_second must be a number of requests per second, 0 for no limit", at: map["per_second"]!)
            return nil
        }
        guard perSecond > 0 else { return nil }
        let burst = map.int("burst", in: what, log) ?? max(1, Int(perSecond * 2))
        if burst < 1 { log.report("burst must be at least 1", at: map["burst"]!) }
        return InboundRateLimiter.Limit(perSecond: perSecond, burst: Double(max(1, burst)))
    }
}

extension SettingsReader {
    /// `storage.postgres: {url: {env: …}, pool: N}`. The URL holds the password, so it is a secret; a problem
    /// with it is reported without repeating it.
    mutating func postgresSettings(_ node: YAMLValue) -> PostgresSettings? {
        guard let map = node.mapping(log, what: "storage.postgres", allowed: ["url", "pool"]) else { return nil }
        let pool = map.int("pool", in: "storage.postgres", log) ?? 16
        if !(1...1000).contains(pool) { log.report("storage.postgres.pool must be 1 to 1000", at: map["pool"]!) }
        guard let urlNode = map["url"] else {
            log.report("storage.postgres needs url: {env: NAME} (postgres://user:password@host:5432/database)", at: node)
            return nil
        }
        guard let url = secret(urlNode, name: "storage.postgres.url") else { return nil }
        do {
            return try PostgresSettings(url: url, poolSize: pool)
        } catch {
            log.report("storage.postgres.url: \((error as? PostgresStorageError)?.message ?? "cannot be read")", at: urlNode)
            return nil
        }
    }
}
