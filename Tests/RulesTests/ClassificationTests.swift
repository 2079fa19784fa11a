import Foundation
import Pipeline
import Rules
import SwitchboardCore
import TestSupport
import Testing

@Suite("Classification and routing")
struct ClassificationTests {
    let rules: RuleSet

    init() throws {
        let directory = try Fixtures.miniRuleDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        rules = try RuleDirectory.load(directory.path).rules
    }

    private func classify(_ text: String, subject: String? = nil, from: String = "someone@example.com", channel: String = "webhook") -> Classification {
        rules.classify(ClassificationInput(channel: channel, source: "test", sender: from, subject: subject, text: text))
    }

    @Test("Simplified Chinese anger is negative and routes to complaints")
    func simplified() {
        let result = classify("你们客服态度太差了")
        #expect(result.sentiment == .negative)
        #expect(result.language == "zh")
        #expect(result.route.routeID == "angry")
        #expect(result.route.queue == "complaints")
        let match = result.matches.first { $0.signal == "anger" }
        #expect(match?.term == "态度太差")
        #expect(match?.field == "text")
        #expect(match?.start == 12)  // after 你们客服, four 3-byte characters
    }

    @Test("Traditional Chinese written in the lexicon matches too")
    func traditional() {
        let result = classify("系統無法登錄，你們態度太差")
        #expect(result.firedSignals.contains("outage"))
        #expect(result.firedSignals.contains("anger"))
        #expect(result.urgency == .critical)
    }

    @Test("full-width letters, upper case and zero-width characters are folded before matching")
    func normalization() {
        #expect(classify("ＵＲＧＥＮＴ please").firedSignals == ["hurry"])
        #expect(classify("态\u{200B}度\u{200D}太差").firedSignals == ["anger"])
        #expect(classify("Terrible   Service!").firedSignals == ["anger"])
    }

    @Test("English terms match on word boundaries; Chinese terms match inside text")
    func wordBoundaries() {
        #expect(classify("the download is slow").firedSignals.isEmpty)
        #expect(classify("the site is down").firedSignals == ["outage"])
        #expect(classify("系统down了").firedSignals == ["outage"])
        #expect(classify("服务器宕机了").firedSignals == ["outage"])
    }

    @Test("negated cues do not fire, but stay in the explanation")
    func negation() {
        let calm = classify("不着急，慢慢来")
        #expect(calm.firedSignals.isEmpty)
        #expect(calm.matches.contains { $0.signal == "hurry" && $0.negated })
        #expect(classify("this is not urgent").firedSignals.isEmpty)
        #expect(classify("no urgent matter").firedSignals.isEmpty)
        // A negator in an earlier clause does not reach across the comma.
        #expect(classify("我不满意，很着急").firedSignals == ["hurry"])
        // "know" contains "no" but is not a negator.
        #expect(classify("I know, urgent").firedSignals == ["hurry"])
    }

    @Test("regex signals run in the linear-time matcher")
    func regex() {
        let result = classify("已经等了72小时还没消息")
        #expect(result.firedSignals == ["waited-hours"])
        #expect(result.matches.first?.kind == .regex)
        #expect(classify("I waited 48 hours").firedSignals == ["waited-hours"])
    }

    @Test("routes apply in order; a route with stop ends the walk")
    func routeOrderAndStop() {
        // The outage route stops before the VIP route can move the conversation.
        let incident = classify("system outage", from: "boss@example.com")
        #expect(incident.route.routeID == "incident")
        #expect(incident.route.fired == ["incident"])
        #expect(incident.route.queue == "incidents")
        #expect(incident.route.slaPolicy == "fast")
        // Without stop, later routes override earlier ones: VIP fires, then angry overrides the queue.
        let angryVIP = classify("态度太差", from: "boss@example.com")
        #expect(angryVIP.route.fired == ["vip", "angry"])
        #expect(angryVIP.route.queue == "complaints")
        #expect(angryVIP.route.routeID == "angry")
        // Actions a route does not name come from the default route.
        #expect(angryVIP.route.slaPolicy == "normal")
        #expect(angryVIP.route.autoReply == "ack")
    }

    @Test("the default route applies when nothing else fires; field conditions read tiers, domains and channel")
    func defaultsAndFields() {
        let plain = classify("hello there")
        #expect(plain.route.routeID == "default")
        #expect(plain.route.fired == ["default"])
        #expect(plain.urgency == .normal)
        #expect(plain.sentiment == .neutral)
        let partner = classify("hello", from: "Ops@Sub.Partner.Example")
        #expect(partner.customerTier == .strategic)
        #expect(partner.firedSignals == ["vip"])
        #expect(classify("态度太差", channel: "sms").route.routeID == "default")
    }

    /// Classification collects hits in stack space with room for a usual message; one with more hits
    /// than that is classified again with more room and must come out as if there had been room.
    @Test("a message with hundreds of hits classifies as one with a few")
    func manyHits() {
        let few = classify("态度太差 态度太差 system down", subject: "态度太差")
        for copies in [127, 128, 129, 400, 3_000] {
            let text = Array(repeating: "态度太差", count: copies).joined(separator: " ") + " system down"
            let many = classify(text, subject: Array(repeating: "态度太差", count: copies).joined())
            #expect(many.firedSignals == few.firedSignals, "\(copies)")
            #expect(many.urgencyScore == few.urgencyScore, "\(copies)")
            #expect(many.sentimentScore == few.sentimentScore, "\(copies)")
            #expect(many.route == few.route, "\(copies)")
            // The explanation keeps the first match of each term in each field, as the retry found it.
            #expect(many.matches.map(\.signal) == few.matches.map(\.signal), "\(copies)")
            #expect(many.matches.map(\.field) == few.matches.map(\.field), "\(copies)")
            #expect(many.matches.map(\.text) == few.matches.map(\.text), "\(copies)")
            #expect(many.matches.filter { $0.signal == "anger" }.map(\.start) == [0, 0], "\(copies)")
        }
    }

    @Test("positive sentiment and the subject field count")
    func subjectAndPositive() {
        let result = classify("great", subject: "Thank you!")
        #expect(result.sentiment == .positive)
        #expect(result.matches.first?.field == "subject")
    }

    /// The explanation is worded when read; written out and read back it must be the same value, and
    /// the fired signals the classifier reports directly must be the ones its matches show.
    @Test("an explanation rendered on demand survives JSON and agrees with its own fired signals")
    func roundTrip() throws {
        let texts = [
            "你们客服态度太差了", "系統無法登錄，你們態度太差", "not urgent, no problem", "THE SYSTEM IS DOWN!!!",
            "我不着急，但是系统故障了", "hello", "",
        ]
        for text in texts {
            let result = classify(text, subject: "订单")
            let decoded = try JSONDecoder().decode(Classification.self, from: JSONEncoder().encode(result))
            #expect(decoded == result, "\(text)")
            #expect(decoded.matches == result.matches)
            #expect(decoded.route.reasons == result.route.reasons)
            #expect(result.route.reasons?.isEmpty == false)
            var seen = Set<String>()
            let fromMatches = result.matches.filter { !$0.negated }.map(\.signal).filter { seen.insert($0).inserted }
            #expect(result.firedSignals == fromMatches, "\(text)")
            #expect(decoded.firedSignals == fromMatches)
            var rendered = result
            rendered.renderExplanation()
            #expect(rendered == result)
            #expect(rendered.firedSignals == fromMatches)
            #expect(rendered.route.reasons == result.route.reasons)
        }
    }
}
