import Foundation
import SwitchboardCore

/// RFC 5322 dates, parsed tolerantly and formatted exactly, with calendar arithmetic done by hand so
/// neither locale nor time zone database can change the result.
enum MailDate {
    /// Parses `[Day,] DD Mon YYYY HH:MM[:SS] zone`, also tolerating obsolete zone names, two-digit
    /// years, comments, missing day names and the asctime order (`Mon Nov 22 10:00:00 2026`).
    static func parse(_ value: String) -> Date? {
        var cleaned = ""
        var depth = 0
        for character in value.prefix(200) {
            if character == "(" { depth += 1; continue }
            if character == ")" { depth = max(0, depth - 1); continue }
            if depth == 0 { cleaned.append(character == "," ? " " : character) }
        }
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (hour: Int, minute: Int, second: Int)?
        var offset = 0

        for token in cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) {
            if let sign = token.first, sign == "+" || sign == "-", time != nil || token.count >= 5 {
                let digits = token.dropFirst().filter { $0 != ":" }
                if digits.count == 4, let number = Int(digits), number % 100 < 60 {
                    offset = (number / 100 * 3600 + number % 100 * 60) * (sign == "-" ? -1 : 1)
                }
                continue
            }
            if token.contains(":") {
                let pieces = token.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
                guard pieces.count >= 2, pieces.count <= 3, pieces.allSatisfy({ $0 != nil }) else { continue }
                let hour = pieces[0] ?? 0, minute = pieces[1] ?? 0, second = pieces.count == 3 ? (pieces[2] ?? 0) : 0
                guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
                time = (hour, minute, min(second, 59))
                continue
            }
            if token.allSatisfy(\.isASCIIDigit) {
                guard token.count <= 4, let number = Int(token) else { continue }
                if day == nil && token.count <= 2 && (1...31).contains(number) {
                    day = number
                } else if year == nil {
                    year = token.count <= 2 ? (number < 50 ? 2000 + number : 1900 + number) : (token.count == 3 ? 1900 + number : number)
                }
                continue
            }
            let lower = ASCII.lowercased(token)
            if month == nil, lower.count >= 3, let index = months.firstIndex(where: { lower.hasPrefix($0) }) {
                month = index + 1
                continue
            }
            if let zone = zones[lower] { offset = zone * 3600 }
        }
        guard let day, let month, let year, let time, (1900...9999).contains(year) else { return nil }
        guard day <= daysInMonth(month, year: year) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + time.hour * 3600 + time.minute * 60 + time.second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// `Sun, 22 Nov 2026 10:00:00 +0000`, always in UTC.
    static func format(_ date: Date) -> String {
        // Clamped to years 1970...9999 so a nonsensical date cannot trap the conversion to Int.
        let interval = date.timeIntervalSince1970
        let total = interval.isFinite ? Int(min(max(interval, 0), 253_402_300_799).rounded(.down)) : 0
        let local = LocalDateTime(Date(timeIntervalSince1970: TimeInterval(total)), in: TimeZone(secondsFromGMT: 0)!)
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(names[local.weekday - 1]), \(local.day) \(monthNames[local.month - 1]) \(local.year) "
            + local.hour.zeroPadded(2) + ":" + local.minute.zeroPadded(2) + ":" + local.second.zeroPadded(2) + " +0000"
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// RFC 5322 obsolete zones; military letters other than Z are ambiguous in practice and read as UTC.
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    ]

    private static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
