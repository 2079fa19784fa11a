import Foundation
import Rules
import Testing

@Suite("Money amounts in free text")
struct MoneyExtractorTests {
    let extractor = MoneyExtractor()

    func found(_ text: String) -> [String] { extractor.amounts(in: text).map(\.description) }

    @Test("amounts are found however they are written", arguments: [
        ("¥600", ["600 CNY"]),
        ("￥600", ["600 CNY"]),
        ("¥ 600", ["600 CNY"]),
        ("600元", ["600 CNY"]),
        ("600 元", ["600 CNY"]),
        ("600\u{3000}元", ["600 CNY"]),
        ("RMB 600", ["600 CNY"]),
        ("RMB600", ["600 CNY"]),
        ("CNY 600", ["600 CNY"]),
        ("600 CNY", ["600 CNY"]),
        ("人民币600元", ["600 CNY"]),
        ("1,200.50 元", ["1200.5 CNY"]),
        ("12,345,678元", ["12345678 CNY"]),
        ("０.５元", ["0.5 CNY"]),
        ("６００元", ["600 CNY"]),
        ("六百元", ["600 CNY"]),
        ("陆佰元", ["600 CNY"]),
        ("壹仟贰佰元", ["1200 CNY"]),
        ("一千二百元", ["1200 CNY"]),
        ("一千零五元", ["1005 CNY"]),
        ("一千零五十元", ["1050 CNY"]),
        ("两千元", ["2000 CNY"]),
        ("两千五元", ["2500 CNY"]),
        ("十五元", ["15 CNY"]),
        ("一万五千元", ["15000 CNY"]),
        ("一亿五千万元", ["150000000 CNY"]),
        ("1.5万元", ["15000 CNY"]),
        ("1万2千元", ["12000 CNY"]),
        ("3千元", ["3000 CNY"]),
        ("三五百元", ["500 CNY"]),
        ("六百块", ["600 CNY"]),
        ("600块钱", ["600 CNY"]),
        ("600多元", ["600 CNY"]),
        ("$80", ["80 USD"]),
        ("US$80", ["80 USD"]),
        ("80 USD", ["80 USD"]),
        ("80美元", ["80 USD"]),
        ("€100", ["100 EUR"]),
        ("HK$100", ["100 HKD"]),
        ("400-800元", ["400 CNY", "800 CNY"]),
        ("¥400~800", ["400 CNY", "800 CNY"]),
        ("四百到八百元", ["400 CNY", "800 CNY"]),
        ("先退50元，再补偿¥600", ["50 CNY", "600 CNY"]),
        ("$600元", ["600 USD", "600 CNY"]),
    ])
    func amounts(_ text: String, _ expected: [String]) {
        #expect(found(text) == expected)
    }

    @Test("numbers without a currency mark are not amounts", arguments: [
        "订单号 600123",
        "订单号600123已发货",
        "订单号 600123 元旦前发货",
        "订单 SO600123元 已退款",
        "工单#600元",
        "请拨打 400-820-8820 或 13800138000",
        "+86 138 0013 8000",
        "2026年12月3日 10:30",
        "2026-12-03",
        "请在 600 秒内回复",
        "六百",
        "XRMB600",
        "RMBX 600",
        "600 RMBX",
        "第3单元601室",
        "一元二次方程",
        "",
        "¥",
        "元",
    ])
    func notAmounts(_ text: String) {
        #expect(found(text).isEmpty)
    }

    @Test("each amount's range covers its marks and number")
    func ranges() throws {
        let text = "您好，赔偿人民币600元，另退US$ 80。"
        let amounts = extractor.amounts(in: text)
        #expect(amounts.map { String(text[$0.range]) } == ["人民币600元", "US$ 80"])
        #expect(amounts.map(\.value) == [600, 80])
    }

