extension Duration {
    /// The duration in seconds, for date arithmetic (`Date.addingTimeInterval`) and for C APIs that take
    /// seconds or milliseconds.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
