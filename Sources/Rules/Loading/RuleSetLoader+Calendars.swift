import Foundation
import StrictYAML

extension RuleSetLoader {
    static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    /// Parses `calendars.yaml`: business hours per weekday, holidays and make-up working days.
    func parseCalendars(_ root: YAMLValue, _ log: ProblemLog) -> [String: BusinessCalendar] {
        guard let top = root.mapping(log, what: "calendars.yaml", allowed: ["calendars"]) else { return [:] }
        var calendars: [String: BusinessCalendar] = [:]
        for item in top.required("calendars", in: "calendars.yaml", log)?.items(log, what: "calendars") ?? [] {
            guard let map = item.mapping(log, what: "calendar", allowed: ["id", "description", "time_zone", "hours", "holidays", "working_days"]),
                  let id = map.string("id", in: "calendar", required: true, log) else { continue }
            if calendars[id] != nil {
                log.report("duplicate calendar id '\(id)'", at: map["id"]!)
                continue
            }
            var timeZone = TimeZone(identifier: "UTC")!
            if let name = map.string("time_zone", in: "calendar '\(id)'", required: true, log) {
                if let zone = TimeZone(identifier: name) { timeZone = zone } else {
                    log.report("unknown time zone '\(name)' (use an IANA name such as Asia/Shanghai)", at: map["time_zone"]!)
                }
            }
            var hours: [Int: [BusinessCalendar.Interval]] = [:]
            if let days = map.required("hours", in: "calendar '\(id)'", log)?
                .mapping(log, what: "hours", allowed: Array(Self.weekdays.keys.sorted { Self.weekdays[$0]! < Self.weekdays[$1]! })) {
                for entry in days.entries {
                    hours[Self.weekdays[entry.key]!] = intervals(entry.value, log)
                }
            }
            let holidays = dates(map["holidays"], what: "holidays", log)
            let workingDays = dates(map["working_days"], what: "working_days", log)
            for date in holidays.intersection(workingDays) {
                log.report("\(date) is listed both as a holiday and as a working day", at: map["working_days"]!)
            }
            calendars[id] = BusinessCalendar(
                id: id, timeZone: timeZone, hours: hours, holidays: holidays, workingDays: workingDays,
                makeUpHours: hours[2] ?? [])
        }
        return calendars
    }

    /// `["09:00-12:00", "13:00-18:00"]`.
    private func intervals(_ value: YAMLValue, _ log: ProblemLog) -> [BusinessCalendar.Interval] {
        var out: [BusinessCalendar.Interval] = []
        for (text, position) in value.stringList(log, what: "hours") ?? [] {
            let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let start = minutes(parts[0]), let end = minutes(parts[1]), start < end else {
                log.report("'\(text)' is not an interval like 09:00-18:00 (start before end, 24:00 at most)", at: position)
                continue
            }
            if out.contains(where: { start < $0.end && $0.start < end }) {
                log.report("'\(text)' overlaps another interval of the same day", at: position)
            }
            out.append(.init(start: start, end: end))
        }
        return out
    }

    private func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour), (0..<60).contains(minute),
              hour * 60 + minute <= 1440 else { return nil }
        return hour * 60 + minute
    }

    private func dates(_ value: YAMLValue?, what: String, _ log: ProblemLog) -> Set<String> {
        guard let value else { return [] }
        var out = Set<String>()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        for (text, position) in value.stringList(log, what: what) ?? [] {
            guard let date = formatter.date(from: text), formatter.string(from: date) == text else {
                log.report("'\(text)' is not a date like 2026-10-01", at: position)
                continue
            }
            out.insert(text)
        }
        return out
    }
}
