import Foundation

/// Reads the values a settings file shares across its sections: secrets from the environment or a file,
/// durations, paths relative to the file, URLs. Every problem goes to ``log`` with its position, so one
/// run reports all of them. Each component's own reading (a channel's source, the server section)
/// extends it.
public struct SettingsReader {
    public let log: ProblemLog
    public let environment: [String: String]
    /// The directory of the settings file, absolute: relative paths in the file (`data_dir`, `file:`,
    /// `ca_file`) are taken from it.
    public let baseDirectory: String
    /// Names (never values) of secrets that fell back to their `development_default`.
    public private(set) var developmentDefaults: [String] = []

    public init(log: ProblemLog, environment: [String: String], baseDirectory: String) {
        self.log = log
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    /// A duration setting (`250ms`, `30s`, `1h30m`).
    /// - Parameter allowingZero: also accept zero, for settings where zero means "do not wait".
    public func duration(_ map: YAMLMapping, _ key: String, allowingZero: Bool = false) -> Duration? {
        guard let text = map.string(key, in: "configuration", log) else { return nil }
        guard let seconds = DurationText.seconds(text, allowingZero: allowingZero) else {
            log.report("'\(text)' is not a duration (write e.g. 250ms, 30s, 5m, 2h or 1h30m)", at: map[key]!)
            return nil
        }
        return .seconds(seconds)
    }

    /// A path from the file: absolute as written, or relative to the file's own directory.
    public func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: baseDirectory, isDirectory: true)).standardizedFileURL.path
    }

    /// A secret must come from the environment or a file, never the settings text itself.
    public mutating func secret(_ node: YAMLValue, name: String) -> String? {
        if !node.isMapping {
            log.report("\(name) is a secret: give it as {env: NAME} or {file: PATH}, not inline", at: node)
            return nil
        }
        return value(at: node, name: name, secret: true)
    }

    /// A literal, or `{env: NAME, file: PATH, default: …, development_default: …}`.
    public mutating func value(at node: YAMLValue, name: String, secret: Bool) -> String? {
        guard node.isMapping else { return node.string(log, what: name) }
        guard let map = node.mapping(log, what: name, allowed: ["env", "file", "default", "development_default"]) else { return nil }
        if secret, map["default"] != nil {
            log.report("\(name) is a secret: use development_default (refused off loopback), not default", at: map["default"]!)
        }
        if let variable = map.string("env", in: name, log), let value = environment[variable], !value.isEmpty {
            return value
        }
        if let file = map.string("file", in: name, log) {
            let path = resolve(file)
            if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if map["env"] == nil && map["default"] == nil && map["development_default"] == nil {
                log.report("\(name): cannot read file \(file)", at: map["file"]!)
                return nil
            }
        }
        if let value = map.string("default", in: name, log) { return value }
        if let value = map.string("development_default", in: name, log) {
            developmentDefaults.append(name)
            return value
        }
        let variable = map.string("env", in: name, log).map { " (set \($0))" } ?? ""
        log.report("\(name) is not set\(variable)", at: node)
        return nil
    }

    /// The parts of an `http://` or `https://` URL with a host, or nil for anything else.
    public static func httpURL(_ text: String) -> URLComponents? {
        guard let components = URLComponents(string: text), ["http", "https"].contains(components.scheme ?? ""),
              components.host?.isEmpty == false else { return nil }
        return components
    }

    /// Whether a host name stays on this machine, where development defaults and plain text are allowed.
    public static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "localhost", "::1"].contains(host)
    }
}
