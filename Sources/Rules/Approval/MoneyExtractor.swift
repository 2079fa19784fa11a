import Foundation

/// Finds amounts of money in free text: a number (Arabic, full-width or Chinese numerals, `1,200.50`,
/// `1.5万`, `六百`, `陆佰`) with a currency mark before it (`¥600`, `RMB 600`) or after it (`600元`,
/// `80 USD`). A number without a mark is not an amount, so order numbers, phone numbers and dates are
/// not mistaken for money.
///
/// A hand-written scanner, not a regex: each scalar is looked at a bounded number of times (marks are
/// at most ``maximumMarkLength`` scalars long), so time is linear in the text's length whatever it holds.
public struct MoneyExtractor: Sendable {
    /// The longest mark or excluded word, in Unicode scalars.
    public static let maximumMarkLength = 16
    /// Values are capped at 10^30 (in millionths): far above any threshold, and arithmetic on them
    /// cannot overflow.
    public static let ceilingMicros: UInt128 = {
        var value: UInt128 = 1
        for _ in 0..<36 { value *= 10 }
        return value
    }()

    /// What a string found at a position means.
    struct MarkEntry: Sendable {
        var scalars: [Unicode.Scalar]
        /// Indexes into ``codes``.
        var before: Int?
        var after: Int?
        /// A word that contains a mark but is not money (`元旦`).
        var excluded = false
    }

    let currencies: [String: CurrencyMarks]
    /// Currency codes, sorted; marks refer to them by index.
    let codes: [String]
    let entries: [MarkEntry]
    /// Indexes into ``entries`` by first scalar, longest first.
    let marks: [Unicode.Scalar: [Int]]
    /// For each scalar of the Basic Multilingual Plane, whether a mark or excluded word starts with it:
    /// one array read rules out almost every character before the dictionary is asked.
    let startsMark: [Bool]

    /// - Parameters:
    ///   - currencies: marks per currency code; a mark must not name two currencies in the same place
    ///     (the loader checks that).
    ///   - notCurrency: words that contain a mark but are not money, such as `元旦`.
    public init(currencies: [String: CurrencyMarks] = CurrencyMarks.builtIn, notCurrency: [String] = CurrencyMarks.builtInNotCurrency) {
        self.currencies = currencies
        let codes = currencies.keys.sorted()
        self.codes = codes
        var byText: [String: MarkEntry] = [:]
        for (index, code) in codes.enumerated() {
            for mark in currencies[code]!.before where !mark.isEmpty {
                byText[mark, default: MarkEntry(scalars: Array(mark.unicodeScalars))].before = byText[mark]?.before ?? index
            }
            for mark in currencies[code]!.after where !mark.isEmpty {
                byText[mark, default: MarkEntry(scalars: Array(mark.unicodeScalars))].after = byText[mark]?.after ?? index
            }
        }
        for word in notCurrency where !word.isEmpty {
            byText[word, default: MarkEntry(scalars: Array(word.unicodeScalars))].excluded = true
        }
        let entries = byText.keys.sorted().map { byText[$0]! }
        var byFirst: [Unicode.Scalar: [Int]] = [:]
        for (index, entry) in entries.enumerated() {
            guard let first = entry.scalars.first else { continue }
            byFirst[first, default: []].append(index)
        }
        for key in byFirst.keys {
            byFirst[key]!.sort { entries[$0].scalars.count > entries[$1].scalars.count }
        }
        self.entries = entries
        self.marks = byFirst
        var startsMark = [Bool](repeating: false, count: 0x10000)
        for scalar in byFirst.keys where scalar.value < 0x10000 { startsMark[Int(scalar.value)] = true }
        self.startsMark = startsMark
    }

