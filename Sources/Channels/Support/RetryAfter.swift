import Foundation

/// `Retry-After` as delay seconds or an HTTP-date, capped at an hour so a confused provider cannot park
/// the outbox for days.
enum RetryAfter {
    static func seconds(_ value: String, now: Date = Date()) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return min(max(seconds, 0), 3600) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return min(max(date.timeIntervalSince(now), 0), 3600)
    }
}
