import Foundation
import Rules
import SwitchboardCore

/// The variables every reply script may use, built from the conversation.
public enum ReplyContext {
    /// The variables an automatic reply is rendered with.
    public static let automaticVariables: Set<String> = [
        "customer.address", "conversation.id", "conversation.reference", "queue.id", "queue.name", "queue.team",
        "message.subject", "sla.first_response", "sla.due",
    ]

    /// Names an agent may not override, because the gateway fills them in.
    public static let reservedPrefixes = ["customer", "conversation", "queue", "sla", "message", "agent", "survey"]

    /// Whether the gateway fills in the variable `name` (`sla.due`, `agent.name` …), so an agent may not.
    public static func isFilledByGateway(_ name: String) -> Bool {
        reservedPrefixes.contains(name.split(separator: ".").first.map(String.init) ?? name)
    }

    public static func variables(
        conversationID: String,
        reference: String,
        customerAddress: String,
        language: String,
        queue: Queue?,
        queueID: String,
        slaPolicy: SLAPolicy?,
        slaDueAt: Date?,
        subject: String?,
        timeZone: TimeZone
    ) -> [String: String] {
        var variables: [String: String] = [
            "customer.address": customerAddress,
            "conversation.id": conversationID,
            "conversation.reference": reference,
            "queue.id": queueID,
            "queue.name": queue?.name(in: language) ?? queueID,
            "queue.team": queue?.team(in: language) ?? queueID,
            "message.subject": subject ?? "",
        ]
        if let slaPolicy {
            // A policy on a business calendar counts working time only, so its deadline after a night, a
            // weekend or a holiday lies far more than "2 hours" away. Saying "2 working hours" keeps the
            // duration true next to that deadline (`sla.due`), and true on its own in an SMS that has no room
            // for the date.
            variables["sla.first_response"] = describe(
                seconds: slaPolicy.firstResponse, language: language, workingTime: slaPolicy.calendar != nil)
        }
        if let slaDueAt {
            variables["sla.due"] = format(slaDueAt, language: language, timeZone: timeZone)
        }
        return variables
    }

    /// A duration in words: `30 分钟`, `2 小时`, `30 minutes`, `2 hours`; as working time (`2 个工作小时`,
    /// `2 working hours`) when it is counted on a business calendar. Working time is never written in days:
    /// a working day is not 24 hours.
    public static func describe(seconds: Double, language: String, workingTime: Bool = false) -> String {
        let minutes = Int((seconds / 60).rounded())
        if workingTime {
            let (value, unitEN, unitZH) = minutes >= 60 && minutes % 60 == 0
                ? (minutes / 60, "working hour", "个工作小时") : (max(minutes, 1), "working minute", "个工作分钟")
            if language == "zh" { return "\(value) \(unitZH)" }
            return "\(value) \(unitEN)\(value == 1 ? "" : "s")"
        }
        let (value, unitEN, unitZH): (Int, String, String)
        if minutes >= 1440, minutes % 1440 == 0 {
            (value, unitEN, unitZH) = (minutes / 1440, "day", "天")
        } else if minutes >= 60, minutes % 60 == 0 {
            (value, unitEN, unitZH) = (minutes / 60, "hour", "小时")
        } else if minutes >= 1 {
            (value, unitEN, unitZH) = (minutes, "minute", "分钟")
        } else {
            (value, unitEN, unitZH) = (Int(seconds), "second", "秒")
        }
        if language == "zh" { return "\(value) \(unitZH)" }
        return "\(value) \(unitEN)\(value == 1 ? "" : "s")"
    }

    /// A concrete local time, so the customer is never promised "soon". Built from ``LocalDateTime``
    /// rather than a `DateFormatter` or `Calendar`: one is rendered into every acknowledgement.
    public static func format(_ date: Date, language: String, timeZone: TimeZone) -> String {
        let local = LocalDateTime(date, in: timeZone)
        let (year, month, day) = (local.year, local.month, local.day)
        let time = local.hour.zeroPadded(2) + ":" + local.minute.zeroPadded(2)
        let abbreviation = timeZone.abbreviation(for: date) ?? timeZone.identifier
        let text = language == "zh" ? "\(year)年\(month)月\(day)日 \(time)" : local.dateKey + " " + time
        return text + " (" + abbreviation + ")"
    }
}
