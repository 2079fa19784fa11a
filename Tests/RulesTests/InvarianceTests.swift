import Foundation
import Pipeline
import Rules
import TestSupport
import Testing

/// A rule written once must catch every way a customer writes it.
@Suite("Matching invariance")
struct InvarianceTests {
    static let rules = try! RuleDirectory.load(Fixtures.shippedRules).rules

    /// Base messages with their Traditional Chinese spelling.
    static let cases: [(simplified: String, traditional: String)] = [
        ("你们客服态度太差了，我要投诉到消费者协会！", "你們客服態度太差了，我要投訴到消費者協會！"),
        ("系统故障，无法登录，数据异常", "系統故障，無法登錄，數據異常"),
        ("快递还没有收到，已经过去72小时了，立即退款", "快遞還沒有收到，已經過去72小時了，立即退款"),
        ("这是假货，你们欺骗消费者，我要起诉", "這是假貨，你們欺騙消費者，我要起訴"),
        ("我再也不买了，请帮我退订", "我再也不買了，請幫我退訂"),
        ("谢谢你们的帮助，服务很好", "謝謝你們的幫助，服務很好"),
        ("不着急，没有问题，慢慢处理", "不著急，沒有問題，慢慢處理"),
        ("The service is down and I need a refund ASAP, or my lawyer will call", "The service is down and I need a refund ASAP, or my lawyer will call"),
        ("not urgent, just asking about the download page", "not urgent, just asking about the download page"),
    ]

    static func fullWidth(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (0x21...0x7E).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0xFEE0)! : scalar == " " ? "\u{3000}" : scalar
        }))
    }

    static func invisible(_ text: String) -> String {
        var out = ""
        for (index, character) in text.enumerated() {
            out.append(character)
            out += ["\u{200B}", "\u{200D}", "\u{FEFF}", "\u{2060}"][index % 4]
        }
        return out
    }

    struct Outcome: Equatable, CustomStringConvertible {
        var urgency: String
        var sentiment: String
        var route: String
        var signals: [String]
        var description: String { "\(urgency)/\(sentiment)/\(route)/\(signals)" }
    }

    func outcome(_ text: String) -> Outcome {
        let result = Self.rules.classify(ClassificationInput(channel: "webhook", source: "t", sender: "a@example.com", subject: nil, text: text))
        return Outcome(urgency: result.urgency.rawValue, sentiment: result.sentiment.rawValue, route: result.route.routeID, signals: result.firedSignals)
    }

    @Test("Simplified, Traditional, full-width and invisible-character variants classify identically", arguments: 0..<cases.count)
    func variants(index: Int) {
        let (simplified, traditional) = Self.cases[index]
        let base = outcome(simplified)
        #expect(outcome(traditional) == base, "traditional: \(traditional)")
        #expect(outcome(Self.fullWidth(simplified)) == base, "full-width")
        #expect(outcome(Self.invisible(simplified)) == base, "invisible characters")
        #expect(outcome(Self.invisible(Self.fullWidth(traditional))) == base, "all at once")
        #expect(outcome(simplified.uppercased()) == base, "upper case")
    }

    @Test("the base messages do classify as intended (the invariance is not vacuous)")
    func baselines() {
        #expect(outcome(Self.cases[0].simplified).sentiment == "negative")
        #expect(outcome(Self.cases[1].simplified).signals.contains("incident"))
        #expect(outcome(Self.cases[5].simplified).sentiment == "positive")
        #expect(!outcome(Self.cases[6].simplified).signals.contains("anxiety"))
        #expect(!outcome(Self.cases[8].simplified).signals.contains("incident"))
    }

    @Test("a match reports where the customer wrote it, in their own characters")
    func positionsMapBack() throws {
        let text = "客服\u{200B}態度太差！ＶＩＰ客户"
        let result = Self.rules.classify(ClassificationInput(channel: "webhook", source: "t", sender: "a@example.com", subject: nil, text: text))
        let match = try #require(result.matches.first { $0.signal == "anger" && !$0.negated })
        let bytes = Array(text.utf8)
        let start = try #require(match.start)
        let end = try #require(match.end)
        #expect(String(decoding: bytes[start..<end], as: UTF8.self) == match.text)
        #expect(match.text?.hasPrefix("態度") == true)
        #expect(match.term.hasPrefix("态度"))
    }

    @Test("normalization folds compatibility forms, case, invisible characters, Traditional Chinese and white space")
    func normalizer() {
        #expect(TextNormalizer.foldsTraditionalChinese)
        #expect(TextNormalizer.normalize("ＶＩＰ１２３") == "vip123")
        #expect(TextNormalizer.normalize("投\u{200B}訴") == "投诉")
        #expect(TextNormalizer.normalize("  A\t\n  b  ") == "a b")
        #expect(TextNormalizer.normalize("態度太差") == "态度太差")
        #expect(TextNormalizer.normalize("emoji 😀 stays") == "emoji 😀 stays")
        #expect(TextNormalizer.normalize("Ａ態") == "a态")
        // `a` came from the three bytes of `Ａ`; the bytes of `态` map to the same bytes of `態`.
        #expect([0, 1, 2, 3, 4].map(FoldedText("Ａ態").originalOffset(of:)) == [0, 3, 4, 5, 6])
        // Dropped characters, collapsed white space, length changes and text outside the BMP all map back.
        let original = "\u{200B} Ｈｉ,\t\t投\u{200B}訴 😀 ㈱ end"
        let folded = FoldedText(original)
        #expect(folded.string == "hi, 投诉 😀 (株) end")
        let utf8 = Array(original.utf8)
        for (needle, expected) in [("投诉", "投\u{200B}訴"), ("hi", "Ｈｉ"), ("😀", "😀"), ("end", "end"), ("(株)", "㈱")] {
            let range = folded.string.utf8.firstRange(of: needle.utf8)!
            let start = folded.originalOffset(of: folded.string.utf8.distance(from: folded.string.utf8.startIndex, to: range.lowerBound))
            let last = folded.originalOffset(of: folded.string.utf8.distance(from: folded.string.utf8.startIndex, to: range.upperBound) - 1)
            var end = last + 1
            while end < utf8.count, utf8[end] & 0xC0 == 0x80 { end += 1 }
            #expect(String(decoding: utf8[start..<end], as: UTF8.self) == expected, "\(needle)")
        }
        #expect(folded.originalOffset(of: folded.bytes.count) == utf8.count)
    }

    @Test("a pathological regex runs in linear time on 64 KiB", .timeLimit(.minutes(1)))
    func pathologicalRegex() throws {
        let directory = try Fixtures.miniRuleDirectory(overriding: [
            "classifiers.yaml": Fixtures.miniRules["classifiers.yaml"]!.replacingOccurrences(of: "'waited \\d+ hours'", with: "'(a+)+b'"),
        ])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let rules = try RuleDirectory.load(directory.path).rules
        let attack = String(repeating: "a", count: 64 * 1024)
        let clock = ContinuousClock()
        var result = rules.classify(ClassificationInput(channel: "webhook", source: "t", sender: "x", subject: nil, text: attack))
        #expect(result.firedSignals.isEmpty)
        let elapsed = clock.measure {
            result = rules.classify(ClassificationInput(channel: "webhook", source: "t", sender: "x", subject: nil, text: attack + "b"))
        }
        #expect(result.firedSignals == ["waited-hours"])
        // Reported, not asserted: backtracking engines take exponential time here.
        print("(a+)+b on 64 KiB: \(elapsed)")
    }
}

