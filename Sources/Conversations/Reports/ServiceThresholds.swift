/// The standards' thresholds a service report flags against (SPEC.md, "customer-service standards").
public enum ServiceThresholds {
    /// SLA attainment below this share is flagged, for first response and for resolution alike: the
    /// standards ask that 95% of conversations get their answer and their resolution in time.
    public static let slaAttainment = 0.95
    /// First-contact resolution below this share is flagged: the standards expect at least 70% of
    /// resolved conversations to be settled the first time, with no reopen and no hand-off.
    public static let firstContactResolution = 0.70
    /// CSAT below this share is flagged: the standards expect at least 80% of answered satisfaction
    /// surveys to score 4 or 5.
    public static let csat = 0.80
}
