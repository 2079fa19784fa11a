import Foundation
import SwitchboardCore

/// One line of a labelled corpus (`Rules/tests/labelled/*.jsonl`): a message as `switchboard classify`
/// reads it, with the outcome a person reading it expects. Keys are checked as strictly as the rule files.
public struct LabelledMessage: Sendable {
    public var id: String
    /// `zh-Hans`, `zh-Hant`, `en` or `mixed`.
    public var language: String
    public var input: ClassificationInput
    public var urgency: Urgency
    public var sentiment: Sentiment
    /// Set exactly when ``sentiment`` is negative.
    public var strength: SentimentStrength?
    public var intent: String
    public var tags: [String]
    /// `file:line`, for reports.
    public var origin: String

    /// The keys a labelled line adds to a message line's.
    public static let labelKeys = ["lang", "urgency", "sentiment", "strength", "intent", "tags", "note"]
    public static let languages = ["zh-Hans", "zh-Hant", "en", "mixed"]

    /// Reads one line; `origin` names it in errors. A message without `received_at` is read at `now`.
    public static func parse(_ line: String, origin: String, now: Date) throws(MessageLine.Failure) -> LabelledMessage {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw MessageLine.Failure("\(origin): expected one JSON object")
        }
        func label(_ key: String) throws(MessageLine.Failure) -> String {
            guard let value = object[key] else { throw MessageLine.Failure("\(origin): \(key) is required") }
            guard let text = value as? String else { throw MessageLine.Failure("\(origin): \(key) must be a string") }
            return text
        }
        func choice<T>(_ key: String, _ make: (String) -> T?, expected: String) throws(MessageLine.Failure) -> T {
            let text = try label(key)
            guard let value = make(text) else { throw MessageLine.Failure("\(origin): \(key) '\(text)' is not one of \(expected)") }
            return value
        }
        let language = try choice("lang", { languages.contains($0) ? $0 : nil }, expected: languages.joined(separator: ", "))
        let urgency = try choice("urgency", Urgency.init(rawValue:), expected: "low, normal, high, critical")
        let sentiment = try choice("sentiment", Sentiment.init(rawValue:), expected: "negative, neutral, positive")
        var strength: SentimentStrength?
        if sentiment == .negative {
            strength = try choice("strength", SentimentStrength.init(rawValue:), expected: "mild, strong")
        } else if object["strength"] != nil {
            throw MessageLine.Failure("\(origin): strength is only for negative messages")
        }
        let intent = try label("intent")
        guard let id = object["id"] as? String, !id.isEmpty else { throw MessageLine.Failure("\(origin): id is required") }
        let tags = object["tags"].map { ($0 as? [String]) } ?? []
        guard let tags else { throw MessageLine.Failure("\(origin): tags must be a list of strings") }

        // What is left is a message line, read by the same strict reader `classify` uses.
        var message = object
        for key in labelKeys { message.removeValue(forKey: key) }
        let data = try? JSONSerialization.data(withJSONObject: message)
        let parsed: MessageLine
        do {
            parsed = try MessageLine.parse(String(decoding: data ?? Data(), as: UTF8.self), now: now)
        } catch {
            throw MessageLine.Failure("\(origin): \(error.description)")
        }
        return LabelledMessage(
            id: id, language: language, input: parsed.input, urgency: urgency, sentiment: sentiment, strength: strength,
            intent: intent, tags: tags, origin: origin)
    }

    /// Refuses a corpus that expects an intent the rules do not have: a misspelt label would otherwise
    /// count as a miss of the rules, on every run.
    public static func checkIntents(_ corpus: [LabelledMessage], against rules: RuleSet) throws(MessageLine.Failure) {
        let known = rules.intents?.ids ?? []
        for message in corpus where !known.contains(message.intent) {
            let expected = known.isEmpty ? "the rules define no intents (classifiers.yaml has no intent section)" : "one of " + known.joined(separator: ", ")
            throw MessageLine.Failure("\(message.origin): intent '\(message.intent)' is not \(expected)")
        }
    }

    /// Every labelled message of `paths`: `.jsonl` files, or directories whose `.jsonl` files (not those of
    /// their subdirectories) are read in name order.
    public static func load(_ paths: [String], now: Date = Date()) throws(MessageLine.Failure) -> [LabelledMessage] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw MessageLine.Failure("\(path): no such file or directory")
            }
            if isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        var messages: [LabelledMessage] = []
        var ids: [String: String] = [:]
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw MessageLine.Failure("\(file): cannot be read as UTF-8") }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                let message = try parse(String(line), origin: "\(file):\(index + 1)", now: now)
                if let first = ids[message.id] { throw MessageLine.Failure("\(message.origin): id '\(message.id)' is also used at \(first)") }
                ids[message.id] = message.origin
                messages.append(message)
            }
        }
        return messages
    }
}