    /// Every amount in `text`, in the order written. A number with marks of two different currencies
    /// (`$600元`) gives one amount per currency, so a check of the largest cannot miss either.
    public func amounts(in text: String) -> [MoneyAmount] {
        let scan = Scan(text: text, extractor: self)
        let tokens = scan.tokens()
        var numbers: [(token: Int, before: (Int, Int)?, after: (Int, Int)?)] = []
        for (index, token) in tokens.enumerated() {
            guard case .number = token.kind else { continue }
            numbers.append((index, prefixMark(tokens, index), suffixMark(tokens, index)))
        }
        // `600-800元` and `¥600-800`: both ends of a range share the currency written once.
        if numbers.count > 1 {
            for pair in 0..<(numbers.count - 1) where joinedAsRange(tokens, numbers[pair].token, numbers[pair + 1].token) {
                if numbers[pair].after == nil, let after = numbers[pair + 1].after {
                    numbers[pair].after = (after.0, tokens[numbers[pair].token].end)
                }
                if numbers[pair + 1].before == nil, let before = numbers[pair].before {
                    numbers[pair + 1].before = (before.0, tokens[numbers[pair + 1].token].start)
                }
            }
        }
        var found: [MoneyAmount] = []
        for number in numbers {
            let token = tokens[number.token]
            guard case let .number(value) = token.kind else { continue }
            if number.before == nil, number.after == nil { continue }
            if number.before == nil, isGlued(tokens, number.token) { continue }
            let start = number.before?.1 ?? token.start
            let end = number.after?.1 ?? token.end
            let range = scan.index(start)..<scan.index(end)
            if let before = number.before {
                found.append(MoneyAmount(currency: codes[before.0], micros: value, range: range))
            }
            if let after = number.after, after.0 != number.before?.0 {
                found.append(MoneyAmount(currency: codes[after.0], micros: value, range: range))
            }
        }
        return found
    }

    /// The amount a variable's whole value states: a number with or without marks (`600`, `¥600`,
    /// `600 元`, `六百元`); without marks it is in `currency`. Nil when the value is anything else
    /// (`lots`, `12abc`, `600 元 左右`, empty), so a malformed amount is refused rather than guessed.
    public func wholeAmount(_ value: String, currency: String) -> MoneyAmount? {
        let scan = Scan(text: value, extractor: self)
        let tokens = scan.tokens().filter { if case .space = $0.kind { false } else { true } }
        var position = 0
        var before: Int?
        var after: Int?
        if position < tokens.count, case let .mark(entry) = tokens[position].kind {
            guard let code = entries[entry].before else { return nil }
            before = code
            position += 1
        }
        guard position < tokens.count, case let .number(amount) = tokens[position].kind else { return nil }
        position += 1
        if position < tokens.count, case let .mark(entry) = tokens[position].kind {
            guard let code = entries[entry].after else { return nil }
            after = code
            position += 1
        }
        guard position == tokens.count else { return nil }
        if let before, let after, before != after { return nil }
        return MoneyAmount(currency: (before ?? after).map { codes[$0] } ?? currency, micros: amount, range: value.startIndex..<value.endIndex)
    }

    /// The currency of a mark written just before token `index` (spaces allowed between), with where it starts.
    private func prefixMark(_ tokens: [Scan.Token], _ index: Int) -> (Int, Int)? {
        var at = index - 1
        if at >= 0, case .space = tokens[at].kind { at -= 1 }
        guard at >= 0, case let .mark(entry) = tokens[at].kind, let code = entries[entry].before else { return nil }
        return (code, tokens[at].start)
    }

    /// The currency of a mark written just after token `index`: spaces and an approximation (`600多元`) allowed between.
    private func suffixMark(_ tokens: [Scan.Token], _ index: Int) -> (Int, Int)? {
        var at = index + 1
        if at < tokens.count, case .space = tokens[at].kind { at += 1 }
        if at < tokens.count, case .approximately = tokens[at].kind {
            at += 1
            if at < tokens.count, case .space = tokens[at].kind { at += 1 }
        }
        guard at < tokens.count, case let .mark(entry) = tokens[at].kind, let code = entries[entry].after else { return nil }
        return (code, tokens[at].end)
    }

    /// Whether two numbers are the ends of a range: `600-800`, `600 ~ 800`, `六百到八百`.
    private func joinedAsRange(_ tokens: [Scan.Token], _ first: Int, _ second: Int) -> Bool {
        guard second - first <= 4 else { return false }
        var connectors = 0
        for token in tokens[(first + 1)..<second] {
            switch token.kind {
            case .space: continue
            case .rangeConnector: connectors += 1
            default: return false
            }
        }
        return connectors == 1
    }

    /// A number written straight after letters or `#` (`A600`, `#600`) is part of an identifier.
    private func isGlued(_ tokens: [Scan.Token], _ index: Int) -> Bool {
        guard index > 0, case let .other(last) = tokens[index - 1].kind else { return false }
        switch last.value {
        case 0x41...0x5A, 0x61...0x7A, 0x23, 0x5F, 0x40, 0x2F, 0x5C: return true  // letters, # _ @ / \
        default: return false
        }
    }
}
