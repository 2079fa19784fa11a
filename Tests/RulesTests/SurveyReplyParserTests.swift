import Rules
import SwitchboardCore
import Testing

@Suite("Survey reply parser")
struct SurveyReplyParserTests {
    static let csatAnswers: [(String, Int)] = [
        ("5", 5), ("1", 1), (" 4 ", 4), ("\n3\n", 3), ("\u{3000}2\u{3000}", 2), ("\u{A0}5", 5),
        ("５", 5), ("１", 1),
        ("五", 5), ("伍", 5), ("一", 1), ("壹", 1), ("两", 2), ("贰", 2), ("三", 3), ("肆", 4),
        ("5分", 5), ("五分", 5), ("5 分", 5), ("５分", 5),
        ("5。", 5), ("5！", 5), ("5!", 5), ("5.", 5), ("5!!", 5), ("五分。", 5), ("5 分 ！", 5), ("4．", 4),
        ("\u{200B}5", 5), ("5\u{200B}", 5), ("\u{FEFF}5", 5), ("\u{2060}4\u{200D}", 4), ("5\u{AD}", 5),
    ]

    @Test("one number in the CSAT scale, in any accepted form, is the score", arguments: csatAnswers)
    func csat(_ text: String, _ score: Int) {
        #expect(SurveyReplyParser.score(in: text, kind: .csat) == score)
    }

    static let notAnswers: [String] = [
        "", " ", "分", "。", "5 stars but late", "15", "4-5", "4 5", "订单5", "5号", "5.5", "5.0", "-3", "+4", "0", "6", "零", "十",
        "５５", "五五", "1,2", "5分5", "!5", "5!分", "分5", "5 points", "five", "5️⃣", "⑤", "٥", "5/5", "五十", "1\u{200B}0", "#5", "05x",
        String(repeating: " ", count: 100) + "5",
    ]

    @Test("anything but exactly one number in the scale is not an answer", arguments: notAnswers)
    func notAnAnswer(_ text: String) {
        #expect(SurveyReplyParser.score(in: text, kind: .csat) == nil)
    }

    static let npsAnswers: [(String, Int)] = [
        ("0", 0), ("10", 10), ("１０", 10), ("零", 0), ("〇", 0), ("十", 10), ("拾", 10), ("一十", 10), ("壹拾", 10), ("十分", 10),
        ("9分！", 9), ("七", 7), ("6", 6), ("05", 5),
    ]

    @Test("NPS takes 0 to 10, ten written as 10, １０ or 十", arguments: npsAnswers)
    func nps(_ text: String, _ score: Int) {
        #expect(SurveyReplyParser.score(in: text, kind: .nps) == score)
    }

    @Test("beyond the NPS scale, and two numbers, are not answers", arguments: ["11", "十一", "100", "二十", "1 0", "十十", "一一"])
    func npsRefused(_ text: String) {
        #expect(SurveyReplyParser.score(in: text, kind: .nps) == nil)
    }

    @Test("a long message is refused before it is read, however it ends")
    func bounded() {
        let long = String(repeating: "\u{200B}", count: 10_000) + "5"
        #expect(SurveyReplyParser.score(in: long, kind: .csat) == nil)
        #expect(SurveyReplyParser.score(in: String(repeating: " ", count: 60) + "5", kind: .csat) == 5)
    }
}
