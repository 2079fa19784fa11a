import Rules
import Testing

/// The matcher on its own: what one scan reports, and how a very large set is split into shards.
@Suite("Pattern database")
struct PatternDatabaseTests {
    /// `count` distinct lower-case keywords, `k0`, `k1`, … spelled in letters so none is a prefix-free
    /// accident of another's word boundary.
    static func keywords(_ count: Int) -> [PatternDatabase.Pattern] {
        (0..<count).map { index in
            let letters = String(index, radix: 26).map { character -> Character in
                let digit = Int(String(character), radix: 26)!
                return Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(digit)))
            }
            return PatternDatabase.Pattern(kind: .keyword, text: "kw" + String(letters) + "q")
        }
    }

    @Test("a set larger than one shard is split, and every shard's matches come back with their own index")
    func shards() throws {
        var patterns = Self.keywords(PatternDatabase.patternsPerShard * 2 + 500)
        patterns.append(PatternDatabase.Pattern(kind: .regex, text: "order\\s*#?\\d{6,}"))
        let database = try PatternDatabase(patterns: patterns)
        #expect(database.shardCount == 3)
        #expect(database.patternCount == patterns.count)
        let wanted = [0, PatternDatabase.patternsPerShard - 1, PatternDatabase.patternsPerShard + 7, patterns.count - 2]
        let text = wanted.map { patterns[$0].text }.joined(separator: " ") + " order #1234567 xkwbq"
        let hits = database.scan(text)
        #expect(Set(hits.map(\.pattern)) == Set(wanted + [patterns.count - 1]))
        // Keywords know where they start; word boundaries still hold across shards (`xkwbq` is no match).
        for hit in hits where hit.pattern != patterns.count - 1 {
            let bytes = Array(text.utf8)
            #expect(String(decoding: bytes[hit.start..<hit.end], as: UTF8.self) == patterns[hit.pattern].text)
        }
        #expect(database.countMatches(text) >= wanted.count + 1)
    }

    /// Scans write into room for a usual number of hits and retry with more when a text has more.
    @Test("a text with thousands of matches reports every one, in order")
    func manyMatches() throws {
        let database = try PatternDatabase(patterns: [
            PatternDatabase.Pattern(kind: .keyword, text: "ab"), PatternDatabase.Pattern(kind: .regex, text: "c\\d"),
        ])
        for copies in [1, 63, 64, 65, 5_000] {
            let text = String(repeating: "ab c1 ", count: copies)
            let hits = database.scan(text)
            #expect(hits.count == 2 * copies, "\(copies)")
            let ends: [Int] = (0..<copies).flatMap { copy -> [Int] in [6 * copy + 2, 6 * copy + 5] }
            let starts: [Int] = (0..<copies).map { copy in 6 * copy }
            #expect(hits.map(\.end) == ends, "\(copies)")
            #expect(hits.filter { $0.pattern == 0 }.map(\.start) == starts, "\(copies)")
            #expect(database.countMatches(text) == 2 * copies)
        }
    }

    @Test("a pattern vectorscan refuses in a later shard is reported by its index in the whole set")
    func errorInLaterShard() {
        var patterns = Self.keywords(PatternDatabase.patternsPerShard + 10)
        let bad = patterns.count
        patterns.append(PatternDatabase.Pattern(kind: .regex, text: "(a)\\1"))
        #expect {
            try PatternDatabase(patterns: patterns)
        } throws: { error in
            (error as? PatternDatabase.CompileError)?.pattern == bad
        }
    }

    @Test("an ordinary set stays one database")
    func oneShard() throws {
        let database = try PatternDatabase(patterns: Self.keywords(2_050))
        #expect(database.shardCount == 1)
        #expect(database.scan("say kwbq now").map(\.pattern) == [1])
    }
}
