import COpenCC
import Digests
import Foundation
import Synchronization

/// The Traditional spellings of lexicon terms written in Simplified, for the few that folding does not
/// bring back to the term.
///
/// Folding maps Traditional characters to Simplified one character at a time, which covers almost every
/// term. It cannot cover characters that are Simplified characters too (`覆` stays `覆`, so `回覆` never
/// folds to `回复`; `著`, `瞭`, `帳`), nor phrase-level forms of OpenCC's Taiwan and Hong Kong tables. Each
/// term is therefore also converted to Traditional as Taiwan, Hong Kong and OpenCC's standard write it,
/// and a conversion that folds to something other than the term is kept as a spelling of its own. Ops
/// keep writing each term once, in Simplified.
enum TraditionalSpellings {
    /// OpenCC's Simplified-to-Traditional conversions: standard, Taiwan and Hong Kong.
    static let configurations = ["s2t.json", "s2tw.json", "s2hk.json"]

    /// `lexicons` with, after each term holding a CJK ideograph, its Traditional spellings that fold
    /// differently (same origin). Without OpenCC's data the lexicons are returned unchanged.
    static func adding(to lexicons: [String: [(String, String)]]) -> [String: [(String, String)]] {
        let names = lexicons.keys.sorted()
        var chinese: [String] = []
        for name in names {
            for (term, _) in lexicons[name]! where term.unicodeScalars.contains(where: isIdeograph) { chinese.append(term) }
        }
        guard !chinese.isEmpty else { return lexicons }
        let spellings = spellings(of: chinese)
        guard !spellings.isEmpty else { return lexicons }
        var out = lexicons
        for name in names {
            out[name] = lexicons[name]!.flatMap { term, origin in
                [(term, origin)] + (spellings[term] ?? []).map { ($0, origin) }
            }
        }
        return out
    }

    /// The spellings found for the last list of terms converted, by a digest of the list: a reload that
    /// leaves the lexicons as they were (an edit to a route, a second gateway in the process) converts
    /// nothing again.
    private static let lastConverted = Mutex<(key: [UInt8], spellings: [String: [String]])?>(nil)

    /// For each term that has them, its Traditional spellings folded, where they differ from the term's fold.
    private static func spellings(of chinese: [String]) -> [String: [String]] {
        // One line per term: converted in one call per configuration, and digested as it stands.
        let input = chinese.joined(separator: "\n")
        let key = Digest.sha256(Data(input.utf8))
        if let last = lastConverted.withLock({ $0 }), last.key == key { return last.spellings }
        let termFolds = chinese.map(TextNormalizer.normalize)
        var spellings: [String: [String]] = [:]
        for configuration in configurations {
            guard let converted = convert(input, lines: chinese.count, configuration: configuration) else { continue }
            for (index, traditional) in converted.enumerated() where traditional != chinese[index] {
                let folded = TextNormalizer.normalize(traditional)
                if folded != termFolds[index], !(spellings[chinese[index]]?.contains(folded) ?? false) {
                    spellings[chinese[index], default: []].append(folded)
                }
            }
        }
        lastConverted.withLock { $0 = (key, spellings) }
        return spellings
    }

    /// `input`'s lines (one term each) converted with one OpenCC configuration, in order; nil when OpenCC
    /// cannot run it. One call for all terms, so the dictionaries are opened once per configuration.
    private static func convert(_ input: String, lines: Int, configuration: String) -> [String]? {
        let handle = opencc_open(configuration)
        guard sb_opencc_is_valid(handle) != 0 else { return nil }
        defer { opencc_close(handle) }
        guard let converted = opencc_convert_utf8(handle, input, input.utf8.count) else { return nil }
        defer { opencc_convert_utf8_free(converted) }
        let out = String(cString: converted).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return out.count == lines ? out : nil
    }

    private static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        (0x3400...0x9FFF).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
    }
}
