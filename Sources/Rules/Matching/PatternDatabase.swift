import CVectorscan
import Foundation
import Synchronization

/// Every keyword and regex of a rule set compiled into one vectorscan database, so each field is
/// scanned once, in time linear in its length, whatever ops wrote. (A set of more than
/// ``patternsPerShard`` patterns becomes several databases compiled in parallel, scanned in turn.)
///
/// Unchecked sendability: a compiled vectorscan database is immutable and may be scanned from many threads
/// at once; the only per-scan state, scratch space, is never shared (spares sit behind a mutex).
public final class PatternDatabase: @unchecked Sendable {
    /// A pattern to compile. Keywords are escaped into literals; regexes are passed as written.
    public struct Pattern: Sendable, Hashable {
        public enum Kind: Sendable, Hashable { case keyword, regex }
        public var kind: Kind
        public var text: String

        public init(kind: Kind, text: String) {
            self.kind = kind
            self.text = text
        }
    }

    /// One match: the pattern's index and the UTF-8 byte range in the scanned text. For regexes the start
    /// is not tracked and equals `end`.
    public struct Hit: Sendable, Equatable {
        public var pattern: Int
        public var start: Int
        public var end: Int
        /// Whether `start` is known (keywords) or not (regexes).
        public var startKnown: Bool
    }

    /// Why a pattern cannot be compiled, in vectorscan's words.
    public struct CompileError: Error, Sendable {
        public var pattern: Int?
        public var message: String
    }

    /// The compiled shards: one for an ordinary rule set, several for a very large one (see
    /// ``patternsPerShard``). Every shard reports the pattern's index in the whole set.
    private let databases: [OpaquePointer]
    /// Scratch space sized for every shard, cloned for each concurrent scan.
    private let prototypeScratch: OpaquePointer?
    /// Scratch space is per concurrent scan; spare ones are kept here for reuse.
    private let spareScratch = Mutex<[Scratch]>([])

    /// Scratch space handed between threads, one user at a time.
    private struct Scratch: @unchecked Sendable {
        let pointer: OpaquePointer
    }
    public let patternCount: Int
    /// How many databases a scan runs through: 1 unless the set is larger than ``patternsPerShard``.
    public var shardCount: Int { databases.count }
    /// Byte length of each keyword, so its start is known without asking vectorscan to track starts
    /// (start-of-match tracking costs scan speed); -1 for regexes, whose start is not tracked.
    fileprivate let literalLengths: [Int]
    /// For keywords that start (bit 0) or end (bit 1) with an ASCII letter or digit: the match must not
    /// touch another such character there. Checked after the scan because `\b` inside the database makes
    /// vectorscan's compile time grow from milliseconds to seconds per thousand terms.
    fileprivate let boundaries: [UInt8]

    /// The most patterns compiled into one vectorscan database.
    ///
    /// Vectorscan's compile time grows faster than the pattern count (on the 2-core reference machine:
    /// 10,000 literals 0.21 s, 50,000 1.75 s, 100,000 3.6 s), and one compile uses one core. Sets larger
    /// than this are split into shards compiled in parallel — 100,000 terms in about 1.25 s — at the price
    /// of one scan per shard. Ordinary rule sets (a few thousand terms) stay one database, scanned once.
    public static let patternsPerShard = 10_000

