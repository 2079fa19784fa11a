import Foundation
import Mustache
import StrictYAML
import SwitchboardCore

/// Reply scripts from `Rules/scripts/<id>/<language>[.<channel>].mustache`, rendered as plain text and
/// strictly: a variable the template reads but the context lacks stops the reply with an error that
/// names the script and the variable.
public struct ScriptLibrary: Sendable {
    struct Variant: Sendable {
        var language: String
        var channel: String?
        var path: String
        var template: MustacheTemplate
        var variables: [String]
        /// Set when the template only substitutes variables; see ``TemplateTags/plain``.
        var plain: [TemplateTags.Segment]?
    }

    public let settings: ReplySettings
    let variants: [String: [Variant]]

    /// Ids of every script on disk.
    public var scriptIDs: Set<String> { Set(variants.keys) }

    /// Text rendered from a script, with where it came from.
    public struct Rendered: Sendable, Equatable {
        public var script: String
        public var language: String
        public var channel: String?
        public var body: String
    }

    /// Loads `replies.yaml` and every script under `rulesDirectory`, reporting all problems with positions.
    /// - Parameter channels: the channels a script may have a variant for (`en.sms.mustache`).
    public static func load(rulesDirectory: String, channels: [ChannelKind] = ChannelKind.known) throws(Problems) -> ScriptLibrary {
        let log = ProblemLog()
        let settings = loadSettings(rulesDirectory: rulesDirectory, log)
        var variants: [String: [Variant]] = [:]
        let scriptsDirectory = (rulesDirectory as NSString).appendingPathComponent("scripts")
        let fileManager = FileManager.default
        let ids = ((try? fileManager.contentsOfDirectory(atPath: scriptsDirectory)) ?? []).sorted()
        for id in ids {
            let directory = (scriptsDirectory as NSString).appendingPathComponent(id)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            var list: [Variant] = []
            for file in ((try? fileManager.contentsOfDirectory(atPath: directory)) ?? []).sorted() where file.hasSuffix(".mustache") {
                let path = (directory as NSString).appendingPathComponent(file)
                let parts = file.dropLast(".mustache".count).split(separator: ".").map(String.init)
                guard (1...2).contains(parts.count), settings.languages.contains(parts[0]) else {
                    log.report("script file must be named <language>.mustache or <language>.<channel>.mustache with a language from replies.yaml (\(settings.languages.joined(separator: ", ")))", file: path)
                    continue
                }
                if parts.count == 2, !channels.map(\.rawValue).contains(parts[1]) {
                    log.report("unknown channel '\(parts[1])' in script file name (expected \(ChannelKind.alternatives(channels)))", file: path)
                    continue
                }
                guard let data = fileManager.contents(atPath: path), let source = String(data: data, encoding: .utf8) else {
                    log.report("script is not valid UTF-8", file: path)
                    continue
                }
                let tags = TemplateTags(scanning: source)
                for problem in tags.unsupported {
                    log.report(Problem(file: path, line: problem.line, column: problem.column, message: problem.message))
                }
                if let phrase = settings.forbiddenPhrase(in: source) {
                    log.report("script contains the forbidden phrase '\(phrase)' (replies.yaml forbidden_phrases)", file: path, line: 1, column: 1)
                }
                do {
                    let template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + source)
                    list.append(Variant(
                        language: parts[0], channel: parts.count == 2 ? parts[1] : nil, path: path, template: template,
                        variables: tags.names.map(\.name), plain: tags.plain))
                } catch {
                    log.report("cannot parse Mustache template: \(error)", file: path, line: 1, column: 1)
                }
            }
            if list.isEmpty {
                log.report("script '\(id)' has no templates", file: directory)
            } else if !list.contains(where: { $0.language == settings.defaultLanguage && $0.channel == nil }) {
                log.report("script '\(id)' has no \(settings.defaultLanguage).mustache for the default language", file: directory)
            }
            variants[id] = list
        }
        try log.throwIfAny()
        return ScriptLibrary(settings: settings, variants: variants)
    }

    /// Renders a script for a language and channel.
    ///
    /// - Parameter context: values by dotted name (`customer.address`, `sla.due`, or an agent's `new_time`).
    /// - Throws: ``SwitchboardError`` with `unknown_script`, `missing_template_variable` or `forbidden_phrase`.
    public func render(script: String, language: String, channel: String, context: [String: String]) throws(SwitchboardError) -> Rendered {
        guard let list = variants[script] else {
            throw SwitchboardError(.unknownScript, "script '\(script.excerptForMessage())' does not exist")
        }
        let variant = list.first { $0.language == language && $0.channel == channel }
            ?? list.first { $0.language == language && $0.channel == nil }
            ?? list.first { $0.language == settings.defaultLanguage && $0.channel == channel }
            ?? list.first { $0.language == settings.defaultLanguage && $0.channel == nil }
            ?? list[0]
        let missing = variant.variables.filter { name in
            context[name] == nil && !context.keys.contains { $0.hasPrefix(name + ".") }
        }
        if !missing.isEmpty {
            var seen = Set<String>()
            let names = missing.filter { seen.insert($0).inserted }.map { "'\($0)'" }.joined(separator: ", ")
            throw SwitchboardError(
                .missingTemplateVariable,
                "script '\(script)' (\(variant.language)\(variant.channel.map { ", " + $0 } ?? "")) needs variable \(names), which the context does not provide")
        }
        let body = Self.fill(variant, context).trimmingWhitespace()
        if let phrase = settings.forbiddenPhrase(in: body) {
            throw SwitchboardError(.forbiddenPhrase, "reply from script '\(script)' contains the forbidden phrase '\(phrase)'")
        }
        return Rendered(script: script, language: variant.language, channel: variant.channel, body: body)
    }

    /// Variables a script's variants read that are not in `available`, with the file that reads each;
    /// lets `rules check` refuse an automatic reply that could never render.
    public func unavailableVariables(of script: String, available: Set<String>) -> [(path: String, variable: String)] {
        var out: [(String, String)] = []
        for variant in variants[script] ?? [] {
            for name in Set(variant.variables) where !available.contains(name) && !available.contains(where: { $0.hasPrefix(name + ".") }) {
                out.append((variant.path, name))
            }
        }
        return out.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }

    /// Checks free text an agent wrote against the forbidden phrases.
    public func check(text: String) throws(SwitchboardError) {
        if let phrase = settings.forbiddenPhrase(in: text) {
            throw SwitchboardError(.forbiddenPhrase, "reply contains the forbidden phrase '\(phrase)'")
        }
    }

    /// The template's text with its variables filled in: by concatenation when it only substitutes
    /// variables (every value is present, checked above), through Mustache otherwise.
    static func fill(_ variant: Variant, _ context: [String: String]) -> String {
        guard let plain = variant.plain else { return variant.template.render(nest(context)) }
        var out = ""
        for segment in plain {
            switch segment {
            case let .text(text): out += text
            case let .variable(name): out += context[name] ?? ""
            }
        }
        return out
    }

    /// Turns dotted names into the nested dictionaries Mustache walks.
    static func nest(_ flat: [String: String]) -> [String: Any] {
        var root: [String: Any] = [:]
        for (key, value) in flat.sorted(by: { $0.key < $1.key }) {
            insert(value, at: key.split(separator: ".").map(String.init), into: &root)
        }
        return root
    }

    private static func insert(_ value: String, at path: [String], into dictionary: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            dictionary[head] = value
            return
        }
        var child = dictionary[head] as? [String: Any] ?? [:]
        insert(value, at: Array(path.dropFirst()), into: &child)
        dictionary[head] = child
    }

    private static func loadSettings(rulesDirectory: String, _ log: ProblemLog) -> ReplySettings {
        let path = (rulesDirectory as NSString).appendingPathComponent("replies.yaml")
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            log.report("required rule file is missing or not UTF-8", file: path)
            return .standard
        }
        let root: YAMLValue
        switch YAMLValue.parse(text, file: path) {
        case let .success(value?): root = value
        case .success(nil):
            log.report("file is empty", file: path)
            return .standard
        case let .failure(problem):
            log.report(problem)
            return .standard
        }
        guard let map = root.mapping(log, what: "replies.yaml", allowed: ["default_language", "languages", "forbidden_phrases"]) else { return .standard }
        let languages = map.required("languages", in: "replies.yaml", log)?.stringList(log, what: "languages")?.map(\.0) ?? ["en"]
        let defaultLanguage = map.string("default_language", in: "replies.yaml", required: true, log) ?? "en"
        if !languages.contains(defaultLanguage) {
            log.report("default_language '\(defaultLanguage)' is not listed in languages", at: map["default_language"] ?? root)
        }
        let phrases = map["forbidden_phrases"]?.stringList(log, what: "forbidden_phrases")?.map(\.0).filter { !$0.isEmpty } ?? []
        return ReplySettings(defaultLanguage: defaultLanguage, languages: languages, forbiddenPhrases: phrases)
    }
}
