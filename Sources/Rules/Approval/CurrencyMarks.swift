/// How one currency is written around a number: `¥600`, `RMB 600` (before) and `600元`, `80 USD` (after).
public struct CurrencyMarks: Sendable, Equatable {
    /// Marks written before the number: symbols and codes (`¥`, `$`, `RMB`, `人民币`).
    public var before: [String]
    /// Marks written after the number: words and codes (`元`, `块`, `USD`, `美元`).
    public var after: [String]

    public init(before: [String], after: [String]) {
        self.before = before
        self.after = after
    }

    /// The currencies and marks used when `approval.yaml` does not list its own.
    public static let builtIn: [String: CurrencyMarks] = [
        "CNY": CurrencyMarks(before: ["¥", "￥", "RMB", "CNY", "人民币"], after: ["元", "块", "块钱", "RMB", "CNY", "人民币"]),
        "USD": CurrencyMarks(before: ["$", "US$", "USD", "美元"], after: ["USD", "美元", "美金"]),
        "EUR": CurrencyMarks(before: ["€", "EUR"], after: ["EUR", "欧元"]),
        "GBP": CurrencyMarks(before: ["£", "GBP"], after: ["GBP", "英镑"]),
        "HKD": CurrencyMarks(before: ["HK$", "HKD", "港币"], after: ["HKD", "港币", "港元"]),
    ]

    /// Words that contain a mark but are not money (`元旦`, New Year's Day), used when the file lists none.
    public static let builtInNotCurrency = ["元旦", "元宵", "元素", "元件", "单元", "一元二次"]
}
