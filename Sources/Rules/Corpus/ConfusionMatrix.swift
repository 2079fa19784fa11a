/// Expected against actual labels of one classifier over a corpus, with the scores read off it.
public struct ConfusionMatrix: Sendable, Codable, Equatable {
    /// The labels, in the order rows and columns follow.
    public var labels: [String]
    /// `counts[expected][actual]`, indexed as ``labels``.
    public var counts: [[Int]]

    public init(labels: [String]) {
        self.labels = labels
        counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    }

    /// Counts one message. A label outside ``labels`` is added, so nothing the rules say is dropped.
    public mutating func add(expected: String, actual: String) {
        let row = index(of: expected)
        let column = index(of: actual)
        counts[row][column] += 1
    }

    private mutating func index(of label: String) -> Int {
        if let index = labels.firstIndex(of: label) { return index }
        labels.append(label)
        for row in counts.indices { counts[row].append(0) }
        counts.append(Array(repeating: 0, count: labels.count))
        return labels.count - 1
    }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public var correct: Int { labels.indices.reduce(0) { $0 + counts[$1][$1] } }
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Precision, recall and F1 of one label, and how many messages carry it.
    public struct ClassScore: Sendable, Codable, Equatable {
        public var label: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    /// One score per label that the corpus expects or the rules gave.
    public var classScores: [ClassScore] {
        labels.indices.compactMap { index in
            let truePositives = counts[index][index]
            let expected = counts[index].reduce(0, +)
            let predicted = counts.reduce(0) { $0 + $1[index] }
            guard expected > 0 || predicted > 0 else { return nil }
            let precision = predicted == 0 ? 0 : Double(truePositives) / Double(predicted)
            let recall = expected == 0 ? 0 : Double(truePositives) / Double(expected)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassScore(label: labels[index], precision: precision, recall: recall, f1: f1, support: expected)
        }
    }

    /// The mean F1 over the labels the corpus expects (a label only the rules gave scores 0 and is not
    /// averaged in: it has no messages to be fair to, and its false positives already cost the others' precision).
    public var macroF1: Double {
        let scored = classScores.filter { $0.support > 0 }
        return scored.isEmpty ? 0 : scored.map(\.f1).reduce(0, +) / Double(scored.count)
    }
}
