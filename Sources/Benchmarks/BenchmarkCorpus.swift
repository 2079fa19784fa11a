import Foundation

/// A deterministic corpus of customer messages (Simplified, Traditional and English mixed, about 1 KiB
/// each) and a rule set of generated terms and regexes, written as an ordinary rules directory.
public struct BenchmarkCorpus: Sendable {
    public struct Message: Sendable {
        public var subject: String
        public var text: String
    }

    public var messages: [Message]
    /// The cue terms the rules look for, some of which the messages contain.
    public var terms: [String]
    public var regexes: [String]

    static let simplifiedFiller = Array("我们你的订单已经发货请问什么时候能到客服电话账户系统问题处理退款快递包裹物流地址信息确认谢谢帮助查询服务中心产品质量价格优惠活动会员积分支付成功失败重新登录密码修改通知短信邮件")
    static let traditionalFiller = Array("我們你的訂單已經發貨請問什麼時候能到客服電話賬戶系統問題處理退款快遞包裹物流地址信息確認謝謝幫助查詢服務中心產品質量價格優惠活動會員積分支付成功失敗重新登錄密碼修改通知簡訊郵件")
    static let englishFiller = [
        "order", "delivery", "account", "please", "help", "when", "will", "my", "the", "package", "arrive", "support",
        "thanks", "invoice", "payment", "address", "change", "update", "customer", "service", "number", "tracking",
        "question", "about", "product", "price", "refund", "status", "today", "yesterday", "again", "still", "waiting",
    ]
    /// Real cue words from the service standards, so matches resemble production.
    static let realCues = [
        "态度太差", "爱答不理", "冷冰冰", "敷衍", "骗人", "虚假宣传", "再也不买", "退订", "投诉", "消费者协会", "12315", "曝光",
        "律师", "起诉", "立即退款", "赔偿", "退货", "假货", "欺骗", "还没有收到", "催单", "服务中断", "系统故障", "数据异常",
        "无法登录", "着急", "焦虑", "態度太差", "投訴", "無法登錄", "系統故障", "refund", "compensation", "lawyer", "media",
        "outage", "urgent", "asap", "cancel my account", "terrible service",
    ]

