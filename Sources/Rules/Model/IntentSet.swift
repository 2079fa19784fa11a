/// The intents a message can be read as (`incident`, `billing`, …) and how one is chosen: each intent
/// signal that fires adds its weight to its intent, the highest total wins, a tie goes to the intent
/// listed first, and a message no intent signal fires on reads as ``fallback``.
public struct IntentSet: Sendable, Equatable {
    /// Every intent, in the order that breaks ties (most pressing first).
    public var ids: [String]
    /// The intent of a message no intent signal fired on.
    public var fallback: String

    public init(ids: [String], fallback: String) {
        self.ids = ids
        self.fallback = fallback
    }

    /// The index of the winning intent given each intent's total, in ``ids`` order.
    func choose(_ scores: UnsafeBufferPointer<Int>) -> Int {
        var best = -1
        var bestScore = 0
        for index in scores.indices where scores[index] > bestScore {
            best = index
            bestScore = scores[index]
        }
        return best >= 0 ? best : ids.firstIndex(of: fallback) ?? 0
    }
}