    public init(patterns: [Pattern]) throws(CompileError) {
        patternCount = patterns.count
        literalLengths = patterns.map { $0.kind == .keyword ? $0.text.utf8.count : -1 }
        boundaries = patterns.map { pattern in
            guard pattern.kind == .keyword else { return 0 }
            var bits: UInt8 = 0
            if let first = pattern.text.unicodeScalars.first, Self.isWordScalar(first) { bits |= 1 }
            if let last = pattern.text.unicodeScalars.last, Self.isWordScalar(last) { bits |= 2 }
            return bits
        }
        guard !patterns.isEmpty else {
            databases = []
            prototypeScratch = nil
            return
        }
        let shardRanges = stride(from: 0, to: patterns.count, by: Self.patternsPerShard).map {
            $0..<min($0 + Self.patternsPerShard, patterns.count)
        }
        let compiled = Self.compileShards(patterns, ranges: shardRanges)
        var failure: CompileError?
        var built: [OpaquePointer] = []
        for result in compiled {
            switch result {
            case let .success(database): built.append(database.pointer)
            case let .failure(error): failure = failure ?? error
            }
        }
        var scratch: OpaquePointer?
        if failure == nil {
            // One scratch space sized for every shard: vectorscan grows it to fit each database in turn.
            for database in built where hs_alloc_scratch(database, &scratch) != SB_HS_SUCCESS {
                failure = CompileError(pattern: nil, message: "cannot allocate vectorscan scratch space")
                break
            }
        }
        if let failure {
            if let scratch { hs_free_scratch(scratch) }
            built.forEach { hs_free_database($0) }
            throw failure
        }
        databases = built
        prototypeScratch = scratch
    }

    /// A compiled database passed back from a compiling thread.
    private struct Compiled: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// Compiles each range of `patterns` into its own database, in parallel when there are several.
    ///
    /// Uses threads of its own: `DispatchQueue.concurrentPerform` borrows the global queue's workers,
    /// which on Linux are the same ones Swift concurrency runs on, so when called from a task it often
    /// found none free and compiled every shard one after another.
    private static func compileShards(_ patterns: [Pattern], ranges: [Range<Int>]) -> [Result<Compiled, CompileError>] {
        let job = ShardJob(patterns: patterns, ranges: ranges)
        let helpers = max(min(ranges.count, ProcessInfo.processInfo.activeProcessorCount) - 1, 0)
        let finished = DispatchSemaphore(value: 0)
        for _ in 0..<helpers {
            let thread = Thread {
                job.run()
                finished.signal()
            }
            thread.stackSize = 8 << 20  // vectorscan's compiler recurses deeply
            thread.start()
        }
        job.run()
        for _ in 0..<helpers { finished.wait() }
        return job.results.withLock { $0.map { $0! } }
    }

    /// The shards of one compile, taken one at a time by each compiling thread.
    private final class ShardJob: Sendable {
        let patterns: [Pattern]
        let ranges: [Range<Int>]
        let next = Atomic<Int>(0)
        let results: Mutex<[Result<Compiled, CompileError>?]>

        init(patterns: [Pattern], ranges: [Range<Int>]) {
            self.patterns = patterns
            self.ranges = ranges
            results = Mutex(Array(repeating: nil, count: ranges.count))
        }

        func run() {
            while true {
                let shard = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard shard < ranges.count else { return }
                let result = PatternDatabase.compile(patterns, range: ranges[shard])
                results.withLock { $0[shard] = result }
            }
        }
    }

    /// Compiles one shard; each pattern's id is its index in the whole set.
    private static func compile(_ patterns: [Pattern], range: Range<Int>) -> Result<Compiled, CompileError> {
        let slice = patterns[range]
        let expressions = slice.map { Self.expression(for: $0) }
        let flags = slice.map { Self.flags(for: $0) }
        let ids = range.map { UInt32($0) }
        var db: OpaquePointer?
        var compileError: UnsafeMutablePointer<hs_compile_error_t>?
        let cStrings = expressions.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let status = cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { expressionPointers in
            hs_compile_multi(
                expressionPointers.baseAddress, flags, ids, UInt32(slice.count),
                SB_HS_MODE_BLOCK, nil, &db, &compileError)
        }
        guard status == SB_HS_SUCCESS, let db else {
            var error = Self.describe(compileError)
            hs_free_compile_error(compileError)
            error.pattern = error.pattern.map { $0 + range.lowerBound }
            return .failure(error)
        }
        return .success(Compiled(pointer: db))
    }