    /// Builds `count` messages and a vocabulary of `termCount` terms and `regexCount` regexes from `seed`.
    public static func generate(messages count: Int, termCount: Int, regexCount: Int, seed: UInt64) -> BenchmarkCorpus {
        var random = SeededGenerator(seed: seed)
        var terms = Set(realCues)
        while terms.count < termCount {
            if Bool.random(using: &random) {
                let length = Int.random(in: 2...4, using: &random)
                terms.insert(String((0..<length).map { _ in simplifiedFiller.randomElement(using: &random)! }) + "问题")
            } else {
                let length = Int.random(in: 6...10, using: &random)
                terms.insert(String((0..<length).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement(using: &random)! }))
            }
        }
        let termList = terms.sorted()
        var regexes: [String] = []
        let stems = ["已经(过去|等了)", "等了", "超过", "order\\s*#?", "ticket\\s*", "waited\\s+", "code\\s*", "工单"]
        let tails = ["\\d+(个)?小时", "\\d+天", "\\d{6,}", "[a-z]{2}\\d{4,}", "\\d+\\s*(hours|days)"]
        for index in 0..<regexCount {
            regexes.append(stems[index % stems.count] + tails[(index / stems.count) % tails.count] + (index >= 40 ? "[!！]" : ""))
        }
        var messages: [Message] = []
        messages.reserveCapacity(count)
        for _ in 0..<count {
            let kind = Int.random(in: 0..<10, using: &random)
            var text = ""
            while text.utf8.count < 1000 {
                if Int.random(in: 0..<40, using: &random) == 0 {
                    text += termList.randomElement(using: &random)! + " "
                    continue
                }
                switch kind {
                case 0..<4:
                    text.append(simplifiedFiller.randomElement(using: &random)!)
                    if Int.random(in: 0..<12, using: &random) == 0 { text += "，" }
                case 4..<7:
                    text.append(traditionalFiller.randomElement(using: &random)!)
                    if Int.random(in: 0..<12, using: &random) == 0 { text += "，" }
                default:
                    text += englishFiller.randomElement(using: &random)! + (Int.random(in: 0..<10, using: &random) == 0 ? ". " : " ")
                }
            }
            if Int.random(in: 0..<20, using: &random) == 0 { text += " 已经等了\(Int.random(in: 2...96, using: &random))小时" }
            messages.append(Message(subject: kind < 7 ? "订单问题" : "Order question", text: text))
        }
        return BenchmarkCorpus(messages: messages, terms: termList, regexes: regexes)
    }

    /// Writes a complete rules directory using these terms: 10 urgency and 10 sentiment signals, each with
    /// a lexicon, the regexes split between them, a few routes and a default.
    /// Writes the rule set: the generated terms and regexes in 20 signals, and, with `lexicons`, every
    /// lexicon of that directory read by a scoring signal and an intent signal, as the shipped rules do.
    public func writeRules(to directory: URL, lexicons: String? = nil) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory.appendingPathComponent("lexicons"), withIntermediateDirectories: true)
        try fileManager.createDirectory(at: directory.appendingPathComponent("scripts/ack"), withIntermediateDirectories: true)
        var urgency = ""
        var sentiment = ""
        for index in 0..<20 {
            let slice = terms.enumerated().filter { $0.offset % 20 == index }.map(\.element)
            try (slice.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("lexicons/l\(index).txt"), atomically: true, encoding: .utf8)
            let patterns = regexes.enumerated().filter { $0.offset % 20 == index }.map { "'\($0.element)'" }
            let regexLine = patterns.isEmpty ? "" : "\n      regex: [\(patterns.joined(separator: ", "))]"
            let entry = "    - id: s\(index)\n      weight: \(index < 10 ? 2 + index % 3 : -(2 + index % 3))\n      lexicon: l\(index)\(regexLine)\n"
            if index < 10 { urgency += entry } else { sentiment += entry }
        }
        var intents = ""
        if let lexicons {
            let names = try fileManager.contentsOfDirectory(atPath: lexicons).filter { $0.hasSuffix(".txt") }.sorted().map { String($0.dropLast(4)) }
            var intentSignals = ""
            for (index, name) in names.enumerated() {
                try fileManager.copyItem(
                    atPath: (lexicons as NSString).appendingPathComponent(name + ".txt"),
                    toPath: directory.appendingPathComponent("lexicons/shipped-\(name).txt").path)
                let entry = "    - id: shipped-\(name)\n      weight: \(index % 2 == 0 ? 3 : -3)\n      lexicon: shipped-\(name)\n"
                if index % 2 == 0 { urgency += entry } else { sentiment += entry }
                intentSignals += "    - id: intent-\(name)\n      intent: i\(index)\n      weight: \(names.count - index)\n      lexicon: shipped-\(name)\n"
            }
            let ids = names.indices.map { "i\($0)" }.joined(separator: ", ")
            intents = "intent:\n  intents: [\(ids), other]\n  default: other\n  signals:\n" + intentSignals
        }
        let classifiers = """
            negation:
              window: 4
              terms: [不, 没, 没有, 别, 无需, not, "no", never]
            intensity:
              window: 3
              terms: [非常, 太, very, really]
              boost: 1
              exclamations: 3
              caps_words: 2
            urgency:
              levels: { critical: 8, high: 4, normal: 0 }
              signals:
            \(urgency)sentiment:
              levels: { negative: -3, positive: 3, strong: -6 }
              signals:
            \(sentiment)\(intents)
            """
        let routes = """
            queues:
              - { id: general, name: General }
              - { id: urgent, name: Urgent }
              - { id: complaints, name: Complaints }
            routes:
              - id: critical
                when: { urgency: critical }
                queue: urgent
                priority: 1
                stop: true
              - id: angry
                when: { all: [ { sentiment: negative }, { not: { channel: sms } } ] }
                queue: complaints
                priority: 2
              - id: busy
                when: { any: [ { signal: s1 }, { signal: s2 }, { urgency_at_least: high } ] }
                priority: 2
              - id: default
                default: true
                queue: general
                priority: 3
                sla: normal
                auto_reply: ack
            """
        // A realistic customer directory, so tier look-ups cost what they cost in production.
        var customers = "default_tier: ordinary\ncustomers:\n"
        for index in 0..<500 { customers += "  - { address: customer\(index)@example.com, tier: \(index % 2 == 0 ? "vip" : "strategic") }\n" }
        customers += "domains:\n"
        for index in 0..<50 { customers += "  - { domain: partner\(index).example, tier: strategic }\n" }
        let files = [
            "classifiers.yaml": classifiers, "routes.yaml": routes, "customers.yaml": customers,
            "sla.yaml": "policies:\n  - { id: normal, first_response: 2h }\n",
            "replies.yaml": "default_language: en\nlanguages: [zh, en]\n",
            "scripts/ack/en.mustache": "Ticket {{conversation.reference}}: {{queue.team}} answers within {{sla.first_response}}.\n",
        ]
        for (name, content) in files {
            try content.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }
}
