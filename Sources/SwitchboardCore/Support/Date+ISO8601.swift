import Foundation

extension Date {
    /// An ISO 8601 time with its zone (`2027-01-31T18:00:00Z`, `2027-02-01T02:00:00+08:00`), with or without
    /// fractional seconds: what the configuration's `not_after` and the API's times take alike.
    public init?(iso8601 text: String) {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) {
            self = date
            return
        }
        formatter.formatOptions.insert(.withFractionalSeconds)
        guard let date = formatter.date(from: text) else { return nil }
        self = date
    }
}
