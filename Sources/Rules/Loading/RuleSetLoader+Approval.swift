import Foundation
import StrictYAML

extension RuleSetLoader {
    static let approvalKeys = ["threshold", "currency", "expires_after", "amount_variables", "rates", "currencies", "not_currency"]

    /// Parses `approval.yaml`: the threshold and its currency, how long a held reply waits, the amount
    /// variables, conversion rates and the marks that make a number an amount.
    func parseApproval(_ root: YAMLValue, _ log: ProblemLog) -> ApprovalPolicy? {
        guard let map = root.mapping(log, what: "approval.yaml", allowed: Self.approvalKeys) else { return nil }
        let problemsBefore = log.problems.count

        var threshold: UInt128 = 0
        if let value = map.required("threshold", in: "approval.yaml", log), let text = value.string(log, what: "threshold") {
            if let number = MoneyAmount.micros(text) { threshold = number } else {
                let negative = text.hasPrefix("-")
                log.report(negative ? "threshold must not be negative" : "threshold '\(text)' is not a number (write e.g. 500 or 500.00; at most 12 digits and 6 decimals)", at: value)
            }
        }

        var currencies = CurrencyMarks.builtIn
        var notCurrency = CurrencyMarks.builtInNotCurrency
        if let value = map["currencies"] {
            currencies = parseCurrencies(value, log)
        }
        let allMarks = Set(currencies.values.flatMap { $0.before + $0.after })
        if let value = map["not_currency"] {
            notCurrency = []
            for (word, position) in value.stringList(log, what: "not_currency") ?? [] {
                if word.isEmpty || word.unicodeScalars.count > MoneyExtractor.maximumMarkLength {
                    log.report("'\(word)' must be 1 to \(MoneyExtractor.maximumMarkLength) characters long", at: position)
                } else if !allMarks.contains(where: { word.contains($0) }) {
                    log.report("'\(word)' contains no currency mark, so listing it under not_currency changes nothing", at: position)
                } else if notCurrency.contains(word) {
                    log.report("'\(word)' is listed twice in not_currency", at: position)
                } else {
                    notCurrency.append(word)
                }
            }
        }

        var currency = ""
        if let value = map.required("currency", in: "approval.yaml", log), let code = value.string(log, what: "currency") {
            if !Self.isCurrencyCode(code) {
                log.report("currency '\(code)' is not an ISO 4217 code such as CNY", at: value)
            } else if currencies[code] == nil {
                let where_ = map["currencies"] == nil ? "the built-in currencies (\(currencies.keys.sorted().joined(separator: ", ")))" : "currencies"
                log.report("the base currency \(code) is not in \(where_), so no amount in it could be found", at: value)
            }
            currency = code
        }

        var expiresAfter = ApprovalPolicy.defaultExpiresAfter
        if let value = map["expires_after"], let text = value.string(log, what: "expires_after") {
            if let seconds = DurationText.seconds(text) { expiresAfter = seconds } else {
                log.report("expires_after '\(text)' is not a duration (write e.g. 30m, 4h or 1d)", at: value)
            }
        }

        var amountVariables: [String] = []
        if let value = map["amount_variables"] {
            for (name, position) in value.stringList(log, what: "amount_variables") ?? [] {
                if !Self.isVariableName(name) {
                    log.report("'\(name)' is not a script variable name (letters, digits, _, - and . parts, starting with a letter or _)", at: position)
                } else if amountVariables.contains(name) {
                    log.report("'\(name)' is listed twice in amount_variables", at: position)
                } else {
                    amountVariables.append(name)
                }
            }
        }

        var rates: [String: UInt128] = [:]
        if let value = map["rates"] {
            for (code, key, rateValue) in Self.entries(value, what: "rates", log) ?? [] {
                if code == currency {
                    log.report("a rate for the base currency \(currency) makes no sense (its rate is 1); remove it", at: key)
                } else if currencies[code] == nil {
                    log.report("a rate for \(code), which is not one of the currencies (\(currencies.keys.sorted().joined(separator: ", ")))", at: key)
                } else if let text = rateValue.string(log, what: "the rate of \(code)") {
                    if let rate = MoneyAmount.micros(text), rate > 0 { rates[code] = rate } else {
                        log.report("the rate of \(code) must be a number above 0 with at most 6 decimals (units of \(currency) per \(code), e.g. 7.2)", at: rateValue)
                    }
                }
            }
        }

        guard log.problems.count == problemsBefore else { return nil }
        return ApprovalPolicy(
            thresholdMicros: threshold, currency: currency, expiresAfter: expiresAfter, amountVariables: amountVariables, rateMicros: rates,
            extractor: MoneyExtractor(currencies: currencies, notCurrency: notCurrency))
    }