    @Test("a variable's value is an amount only when all of it is one", arguments: [
        ("600", "600 CNY"),
        ("¥600", "600 CNY"),
        ("600 元", "600 CNY"),
        ("¥600元", "600 CNY"),
        ("六百元", "600 CNY"),
        ("1,200.50", "1200.5 CNY"),
        ("80 USD", "80 USD"),
        ("$80", "80 USD"),
    ])
    func wholeAmounts(_ value: String, _ expected: String) {
        #expect(extractor.wholeAmount(value, currency: "CNY")?.description == expected)
    }

    @Test("anything else in a variable is not an amount", arguments: [
        "lots", "12abc", "", "元", "¥", "-5", "1,2", "600 元 左右", "600多元", "$600元", "600 600", "about 600", "600元整",
    ])
    func malformedWholeAmounts(_ value: String) {
        #expect(extractor.wholeAmount(value, currency: "CNY") == nil)
    }

    // MARK: Adversarial inputs: the scanner is linear, so these finish; what is checked is the outcome.

    @Test("a megabyte of digits after a currency sign is one capped amount")
    func longNumber() throws {
        let text = "¥" + String(repeating: "9", count: 1_000_000)
        let amounts = extractor.amounts(in: text)
        #expect(amounts.count == 1)
        let amount = try #require(amounts.first)
        #expect(amount.micros == MoneyExtractor.ceilingMicros)
        #expect(amount.range == text.startIndex..<text.endIndex)
        let policy = try #require(ApprovalPolicy(threshold: "500", currency: "CNY"))
        #expect(policy.check(text: text).needsApproval)
    }

    @Test("a megabyte of digits without a currency holds no amount")
    func longDigitsOnly() {
        #expect(extractor.amounts(in: String(repeating: "1234567890", count: 100_000)).isEmpty)
        #expect(extractor.amounts(in: String(repeating: "1,234.", count: 170_000)).isEmpty)
    }

    @Test("alternating signs and digits give one amount each")
    func manyAmounts() {
        let text = String(repeating: "¥1 ", count: 100_000)
        let amounts = extractor.amounts(in: text)
        #expect(amounts.count == 100_000)
        #expect(amounts.allSatisfy { $0.micros == 1_000_000 && $0.currency == "CNY" })
    }

    @Test("long runs of grouping, numerals, units and signs stay bounded")
    func longRuns() {
        let grouped = "1" + String(repeating: ",000", count: 250_000) + "元"
        #expect(extractor.amounts(in: grouped).count == 1)
        let numerals = String(repeating: "九", count: 300_000) + "元"
        #expect(extractor.amounts(in: numerals).count == 1)
        let units = String(repeating: "亿", count: 300_000) + "元"
        let huge = extractor.amounts(in: units)
        #expect(huge.count == 1)
        #expect(huge.first.map { $0.micros > 500_000_000 } == true)
        let signs = String(repeating: "$", count: 200_000) + "1"
        #expect(found(signs) == ["1 USD"])
        let fraction = "0." + String(repeating: "0", count: 500_000) + "1元"
        #expect(found(fraction) == ["0 CNY"])
        let ranges = String(repeating: "1-", count: 300_000) + "1元"
        #expect(extractor.amounts(in: ranges).count >= 1)
    }

    @Test("random mixes of digits, numerals and marks give well-formed amounts")
    func randomMixes() {
        let pieces = ["¥", "$", "元", "RMB", " ", "1", "0", "9", ",", ".", "六", "百", "万", "亿", "零", "-", "多", "a", "#", "元旦", "US$", "５"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var text = ""
            for _ in 0..<Int.random(in: 0..<200, using: &generator) { text += pieces.randomElement(using: &generator)! }
            let amounts = extractor.amounts(in: text)
            #expect(amounts.count <= text.unicodeScalars.count, "\(text)")
            for amount in amounts {
                #expect(amount.micros <= MoneyExtractor.ceilingMicros, "\(text)")
                #expect(!text[amount.range].isEmpty, "\(text)")
            }
        }
    }
}
