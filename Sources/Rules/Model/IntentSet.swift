/// The intents a message can be read as (`incident`, `billing`, …) and how one is chosen: each intent
/// signal that fires adds its weight to its intent, the highest total wins, a tie goes to the intent
/// listed first, and a message no intent signal fires on reads as ``fallback``.
public struct IntentSet: Sendable, Equatable {
    /// Every intent, in the order that breaks ties (most pressing first).
    public let ids: [String]
    /// The intent of a message no intent signal fired on.
    public let fallback: String
    /// Where ``fallback`` is in ``ids``, found once: most messages fire no intent signal at all.
    private let fallbackIndex: Int

    public init(ids: [String], fallback: String) {
        self.ids = ids
        self.fallback = fallback
        fallbackIndex = ids.firstIndex(of: fallback) ?? 0
    }

    /// The index of the winning intent given each intent's total, in ``ids`` order.
    func choose(_ scores: UnsafeBufferPointer<Int32>) -> Int {
        var best = -1
        var bestScore: Int32 = 0
        for index in scores.indices where scores[index] > bestScore {
            best = index
            bestScore = scores[index]
        }
        return best >= 0 ? best : fallbackIndex
    }
}