    /// `currencies: {CNY: {before: [¥, RMB], after: [元]}}`. A mark names one currency in each place.
    private func parseCurrencies(_ value: YAMLValue, _ log: ProblemLog) -> [String: CurrencyMarks] {
        var currencies: [String: CurrencyMarks] = [:]
        var seenBefore: [String: (String, YAMLValue)] = [:]
        var seenAfter: [String: (String, YAMLValue)] = [:]
        let entries = Self.entries(value, what: "currencies", log) ?? []
        if entries.isEmpty, value.isMapping { log.report("currencies lists no currency (leave it out for the built-in ones)", at: value) }
        for (code, key, marksValue) in entries {
            if !Self.isCurrencyCode(code) {
                log.report("'\(code)' is not an ISO 4217 currency code such as CNY or USD", at: key)
                continue
            }
            guard let map = marksValue.mapping(log, what: "currency \(code)", allowed: ["before", "after"]) else { continue }
            func marks(_ place: String, _ seen: inout [String: (String, YAMLValue)]) -> [String] {
                var out: [String] = []
                for (mark, position) in map[place]?.stringList(log, what: "\(code) \(place)") ?? [] {
                    if let problem = Self.markProblem(mark) {
                        log.report("mark '\(mark)' of \(code) \(problem)", at: position)
                    } else if out.contains(mark) {
                        log.report("mark '\(mark)' is listed twice in \(code) \(place)", at: position)
                    } else if let first = seen[mark] {
                        log.report("mark '\(mark)' written \(place) a number already means \(first.0) (line \(first.1.line)); a mark can name one currency only", at: position)
                    } else {
                        seen[mark] = (code, position)
                        out.append(mark)
                    }
                }
                return out
            }
            let problemsBefore = log.problems.count
            let found = CurrencyMarks(before: marks("before", &seenBefore), after: marks("after", &seenAfter))
            if found.before.isEmpty, found.after.isEmpty, log.problems.count == problemsBefore {
                log.report("currency \(code) has no marks (give before:, after: or both)", at: marksValue)
            }
            currencies[code] = found
        }
        return currencies
    }

    /// A mapping's entries with any keys, or nil (with a problem) when the value is not a mapping.
    private static func entries(_ value: YAMLValue, what: String, _ log: ProblemLog) -> [(String, YAMLValue, YAMLValue)]? {
        guard case let .mapping(mapping) = value.node else {
            log.report("\(what) must be a mapping", at: value)
            return nil
        }
        return mapping.map { pair in
            (pair.key.string ?? "", YAMLValue(node: pair.key, file: value.file), YAMLValue(node: pair.value, file: value.file))
        }
    }

    /// Why a mark cannot be used, or nil. Marks may not hold digits, numerals or spaces: the scanner
    /// reads those as parts of the number.
    static func markProblem(_ mark: String) -> String? {
        if mark.isEmpty { return "is empty" }
        if mark.unicodeScalars.count > MoneyExtractor.maximumMarkLength { return "is longer than \(MoneyExtractor.maximumMarkLength) characters" }
        for scalar in mark.unicodeScalars {
            if Numerals.digit(scalar) != nil || Numerals.chineseDigit(scalar) != nil || Numerals.unit(scalar) != nil {
                return "contains '\(scalar)', which is read as part of a number"
            }
            if scalar.properties.isWhitespace { return "contains a space" }
        }
        return nil
    }

    static func isCurrencyCode(_ text: String) -> Bool {
        text.utf8.count == 3 && text.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }

    /// The names replies give variables (the Replies module checks the same when a reply is written).
    static func isVariableName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 64 else { return false }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 4 else { return false }
        return parts.allSatisfy { part in
            guard let first = part.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A) else { return false }
            return part.utf8.allSatisfy { byte in
                (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
        }
    }
}
