import Foundation
import Mustache
import Pipeline
@testable import Replies
import SwitchboardCore
import TestSupport
import Testing

@Suite("Reply scripts")
struct ReplyScriptTests {
    let library: ScriptLibrary

    init() throws {
        let directory = try Fixtures.miniRuleDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        library = try ScriptLibrary.load(rulesDirectory: directory.path)
    }

    @Test("a missing variable stops the render and names the script and the variable")
    func missingVariable() throws {
        let error = #expect(throws: SwitchboardError.self) {
            try library.render(script: "delay", language: "en", channel: "webhook", context: ["customer.address": "a@example.com", "agent.name": "Ann"])
        }
        #expect(error?.code == .missingTemplateVariable)
        #expect(error?.message.contains("'delay'") == true)
        #expect(error?.message.contains("'new_time'") == true)
    }

    @Test("text is rendered without HTML escaping")
    func plainText() throws {
        let rendered = try library.render(
            script: "delay", language: "en", channel: "sms",
            context: ["customer.address": "a&b@example.com", "agent.name": "Ann <A1>", "new_time": "14:00"])
        #expect(rendered.body == "Sorry for the wait, a&b@example.com. Ann <A1> will call you by 14:00 <b>&</b>.")
    }

    @Test("a script falls back to the default language when it has no variant for the customer's")
    func languageFallback() throws {
        let rendered = try library.render(
            script: "delay", language: "zh", channel: "webhook",
            context: ["customer.address": "x", "agent.name": "Ann", "new_time": "14:00"])
        #expect(rendered.language == "en")
    }

    @Test("a reply with a forbidden phrase is refused, from a variable or from free text")
    func forbiddenPhrases() throws {
        let error = #expect(throws: SwitchboardError.self) {
            try library.render(script: "delay", language: "en", channel: "webhook", context: ["customer.address": "x", "agent.name": "Ann", "new_time": "As Soon As Possible"])
        }
        #expect(error?.code == .forbiddenPhrase)
        #expect(throws: SwitchboardError.self) { try library.check(text: "我们会尽快处理") }
        // Folded as rule terms are: Traditional spelling, invisible characters and full-width forms.
        #expect(throws: SwitchboardError.self) { try library.check(text: "我們會儘快處理") }
        #expect(throws: SwitchboardError.self) { try library.check(text: "我们会尽\u{200B}快处理") }
        #expect(throws: SwitchboardError.self) { try library.check(text: "ＡＳ ＳＯＯＮ  as possible") }
        try library.check(text: "我们会在 14:00 前回复")
    }

    @Test("an unknown script is an error")
    func unknownScript() {
        let error = #expect(throws: SwitchboardError.self) {
            try library.render(script: "nope", language: "en", channel: "webhook", context: [:])
        }
        #expect(error?.code == .unknownScript)
    }

    /// The variables the gateway gives an automatic reply.
    static let automaticContext: [String: String] = [
        "customer.address": "a@example.com", "conversation.id": "conv_1", "conversation.reference": "ABC",
        "queue.id": "general", "queue.name": "General", "queue.team": "the team", "sla.first_response": "2 hours",
        "sla.due": "2026-01-01 10:00 (GMT+8)", "message.subject": "",
    ]

    @Test("every shipped script renders in every language with the variables the gateway provides")
    func shippedScripts() throws {
        let shipped = try ScriptLibrary.load(rulesDirectory: Fixtures.shippedRules)
        let automatic = Self.automaticContext
        for script in ["ack-inquiry", "ack-complaint", "ack-urgent"] {
            for language in ["zh", "en"] {
                for channel in ["webhook", "email", "sms"] {
                    let rendered = try shipped.render(script: script, language: language, channel: channel, context: automatic)
                    #expect(rendered.body.contains("ABC") || rendered.body.contains("2026"), "\(script) \(language) \(channel)")
                }
            }
        }
    }

    /// Templates that only substitute variables skip Mustache; the result must be Mustache's, byte for byte.
    @Test("variable-only templates render by concatenation exactly as Mustache renders them")
    func plainMatchesMustache() throws {
        let shipped = try ScriptLibrary.load(rulesDirectory: Fixtures.shippedRules)
        // Values with markup, braces and Chinese, and every agent script's variables.
        let context = Self.automaticContext.merging([
            "customer.address": "a&b <c>@example.com", "queue.team": "客服团队", "message.subject": "{{not a tag}}",
            "agent.name": "Ann", "agent.id": "A7", "new_time": "14:00", "compensation": "z", "resolution": "done", "progress": "p",
            "next_step": "n", "next_update": "y", "contact_within": "30 分钟", "handoff_to": "Bo", "handoff_agent_id": "B2", "reason": "r",
        ]) { $1 }
        var plainCount = 0
        for (_, variants) in shipped.variants {
            for variant in variants {
                let viaMustache = variant.template.render(ScriptLibrary.nest(context))
                if variant.plain != nil { plainCount += 1 }
                #expect(ScriptLibrary.fill(variant, context) == viaMustache, "\(variant.path)")
            }
        }
        #expect(plainCount > 20)  // the shipped acknowledgements take the fast path

        for (source, isPlain) in [
            ("Hi {{customer.address}}, {{{ queue.name }}} / {{& queue.team }}.\n", true),
            ("{{#sla.due}}by {{sla.due}}{{/sla.due}}", false),
            ("{{! a comment }}\nHi", false),
            ("{{uppercased(queue.name)}}", false),
            ("no tags at all", true),
        ] {
            let tags = TemplateTags(scanning: source)
            #expect((tags.plain != nil) == isPlain, "\(source)")
            let template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + source)
            let variant = ScriptLibrary.Variant(
                language: "en", channel: nil, path: "t", template: template, variables: tags.names.map(\.name), plain: tags.plain)
            #expect(ScriptLibrary.fill(variant, context) == template.render(ScriptLibrary.nest(context)), "\(source)")
        }
    }
}