    deinit {
        spareScratch.withLock { spares in spares.forEach { hs_free_scratch($0.pointer) } }
        if let prototypeScratch { hs_free_scratch(prototypeScratch) }
        databases.forEach { hs_free_database($0) }
    }

    /// Checks one pattern on its own, so a rule file can point at the exact pattern that is wrong.
    public static func validate(_ pattern: Pattern) -> String? {
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var compileError: UnsafeMutablePointer<hs_compile_error_t>?
        let status = hs_expression_info(expression(for: pattern), flags(for: pattern), &info, &compileError)
        defer {
            free(info)
            hs_free_compile_error(compileError)
        }
        if status != SB_HS_SUCCESS {
            return describe(compileError).message
        }
        return nil
    }

    /// Every match in `text`: per shard, in the order vectorscan reports them (by end offset).
    public func scan(_ text: String) -> [Hit] {
        var hits: [Hit] = []
        var text = text
        text.withUTF8 { scan($0, into: &hits) }
        return hits
    }

    /// Appends every match in the folded UTF-8 `bytes` to `hits`, which the caller may reuse between
    /// scans: per shard, in the order vectorscan reports them (by end offset).
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, into hits: inout [Hit]) {
        var room = 64
        while true {
            let found = withUnsafeTemporaryAllocation(of: Hit.self, capacity: room) { buffer in
                withScanner { $0.scan(bytes, into: buffer) }.map { Array(buffer[..<$0]) }
            }
            if let found {
                hits.append(contentsOf: found)
                return
            }
            room *= 8
        }
    }

    /// Scans and only counts matches: the matcher's own speed, as a baseline for the full path.
    public func countMatches(_ text: String) -> Int {
        withScanner { $0.countMatches(text) }
    }

    /// Lends scratch space from the pool (cloning one when all are busy) for the scans `body` makes, so
    /// a message's fields share one loan. Without scratch (no patterns, or cloning failed) scans find nothing.
    func withScanner<Result>(_ body: (Scanner) -> Result) -> Result {
        guard let prototypeScratch else { return body(Scanner(database: self, scratch: nil)) }
        var scratch = spareScratch.withLock { $0.popLast()?.pointer }
        if scratch == nil {
            var clone: OpaquePointer?
            if hs_clone_scratch(prototypeScratch, &clone) == SB_HS_SUCCESS { scratch = clone }
        }
        guard let scratch else { return body(Scanner(database: self, scratch: nil)) }
        defer { spareScratch.withLock { $0.append(Scratch(pointer: scratch)) } }
        return body(Scanner(database: self, scratch: scratch))
    }

    /// Scans with scratch space on loan from ``withScanner(_:)``; valid only inside it.
    struct Scanner {
        let database: PatternDatabase
        fileprivate let scratch: OpaquePointer?

        /// What vectorscan's callback reads and writes: room for `capacity` hits, whether more were found,
        /// and what it needs to give keywords their starts and check their word boundaries.
        private struct Sink {
            var base: UnsafeMutablePointer<Hit>
            var count = 0
            var capacity: Int
            var overflowed = false
            let lengths: UnsafePointer<Int>
            let boundaries: UnsafePointer<UInt8>
            let bytes: UnsafeBufferPointer<UInt8>
        }

        /// Scans `text` as it is and only counts matches.
        func countMatches(_ text: String) -> Int {
            var count = 0
            var text = text
            text.withUTF8 { bytes in
                guard let scratch, let base = bytes.baseAddress, bytes.count > 0 else { return }
                let characters = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
                withUnsafeMutablePointer(to: &count) { counter in
                    for database in database.databases {
                        _ = hs_scan(
                            database, characters, UInt32(bytes.count), 0, scratch,
                            { _, _, _, _, context in
                                context!.assumingMemoryBound(to: Int.self).pointee += 1
                                return 0
                            }, counter)
                    }
                }
            }
            return count
        }

        /// Writes every match in the folded UTF-8 `bytes` into `hits` (per shard, in the order vectorscan
        /// reports them: by end offset), keywords with their starts and without matches inside longer
        /// words. Returns how many, or nil when they do not fit: the caller retries with more room.
        func scan(_ bytes: UnsafeBufferPointer<UInt8>, into hits: UnsafeMutableBufferPointer<Hit>) -> Int? {
            guard let scratch, let base = bytes.baseAddress, bytes.count > 0, let hitBase = hits.baseAddress else { return 0 }
            let characters = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            return database.literalLengths.withUnsafeBufferPointer { lengths in
                database.boundaries.withUnsafeBufferPointer { boundaries in
                    var sink = Sink(
                        base: hitBase, capacity: hits.count, lengths: lengths.baseAddress!, boundaries: boundaries.baseAddress!,
                        bytes: bytes)
                    withUnsafeMutablePointer(to: &sink) { sinkPointer in
                        for database in database.databases where !sinkPointer.pointee.overflowed {
                            _ = hs_scan(database, characters, UInt32(bytes.count), 0, scratch, Self.found, sinkPointer)
                        }
                    }
                    return sink.overflowed ? nil : sink.count
                }
            }
        }

        /// vectorscan's callback: gives a keyword its start (from its length; regexes do not track theirs)
        /// and drops it inside a longer word, then writes the hit, or stops the scan when there is no room.
        private static let found: @convention(c) (UInt32, UInt64, UInt64, UInt32, UnsafeMutableRawPointer?) -> Int32 = {
            id, _, to, _, context in
            let sink = context!.assumingMemoryBound(to: Sink.self)
            let pattern = Int(id)
            let end = Int(to)
            let length = sink.pointee.lengths[pattern]
            let start = length >= 0 ? end - length : end
            let bits = sink.pointee.boundaries[pattern]
            if bits != 0 {
                let bytes = sink.pointee.bytes
                if bits & 1 != 0, start > 0, bytes[start - 1].isASCIIWordCharacter { return 0 }
                if bits & 2 != 0, end < bytes.count, bytes[end].isASCIIWordCharacter { return 0 }
            }
            guard sink.pointee.count < sink.pointee.capacity else {
                sink.pointee.overflowed = true
                return 1  // stops the scan
            }
            (sink.pointee.base + sink.pointee.count).initialize(
                to: Hit(pattern: pattern, start: start, end: end, startKnown: length >= 0))
            sink.pointee.count += 1
            return 0
        }
    }

    /// Keywords are already folded to lower case, as is the text, so they compile as plain byte
    /// literals: the fastest form to compile and to scan. Regexes get UTF-8 semantics and caseless ASCII
    /// in case ops wrote capitals.
    ///
    /// Regexes deliberately do not track where a match starts (`HS_FLAG_SOM_LEFTMOST`): with it,
    /// vectorscan 5.4.9 aborts the process ("buffer overflow detected") scanning `(a+)+b` over a
    /// thousand `a`s — one customer message could take the gateway down. Regex hits report their end.
    private static func flags(for pattern: Pattern) -> UInt32 {
        guard pattern.kind == .regex else { return 0 }
        return SB_HS_FLAG_CASELESS | SB_HS_FLAG_UTF8 | SB_HS_FLAG_DOTALL
    }

    /// The vectorscan expression for a pattern: keywords become escaped literals (their word boundaries
    /// are checked after the scan, so `down` does not match `download` while Chinese terms match anywhere);
    /// regexes are passed as written.
    static func expression(for pattern: Pattern) -> String {
        switch pattern.kind {
        case .regex:
            return pattern.text
        case .keyword:
            var out = ""
            for scalar in pattern.text.unicodeScalars {
                if scalar.isASCII, !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
    }

    private static func describe(_ error: UnsafeMutablePointer<hs_compile_error_t>?) -> CompileError {
        guard let error else { return CompileError(pattern: nil, message: "vectorscan could not compile the patterns") }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown vectorscan error"
        let index = Int(error.pointee.expression)
        return CompileError(pattern: index >= 0 ? index : nil, message: message)
    }
}
