import Foundation

/// The store's side of `GET /v1/reports/service`: it fetches the cohort's rows and computes nothing, so
/// every store reports alike (``ServiceReport`` does the arithmetic, ``ServiceClock`` the clocks).
public protocol ServiceReportStore: Sendable {
    /// The conversations created in `[from, to)`, oldest first, each with the events and clock logs a
    /// report reads (see ``ServiceReportRow``).
    /// - Parameters:
    ///   - queue: only conversations now in this queue; nil for every queue.
    ///   - sources: only conversations of these sources (a scoped token's); nil for every source.
    func serviceReportRows(from: Date, to: Date, queue: String?, sources: Set<String>?) async throws -> [ServiceReportRow]

    /// The surveys answered in `[from, to)`, whenever they were sent.
    /// - Parameters:
    ///   - queue: only surveys of conversations resolved in this queue; nil for every queue.
    ///   - sources: only surveys of these sources' conversations; nil for every source.
    func answeredSurveys(from: Date, to: Date, queue: String?, sources: Set<String>?) async throws -> [AnsweredSurvey]
}
