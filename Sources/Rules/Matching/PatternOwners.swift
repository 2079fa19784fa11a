/// For each compiled pattern, the signals' terms it stands for: one pattern can serve several signals
/// (a lexicon read by an urgency, a sentiment and an intent signal is compiled once). Kept flat, as
/// start offsets into one array, so the hot path reads plain values without retains.
struct PatternOwners: Sendable {
    /// Every owner, grouped by pattern in pattern order.
    let owners: [(signal: Int32, term: Int32)]
    /// Where each pattern's owners start in ``owners``; one more entry than there are patterns.
    let starts: [Int32]
    /// The most owners any one pattern has: a scan hit becomes at most this many signal hits.
    let most: Int

    init(_ ownersOfPattern: [[(signal: Int, term: Int)]]) {
        var owners: [(signal: Int32, term: Int32)] = []
        var starts: [Int32] = [0]
        owners.reserveCapacity(ownersOfPattern.reduce(0) { $0 + $1.count })
        starts.reserveCapacity(ownersOfPattern.count + 1)
        for group in ownersOfPattern {
            for owner in group { owners.append((Int32(owner.signal), Int32(owner.term))) }
            starts.append(Int32(owners.count))
        }
        self.owners = owners
        self.starts = starts
        most = ownersOfPattern.map(\.count).max() ?? 1
    }
}