extension InvarianceTests {
    @Test("emphasis is measured while folding: capital words (full-width too, not codes) and runs of exclamation marks")
    func emphasis() {
        func measure(_ text: String) -> TextNormalizer.Emphasis? {
            FoldedText(text).emphasis
        }
        #expect(measure("WHY IS THIS so slow")?.capitalWords == 2)
        #expect(measure("ＵＲＧＥＮＴ ＮＯＷ")?.capitalWords == 2)
        #expect(measure("order ORD123 and VIP")?.capitalWords == 1)
        #expect(measure("help!! now!!!")?.longestExclamationRun == 3)
        #expect(measure("快点！！！！")?.longestExclamationRun == 4)
        #expect(measure("! ! !")?.longestExclamationRun == 1)
        // Characters outside the BMP and Chinese ones end a word like any other.
        #expect(measure("😀 WHY IS THIS ORD123 so slow!!!") == measure("WHY IS THIS ORD123 so slow!!!"))
        #expect(measure("快WHY快IS快THIS")?.capitalWords == 2)
        // Invisible characters inside a word in capitals do not end it (they are not there once folded).
        #expect(measure(Self.invisible("WHERE IS MY ORDER"))?.capitalWords == 2)
        #expect(measure(Self.invisible("WHERE IS MY ORDER")) == measure("WHERE IS MY ORDER"))
    }
}

extension InvarianceTests {
    /// Whether the mini rule set, with `lexicon` as its `outage.txt`, fires `outage` on a text.
    static func outageFires(lexicon: String) throws -> (String) -> Bool {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["lexicons/outage.txt": lexicon])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let rules = try RuleDirectory.load(directory.path).rules
        return { text in
            rules.classify(ClassificationInput(channel: "webhook", source: "t", sender: "x", subject: nil, text: text)).firedSignals.contains("outage")
        }
    }

    @Test("a term written with an apostrophe matches the typographic apostrophe phones type, and the contraction typed without one")
    func apostrophes() throws {
        let fires = try Self.outageFires(lexicon: "can't log in\nwe're closed\nthe customer's order\n'quoted'\n")
        for text in ["I can't log in", "I can’t log in", "I can‘t log in", "I canʼt log in", "I CANT LOG IN", "i cant log in"] {
            #expect(fires(text), "\(text)")
        }
        // Possessives lose the apostrophe as people type them ("customers order"); a quote mark at a word's
        // edge is no contraction, and "we're" keeps its apostrophe because "were" is a word of its own.
        #expect(fires("the customers order"))
        #expect(fires("we’re closed"))
        #expect(!fires("we were closed"))
        #expect(!fires("he quoted me"))
        #expect(TextNormalizer.normalize("don’t ‘quote’ me") == "don't 'quote' me")
    }

    @Test("the shipped rules read a message the same with straight, typographic or missing apostrophes")
    func shippedApostrophes() {
        let straight = outcome("I can't log in and I don't know why, it's been two days")
        #expect(straight.signals.contains("incident"))
        #expect(outcome(TextVariants.typographic("I can't log in and I don't know why, it's been two days")) == straight)
        #expect(outcome("I cant log in and I dont know why, its been two days") == straight)
    }
}

extension InvarianceTests {
    @Test("a term written once in Simplified matches its Traditional spelling even where folding cannot bring it back (覆, 著, Taiwan and Hong Kong forms)")
    func traditionalSpellingsOfTerms() throws {
        let fires = try Self.outageFires(lexicon: "一个回复都没有\n着急上火\n")
        // 覆 is a Simplified character too, so 回覆 never folds to 回复; the term's Traditional spelling is
        // compiled as a term of its own.
        #expect(TextNormalizer.normalize("一個回覆都沒有") != TextNormalizer.normalize("一个回复都没有"))
        for text in ["一个回复都没有", "一個回覆都沒有", "我很著急上火", "我很着急上火"] {
            #expect(fires(text), "\(text)")
        }
        #expect(!fires("回覆很快"))
    }
}
