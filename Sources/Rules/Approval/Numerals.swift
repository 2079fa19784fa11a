/// Numbers as customers and agents write them: Arabic digits (ASCII or full-width) with `,` grouping and
/// a decimal point, Chinese numerals (`六百`, `一千二百`, `两千五`), financial numerals (`陆佰`, `壹仟`)
/// and mixes (`1.5万`, `3千5百`). Values are millionths (``MoneyAmount/micros``), saturating at
/// ``MoneyExtractor/ceilingMicros``; every function reads each scalar once.
enum Numerals {
    static let unitMicros: UInt128 = 1_000_000

    /// `0`–`9` and full-width `０`–`９`.
    static func digit(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        case 0x30...0x39: Int(scalar.value - 0x30)
        case 0xFF10...0xFF19: Int(scalar.value - 0xFF10)
        default: nil
        }
    }

    /// Chinese digits, ordinary and financial, Simplified and Traditional.
    static func chineseDigit(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar {
        case "零", "〇": 0
        case "一", "壹": 1
        case "二", "两", "兩", "贰", "貳": 2
        case "三", "叁": 3
        case "四", "肆": 4
        case "五", "伍": 5
        case "六", "陆", "陸": 6
        case "七", "柒": 7
        case "八", "捌": 8
        case "九", "玖": 9
        default: nil
        }
    }

    /// The power of ten a unit character stands for.
    static func unit(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar {
        case "十", "拾": 1
        case "百", "佰": 2
        case "千", "仟": 3
        case "万", "萬": 4
        case "亿", "億": 8
        default: nil
        }
    }

    static func add(_ a: UInt128, _ b: UInt128) -> UInt128 { min(a + b, MoneyExtractor.ceilingMicros) }

    static func times(_ a: UInt128, power exponent: Int) -> UInt128 {
        var factor: UInt128 = 1
        for _ in 0..<exponent { factor *= 10 }
        let (product, overflow) = a.multipliedReportingOverflow(by: factor)
        return overflow ? MoneyExtractor.ceilingMicros : min(product, MoneyExtractor.ceilingMicros)
    }

    /// Reads the longest number starting at `start` (where a digit, Chinese digit or unit stands) and
    /// returns its value in millionths and the offset after it.
    static func parse(_ scalars: [Unicode.Scalar], from start: Int) -> (UInt128, Int) {
        enum Item { case none, arabic, chinese, unit }
        var at = start
        var high: UInt128 = 0         // completed 亿 blocks
        var tenThousands: UInt128 = 0 // the completed 万 block
        var section: UInt128 = 0      // below 万
        var arabic: (value: UInt128, singleDigit: Int?)?
        var group = DigitAccumulator() // consecutive Chinese digits since the last unit
        var groupCount = 0
        var groupMax = 0
        var groupStartsWithZero = false
        var lastUnit: Int?
        var last = Item.none


        while at < scalars.count {
            let scalar = scalars[at]
            if digit(scalar) != nil {
                // An Arabic number starts a run or follows a unit (`1万2000`), never a digit.
                guard last == .none || last == .unit else { break }
                let (value, end, single) = arabicNumber(scalars, from: at)
                arabic = (value, single)
                at = end
                last = .arabic
            } else if let value = chineseDigit(scalar) {
                guard last != .arabic else { break }
                if groupCount == 0 { groupStartsWithZero = value == 0 }
                group.pushInteger(value)
                groupCount += 1
                groupMax = max(groupMax, value)
                at += 1
                last = .chinese
            } else if let exponent = unit(scalar) {
                // The digits before a unit: an Arabic number, a single digit, the larger of several
                // (`三五百`, three to five hundred, is taken as 500), or nothing (`十五`, `百`). Written
                // out rather than as a nested function, which would box every variable it captures.
                var pending: UInt128?
                if let arabic { pending = arabic.value } else if groupCount > 0 { pending = UInt128(groupMax) * unitMicros }
                if exponent < 4 {
                    section = add(section, times(pending ?? unitMicros, power: exponent))
                } else {
                    var block = add(section, pending ?? 0)
                    if exponent == 8 { block = add(block, tenThousands) }
                    if block == 0 { block = unitMicros }
                    if exponent == 8 {
                        high = add(high, times(block, power: 8))
                        tenThousands = 0
                    } else {
                        tenThousands = add(tenThousands, times(block, power: 4))
                    }
                    section = 0
                }
                arabic = nil
                group = DigitAccumulator()
                groupCount = 0
                groupMax = 0
                groupStartsWithZero = false
                lastUnit = exponent
                at += 1
                last = .unit
            } else {
                break
            }
        }

        var tail: UInt128 = 0
        if let arabic {
            tail = arabic.value
            // `3千5`, like `两千五`, means 3500.
            if let single = arabic.singleDigit, let lastUnit, lastUnit >= 2 { tail = times(UInt128(single) * unitMicros, power: lastUnit - 1) }
        } else if groupCount > 0 {
            tail = group.micros
            if groupCount == 1, !groupStartsWithZero, let lastUnit, lastUnit >= 2 {
                tail = times(UInt128(groupMax) * unitMicros, power: lastUnit - 1)
            }
        }
        return (add(add(add(high, tenThousands), section), tail), at)
    }

    /// `600`, `６００`, `1,200.50`: digits, groups of exactly three after `,`, and a fraction after `.`
    /// or `．`. Returns the value, the offset after it, and the digit when it is one digit alone.
    static func arabicNumber(_ scalars: [Unicode.Scalar], from start: Int) -> (UInt128, Int, Int?) {
        var accumulator = DigitAccumulator()
        var at = start
        var count = 0
        while at < scalars.count, let value = digit(scalars[at]) {
            accumulator.pushInteger(value)
            at += 1
            count += 1
        }
        // `1,200`: a comma counts only after one to three digits and when exactly three digits follow
        // it, so `1,20` and lists such as `1,2,3` are not read as one number.
        while count <= 3 || accumulator.grouped, at + 3 < scalars.count, scalars[at] == ",",
              digit(scalars[at + 1]) != nil, digit(scalars[at + 2]) != nil, digit(scalars[at + 3]) != nil,
              at + 4 >= scalars.count || digit(scalars[at + 4]) == nil {
            for offset in 1...3 { accumulator.pushInteger(digit(scalars[at + offset])!) }
            accumulator.grouped = true
            at += 4
            count += 3
        }
        var hasFraction = false
        if at + 1 < scalars.count, scalars[at] == "." || scalars[at] == "．", digit(scalars[at + 1]) != nil {
            hasFraction = true
            at += 1
            while at < scalars.count, let value = digit(scalars[at]) {
                accumulator.pushFraction(value)
                at += 1
            }
        }
        let single = count == 1 && !hasFraction ? digit(scalars[start]) : nil
        return (accumulator.micros, at, single)
    }
}

/// Digits gathered into millionths, saturating: a number a megabyte long costs no memory and ends up at
/// ``MoneyExtractor/ceilingMicros``. Fraction digits after the sixth are dropped.
struct DigitAccumulator {
    private var whole: UInt128 = 0
    private var fraction: UInt128 = 0
    private var fractionDigits = 0
    /// Set once a `,` group has been read, so later groups are accepted whatever the count.
    var grouped = false
    private static let wholeCeiling = MoneyExtractor.ceilingMicros / Numerals.unitMicros

    mutating func pushInteger(_ digit: Int) {
        whole = min(whole * 10 + UInt128(digit), Self.wholeCeiling)
    }

    mutating func pushFraction(_ digit: Int) {
        guard fractionDigits < 6 else { return }
        fraction = fraction * 10 + UInt128(digit)
        fractionDigits += 1
    }

    var micros: UInt128 {
        var scaled = fraction
        for _ in fractionDigits..<6 { scaled *= 10 }
        return min(whole * Numerals.unitMicros + scaled, MoneyExtractor.ceilingMicros)
    }
}
