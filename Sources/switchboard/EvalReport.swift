import Foundation
import Rules

/// The text form of a ``CorpusEvaluation``, for people reading `rules eval` in a terminal or a CI log.
struct EvalReport {
    var report: CorpusEvaluation
    var paths: [String]
    var thresholds: [(String, Double, Double?)]
    var misses: Int?

    var text: String {
        var lines: [String] = []
        lines.append("rules \(report.rulesVersion) on \(report.messages) labelled messages (\(paths.joined(separator: ", ")))")
        for (name, value, minimum) in thresholds {
            let verdict = minimum.map { value >= $0 ? "  (min \(Self.figure($0)): ok)" : "  (min \(Self.figure($0)): BELOW)" } ?? ""
            lines.append("  " + Self.pad(name, 26) + Self.figure(value) + verdict)
        }
        let differing = report.variants.differing.count
        lines.append("  " + Self.pad("spelling variants", 26) + "\(report.variants.checked) checked, \(differing) classified differently")
        lines.append("")
        lines.append("by language       messages  urgent  negative  intent")
        for language in report.languages {
            lines.append("  " + Self.pad(language.language, 16) + Self.pad(String(language.messages), 10)
                + Self.pad(Self.figure(language.urgentAccuracy), 8) + Self.pad(Self.figure(language.negativeAccuracy), 10)
                + Self.figure(language.intentAccuracy))
        }
        for (name, matrix) in [("urgency", report.urgency), ("sentiment", report.sentiment), ("strength (of negatives read as negative)", report.strength), ("intent", report.intent)] {
            lines.append("")
            lines += Self.table(name, matrix)
        }
        if !report.variants.differing.isEmpty {
            lines.append("")
            lines.append("variants that classified differently")
            for miss in report.variants.differing {
                lines.append("  \(miss.id) [\(miss.variant)] expected \(miss.expected) got \(miss.actual)")
            }
        }
        let shown = report.misses.prefix(misses ?? report.misses.count)
        lines.append("")
        lines.append("misclassified: \(report.misses.count)" + (shown.count < report.misses.count ? " (first \(shown.count) shown)" : ""))
        for miss in shown {
            lines.append("")
            lines.append("\(miss.id) (\(miss.language), \(miss.origin))")
            if let subject = miss.subject { lines.append("  subject: \(Self.clip(subject))") }
            lines.append("  text:    \(Self.clip(miss.text))")
            lines.append("  wrong:   " + miss.wrong.map { "\($0.label) expected \($0.expected), got \($0.actual)" }.joined(separator: "; "))
            lines.append("  scores:  urgency \(miss.urgencyScore), sentiment \(miss.sentimentScore)")
            lines.append("  fired:   " + (miss.fired.isEmpty ? "nothing" : miss.fired.joined(separator: ", ")))
            if !miss.negated.isEmpty { lines.append("  negated: " + miss.negated.joined(separator: ", ")) }
            for reason in miss.missing { lines.append("  why:     " + reason) }
        }
        return lines.joined(separator: "\n")
    }

    /// Per-class scores and the confusion matrix of one classifier.
    static func table(_ name: String, _ matrix: ConfusionMatrix) -> [String] {
        var lines = ["\(name): accuracy \(figure(matrix.accuracy)) over \(matrix.total), macro-F1 \(figure(matrix.macroF1))"]
        lines.append("  " + pad("class", 14) + pad("precision", 11) + pad("recall", 8) + pad("F1", 7) + "support")
        for score in matrix.classScores {
            lines.append("  " + pad(score.label, 14) + pad(figure(score.precision), 11) + pad(figure(score.recall), 8)
                + pad(figure(score.f1), 7) + String(score.support))
        }
        let width = max(7, (matrix.labels.map(\.count).max() ?? 0) + 1)
        lines.append("  confusion (rows: labelled, columns: classified)")
        lines.append("  " + pad("", 14) + matrix.labels.map { pad(String($0.prefix(width - 1)), width) }.joined())
        for (row, label) in matrix.labels.enumerated() {
            lines.append("  " + pad(label, 14) + matrix.counts[row].map { pad(String($0), width) }.joined())
        }
        return lines
    }

    static func figure(_ value: Double) -> String { String(format: "%.3f", value) }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    /// One line of the customer's text, at most 160 characters.
    static func clip(_ text: String) -> String {
        let line = text.replacingOccurrences(of: "\n", with: " ⏎ ")
        return line.count > 160 ? String(line.prefix(159)) + "…" : line
    }
}
