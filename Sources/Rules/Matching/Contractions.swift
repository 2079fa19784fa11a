/// English contractions as people type them on phones, without the apostrophe ("cant", "dont", "im",
/// "thats"): a lexicon term written with the apostrophe matches those spellings too, so ops write a
/// term once.
///
/// Only contractions whose apostrophe-less spelling is not another common word are loosened: "we're",
/// "we'll", "i'll", "he'll", "she'll", "we'd" and "she'd" would turn into "were", "well", "ill", "hell",
/// "shell", "wed" and "shed", and are left as written.
enum Contractions {
    /// Contracted words that keep their apostrophe.
    static let kept: Set<Substring> = ["we're", "we'll", "i'll", "he'll", "she'll", "we'd", "she'd", "it'd"]

    /// `term` (already folded: lower case, straight apostrophes) with every loosenable contraction
    /// written without its apostrophe, or nil when the term has none.
    static func unpunctuated(_ term: String) -> String? {
        guard term.contains("'") else { return nil }
        var out = ""
        var changed = false
        var word = Substring()
        func flush() {
            defer { word = Substring() }
            guard word.contains("'"), !kept.contains(word), isContraction(word) else {
                out += word
                return
            }
            out += word.filter { $0 != "'" }
            changed = true
        }
        var start = term.startIndex
        for index in term.indices {
            let character = term[index]
            if character.isLetter || character.isNumber || character == "'" { continue }
            word = term[start..<index]
            flush()
            out.append(character)
            start = term.index(after: index)
        }
        word = term[start...]
        flush()
        return changed ? out : nil
    }

    /// Whether `word` is a contraction (`n't`, `'m`, `'ve`, `'re`, `'ll`, `'d`, `'s` after at least one
    /// letter), not a quote mark at a word's edge.
    private static func isContraction(_ word: Substring) -> Bool {
        guard let apostrophe = word.firstIndex(of: "'"), apostrophe != word.startIndex else { return false }
        let suffix = word[word.index(after: apostrophe)...]
        if suffix == "t" { return word[..<apostrophe].hasSuffix("n") }
        return ["m", "ve", "re", "ll", "d", "s"].contains(suffix)
    }
}
