/// An explanation recorded while classifying, in the rules' own compact terms, and written out in
/// words only when someone reads it.
///
/// Classifying needs the scores and the route; the words of the explanation (matched text, term,
/// field, the part of each route condition that held) are for people and for storage. Recording
/// them as indexes and rendering on demand keeps the hot path to the decision itself, and lets
/// replays and benchmarks that never read an explanation skip it.
public protocol DeferredExplanation: Sendable {
    /// What ``Classification/matches`` holds.
    func signalMatches() -> [SignalMatch]
    /// What ``Classification/firedSignals`` holds, without rendering the matches.
    func firedSignals() -> [String]
    /// What ``RouteDecision/reasons`` holds.
    func routeReasons() -> [RouteReason]
}

/// A value either written out or rendered from a ``DeferredExplanation`` each time it is read.
enum Explained<Value: Sendable>: Sendable {
    case value(Value)
    case deferred(any DeferredExplanation)
}
